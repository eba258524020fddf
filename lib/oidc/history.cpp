#include <oidc/body.hpp>
#include <oidc/history.hpp>
#include <util/base64.hpp>
#include <util/strings.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>
#include <util/private_files.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

#include <strings.h>
#include <sys/stat.h>

namespace kms::oidc {

namespace {

constexpr std::size_t k_max_bytes = 8 * 1024 * 1024;
constexpr std::size_t k_keep_bytes = 4 * 1024 * 1024;

// Text bodies are kept as text, others as base64 (JSON strings must be UTF-8).
void put_body(Json& j, const char* name, const std::optional<std::string>& body)
{
    if (!body) {
        return;
    }
    if (util::is_utf8(*body)) {
        j[name] = *body;
    } else {
        j[std::string(name) + "_base64"] = util::base64_encode(*body);
    }
}

std::optional<std::string> get_body(const Json& j, const char* name)
{
    if (j.contains(name) && j[name].is_string()) {
        return j[name].get<std::string>();
    }
    std::string b64 = util::str_at(j, (std::string(name) + "_base64").c_str());
    if (!b64.empty()) {
        return util::base64_decode(b64);
    }
    return std::nullopt;
}

bool is_credential_header(const std::string& name)
{
    for (const char* secret : {"authorization", "proxy-authorization", "cookie", "x-api-key"}) {
        if (::strcasecmp(name.c_str(), secret) == 0) {
            return true;
        }
    }
    return false;
}

bool is_credential_param(std::string_view name)
{
    for (std::string_view secret : {"access_token", "id_token", "refresh_token", "token", "code", "client_secret",
                                    "password", "api_key", "apikey"}) {
        if (name == secret) {
            return true;
        }
    }
    return false;
}

std::size_t size_field(const Json& j, const char* name)
{
    auto it = j.find(name);
    return it != j.end() && it->is_number_unsigned() ? it->get<std::size_t>() : 0;
}

} // namespace

http::Headers storable_headers(const http::Headers& headers)
{
    http::Headers out;
    for (const auto& h : headers) {
        if (!is_credential_header(h.first)) {
            out.push_back(h);
        }
    }
    return out;
}

std::string storable_url(const std::string& url)
{
    auto q = url.find('?');
    if (q == std::string::npos) {
        return url;
    }
    auto hash = url.find('#', q);
    std::string query = url.substr(q + 1, hash == std::string::npos ? std::string::npos : hash - q - 1);
    std::vector<std::string> parts;
    for (auto& p : util::split(query, '&')) {
        auto eq = p.find('=');
        std::string name = p.substr(0, eq);
        parts.push_back(eq != std::string::npos && is_credential_param(name) ? name + "=REDACTED" : p);
    }
    std::string out = url.substr(0, q + 1) + util::join(parts, "&");
    return hash == std::string::npos ? out : out + url.substr(hash);
}

Json token_request_to_json(const TokenRequest& req)
{
    Json j = Json::object();
    if (!req.where.issuer.empty()) {
        j["issuer"] = req.where.issuer;
    } else {
        j["keycloak"] = req.where.keycloak_url;
        j["realm"] = req.where.realm;
    }
    j["client_id"] = req.client_id;
    j["grant"] = std::string(to_string(req.grant));
    j["username"] = req.username;
    j["scopes"] = req.scopes;
    j["client_auth"] = req.client_auth_method;
    return j;
}

std::optional<TokenRequest> token_request_from_json(const Json& j)
{
    if (!j.is_object()) {
        return std::nullopt;
    }
    TokenRequest r;
    r.where.issuer = util::str_at(j, "issuer");
    r.where.keycloak_url = util::str_at(j, "keycloak");
    r.where.realm = util::str_at(j, "realm");
    r.client_id = util::str_at(j, "client_id");
    auto grant = parse_login_grant(util::str_at(j, "grant"));
    if (r.where.empty() || r.client_id.empty() || !grant) {
        return std::nullopt;
    }
    r.grant = *grant;
    r.username = util::str_at(j, "username");
    if (j.contains("scopes") && j["scopes"].is_array()) {
        for (const auto& s : j["scopes"]) {
            if (s.is_string()) {
                r.scopes.push_back(s.get<std::string>());
            }
        }
    }
    r.client_auth_method = util::str_at(j, "client_auth");
    return r;
}

Json HistoryEntry::to_json() const
{
    Json h = Json::array();
    for (const auto& [k, v] : storable_headers(headers)) {
        h.push_back(Json::array({k, v}));
    }
    Json j{{"time", time},
           {"method", method},
           {"url", storable_url(url)},
           {"headers", h},
           {"request_size", request_size},
           {"status", status},
           {"duration_ms", duration_ms},
           {"response_size", response_size},
           {"content_type", content_type}};
    if (!error.empty()) {
        j["error"] = error;
    }
    put_body(j, "request_body", request_body);
    put_body(j, "response_body", response_body);
    if (auth) {
        j["auth"] = token_request_to_json(*auth);
    }
    if (internal) {
        j["internal"] = true;
    }
    return j;
}

std::optional<HistoryEntry> HistoryEntry::from_json(const Json& j)
{
    if (!j.is_object() || util::str_at(j, "method").empty() || util::str_at(j, "url").empty()) {
        return std::nullopt;
    }
    HistoryEntry e;
    e.time = util::str_at(j, "time");
    e.method = util::str_at(j, "method");
    e.url = util::str_at(j, "url");
    if (j.contains("headers") && j["headers"].is_array()) {
        for (const auto& h : j["headers"]) {
            if (h.is_array() && h.size() == 2 && h[0].is_string() && h[1].is_string()) {
                e.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
            }
        }
    }
    e.request_size = size_field(j, "request_size");
    e.status = static_cast<int>(util::int_at(j, "status"));
    e.error = util::str_at(j, "error");
    e.duration_ms = util::int_at(j, "duration_ms");
    e.response_size = size_field(j, "response_size");
    e.content_type = util::str_at(j, "content_type");
    e.request_body = get_body(j, "request_body");
    e.response_body = get_body(j, "response_body");
    if (j.contains("auth")) {
        e.auth = token_request_from_json(j["auth"]);
    }
    e.internal = j.contains("internal") && j["internal"] == true;
    return e;
}

FileHistory::FileHistory(std::string path)
  : m_path(std::move(path))
{
}

void FileHistory::append(const HistoryEntry& entry)
{
    util::ensure_private_dir(util::dir_name(m_path));
    util::FileLock lock(m_path + ".lock");
    util::append_private_file(m_path, entry.to_json().dump() + "\n");
    struct stat st
    {
    };
    if (::stat(m_path.c_str(), &st) != 0 || static_cast<std::size_t>(st.st_size) <= k_max_bytes) {
        return;
    }
    // Keep the newest lines that fit; the entry just written always stays.
    auto lines = util::split(util::real_fs().read(m_path).value_or(""), '\n');
    std::vector<std::string> kept;
    std::size_t total = 0;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        if (it->empty()) {
            continue;
        }
        if (!kept.empty() && total + it->size() + 1 > k_keep_bytes) {
            break;
        }
        total += it->size() + 1;
        kept.push_back(*it);
    }
    std::string text;
    for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
        text += *it + "\n";
    }
    util::write_private_file(m_path, text);
}

