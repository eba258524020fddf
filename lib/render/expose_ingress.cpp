// via ingress: a networking.k8s.io/v1 Ingress for ingress-nginx, whose annotations carry what the
// Ingress API has no field for (rewrite, session affinity, basic auth, gRPC backends).
#include <render/expose.hpp>
#include <render/render.hpp>
#include <spec/expose.hpp>

#include <cctype>

namespace kms::render {

namespace {

constexpr const char* k_nginx = "nginx.ingress.kubernetes.io/";
constexpr const char* k_default_class = "nginx";

// `path` with the characters a PCRE regex would interpret escaped (paths are checked to hold only
// URL path characters, of which . ( ) * + $ are special).
std::string regex_escape(const std::string& path)
{
    std::string out;
    for (char c : path) {
        if (std::string_view(".()*+$").find(c) != std::string_view::npos) {
            out += '\\';
        }
        out += c;
    }
    return out;
}

// nginx names request headers $http_<name>, lower-cased with '-' as '_'.
std::string nginx_header_variable(const std::string& header)
{
    std::string out = "$http_";
    for (char c : header) {
        out += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

void session_annotations(const spec::Service& s, Json& ann)
{
    if (!s.session) {
        return;
    }
    if (s.session->sticky) {
        ann[std::string(k_nginx) + "affinity"] = "cookie";
        ann[std::string(k_nginx) + "session-cookie-name"] = spec::affinity_cookie_name(s);
        ann[std::string(k_nginx) + "session-cookie-max-age"] = std::to_string(s.session->max_age);
    } else if (s.session->hash_by) {
        auto h = spec::parse_hash_by(*s.session->hash_by);
        std::string variable = h->kind == spec::HashBy::Kind::header   ? nginx_header_variable(h->name)
                               : h->kind == spec::HashBy::Kind::cookie ? "$cookie_" + h->name
                                                                       : std::string("$remote_addr");
        ann[std::string(k_nginx) + "upstream-hash-by"] = variable;
    }
}

} // namespace

void render_ingress(const spec::Service& s, const spec::Config& config, std::vector<Json>& out)
{
    const spec::Expose& e = *s.expose;
    Json ann = Json::object();
    std::string path = e.path.value_or("/");
    std::string path_type = "Prefix";
    if (e.rewrite) {
        // ingress-nginx rewrites with regex captures: P(/|$)(.*) → R$1$2, so "P" → "R" and
        // "P/x" → "R/x" (with R = "/": "/$2"); the root prefix is /(.*) → R/$1.
        path_type = "ImplementationSpecific";
        const std::string& r = *e.rewrite;
        std::string target;
        if (path == "/") {
            path = "/(.*)";
            target = r == "/" ? "/$1" : r + "/$1";
        } else {
            path = regex_escape(path) + "(/|$)(.*)";
            target = r == "/" ? "/$2" : r + "$1$2";
        }
        ann[std::string(k_nginx) + "use-regex"] = "true";
        ann[std::string(k_nginx) + "rewrite-target"] = target;
    }
    session_annotations(s, ann);
    if (e.auth.type == spec::AuthType::basic) {
        // ingress-nginx reads htpasswd lines from the Secret's key "auth".
        ann[std::string(k_nginx) + "auth-type"] = "basic";
        ann[std::string(k_nginx) + "auth-secret"] = *e.auth.secret;
    }
    const spec::Port* port = spec::exposed_port(s);
    if (port != nullptr && port->protocol == spec::Protocol::grpc) {
        ann[std::string(k_nginx) + "backend-protocol"] = "GRPC";
    }
    Json o = object_head(s, "networking.k8s.io/v1", "Ingress", s.name);
    if (!ann.empty()) {
        o["metadata"]["annotations"] = ann;
    }
    Json spec = Json::object();
    spec["ingressClassName"] = config.ingress_class.value_or(k_default_class);
    if (e.tls_secret) {
        spec["tls"] = Json::array({Json{{"hosts", Json::array({*e.host})}, {"secretName", *e.tls_secret}}});
    }
    Json backend = {{"service", {{"name", s.name}, {"port", {{"number", exposed_port_number(s)}}}}}};
    Json http_path = {{"path", path}, {"pathType", path_type}, {"backend", backend}};
    spec["rules"] = Json::array({Json{{"host", *e.host}, {"http", {{"paths", Json::array({http_path})}}}}});
    o["spec"] = spec;
    out.push_back(o);
}

} // namespace kms::render
