#include <http/retry.hpp>
#include <iostream>
#include <kube/client.hpp>
#include <util/duration.hpp>
#include <util/error.hpp>

namespace kms::kube {

namespace {

#if defined(__x86_64__)
constexpr const char* k_arch = "amd64";
#elif defined(__aarch64__)
constexpr const char* k_arch = "arm64";
#else
constexpr const char* k_arch = "unknown";
#endif

std::string with_query(const std::string& path, const std::string& param)
{
    return path + (path.find('?') == std::string::npos ? "?" : "&") + param;
}

bool is_success(int status)
{
    return status >= 200 && status < 300;
}

} // namespace

std::vector<std::string> parse_warning_header(std::string_view v)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    auto skip_spaces = [&] {
        while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) {
            ++i;
        }
    };
    while (i < v.size()) {
        skip_spaces();
        std::size_t code_start = i;
        while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
            ++i;
        }
        std::string_view code = v.substr(code_start, i - code_start);
        skip_spaces();
        while (i < v.size() && v[i] != ' ') {
            ++i; // the agent
        }
        skip_spaces();
        if (i >= v.size() || v[i] != '"') {
            break; // malformed: stop rather than guess
        }
        ++i;
        std::string text;
        while (i < v.size() && v[i] != '"') {
            if (v[i] == '\\' && i + 1 < v.size()) {
                ++i;
            }
            text += v[i++];
        }
        ++i;
        if (code == "299") {
            out.push_back(text);
        }
        while (i < v.size() && v[i] != ',') {
            ++i; // an optional date
        }
        ++i;
    }
    return out;
}

std::string user_agent()
{
    return fmt::format("kubectl-microservice/v{} (linux/{})", KMS_VERSION, k_arch);
}

Client::Client(RestConfig rc, ClientDeps deps)
  : m_rc(std::move(rc))
  , m_deps(std::move(deps))
{
    if (!m_deps.clock) {
        m_deps.clock = &util::real_clock();
    }
    if (!m_deps.runner) {
        m_deps.runner = &util::real_process_runner();
    }
    if (!m_deps.fs) {
        m_deps.fs = &util::real_fs();
    }
    if (!m_deps.http) {
        util::Clock* clock = m_deps.clock;
        m_deps.http = [clock](const http::ClientOptions& o) {
            return http::with_retries(http::make_client(o), http::RetryPolicy{}, *clock);
        };
    }
    if (!m_deps.warn) {
        m_deps.warn = [](const std::string& text) { std::cerr << "Warning: " << text << '\n'; };
    }
    m_creds = std::make_unique<Credentials>(m_rc, *m_deps.runner, *m_deps.clock, *m_deps.fs, m_deps.stdin_tty);
}

std::shared_ptr<http::Client> Client::transport()
{
    // Runs an exec plugin first if it supplies the client certificate.
    auto [cert, key] = m_creds->client_cert();
    std::uint64_t generation = m_creds->cert_generation();
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_http || generation != m_http_generation) {
        http::ClientOptions o;
        o.tls.verify = !m_rc.insecure;
        o.tls.ca_pem = m_rc.ca_pem;
        o.tls.server_name = m_rc.tls_server_name;
        o.tls.client_cert_pem = cert;
        o.tls.client_key_pem = key;
        o.proxy = m_rc.proxy_url;
        o.user_agent = user_agent();
        o.verbosity = m_deps.verbosity;
        m_http = std::shared_ptr<http::Client>(m_deps.http(o));
        m_http_generation = generation;
    }
    return m_http;
}

http::Request Client::build(const Call& c, std::uint64_t* generation)
{
    http::Request req;
    req.method = c.method;
    std::string path = c.path;
    if (m_rc.request_timeout.count() > 0 && !c.no_timeout) {
        // kubectl sends --request-timeout as ?timeout= and also stops waiting itself.
        path = with_query(path, "timeout=" + util::format_duration(m_rc.request_timeout));
        req.timeout = m_rc.request_timeout;
    }
    if (c.timeout.count() > 0) {
        req.timeout = c.timeout;
    }
    req.url = m_rc.server + path;
    req.headers = m_creds->headers(generation);
    req.headers.emplace_back("Accept", c.accept);
    if (!c.content_type.empty()) {
        req.headers.emplace_back("Content-Type", c.content_type);
    }
    req.body = c.body;
    req.body_is_secret = c.secret_body;
    return req;
}

bool Client::can_refresh() const
{
    return (m_rc.exec && m_rc.token.empty()) || !m_rc.token_file.empty();
}

void Client::report_warnings(const http::Response& r)
{
    for (const auto& [k, v] : r.headers) {
        if (k.size() != 7 || strncasecmp(k.c_str(), "Warning", 7) != 0) {
            continue;
        }
        for (auto& text : parse_warning_header(v)) {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (m_warned.insert(text).second) {
                m_deps.warn(text);
            }
        }
    }
}

http::Response Client::send(const Call& c)
{
    auto t = transport();
    std::uint64_t generation = 0;
    http::Response r = t->send(build(c, &generation));
    if (r.status == 401 && can_refresh()) {
        // Expired plugin credentials or a rotated token file: fetch fresh ones and try once more.
        m_creds->invalidate(generation);
        t = transport();
        r = t->send(build(c));
    }
    report_warnings(r);
    return r;
}

void Client::fail(const http::Response& r, const std::string& what) const
{
    throw Error(describe_failure(parse_status(r), what, m_rc.user_ref()));
}

Json Client::request(const Call& c, const std::string& what)
{
    http::Response r = send(c);
    if (!is_success(r.status)) {
        fail(r, what);
    }
    if (r.body.empty()) {
        return Json::object();
    }
    Json j = Json::parse(r.body, nullptr, false);
    if (j.is_discarded()) {
        throw Error(
          fmt::format("{}: the API server answered {} {} with a body that is not JSON", what, c.method, c.path));
    }
    return j;
}

Json Client::get(const std::string& path, const std::string& what)
{
    Call c;
    c.path = path;
    return request(c, what);
}

std::optional<Json> Client::get_optional(const std::string& path, const std::string& what)
{
    Call c;
    c.path = path;
    http::Response r = send(c);
    if (r.status == 404) {
        return std::nullopt;
    }
    if (!is_success(r.status)) {
        fail(r, what);
    }
    Json j = Json::parse(r.body, nullptr, false);
    if (j.is_discarded()) {
        throw Error(fmt::format("{}: the API server answered GET {} with a body that is not JSON", what, path));
    }
    return j;
}

http::Response Client::stream(const Call& c, const std::function<bool(std::string_view)>& on_line)
{
    auto t = transport();
    http::Request req = build(c);
    std::string pending;
    bool stopped = false; // the caller said stop: no more lines, not even the unfinished last one
    req.on_data = [&](std::string_view chunk) {
        pending.append(chunk);
        std::size_t start = 0;
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
            std::string_view line(pending.data() + start, nl - start);
            start = nl + 1;
            if (!line.empty() && !on_line(line)) {
                stopped = true;
                return false;
            }
        }
        pending.erase(0, start);
        return true;
    };
    http::Response r = t->send(req);
    if (is_success(r.status) && !stopped && !pending.empty()) {
        on_line(pending);
    }
    report_warnings(r);
    return r;
}

} // namespace kms::kube