std::vector<HistoryEntry> FileHistory::load()
{
    std::vector<HistoryEntry> out;
    auto text = util::real_fs().read(m_path);
    if (!text) {
        return out;
    }
    for (const auto& line : util::split(*text, '\n')) {
        if (line.empty()) {
            continue;
        }
        if (auto e = HistoryEntry::from_json(Json::parse(line, nullptr, false))) {
            out.push_back(*e);
        }
    }
    return out;
}

std::string default_history_path(const util::Environment& env)
{
    std::string base = env.value("XDG_STATE_HOME");
    if (base.empty() || base.front() != '/') {
        std::string home = env.value("HOME");
        if (home.empty()) {
            throw Error("cannot place the call history: neither XDG_STATE_HOME nor HOME is set");
        }
        base = home + "/.local/state";
    }
    return base + "/kubectl-microservice/history.jsonl";
}

std::string format_history(const std::vector<HistoryEntry>& entries)
{
    std::string out;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const HistoryEntry& e = entries[i];
        std::string result = e.status != 0 ? std::to_string(e.status) : "ERR";
        out += fmt::format("{:>4}  {}  {:<6} {}  {}  {} B  {} ms\n", i + 1, e.time, e.method, storable_url(e.url),
                           result, e.response_size, e.duration_ms);
    }
    return out;
}

} // namespace kms::oidc
