// Defaults that need the user config, and the checks of `expose:` and `session:` (resolve_expose).
#include <spec/config.hpp>
#include <spec/expose.hpp>
#include <util/strings.hpp>

#include <algorithm>

namespace kms::spec {

namespace {

constexpr std::string_view k_path_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                          "-._~/%!$&'()*+,;=:@";
constexpr std::string_view k_token_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                           "!#$%&'*+-.^_`|~";

bool is_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_token(std::string_view s)
{
    return !s.empty() && s.find_first_not_of(k_token_chars) == std::string_view::npos;
}

// Why `host` is not a usable host name, or nullopt. A wildcard may only be the whole first label,
// the one form HTTPRoute hostnames, VirtualService hosts and Ingress rules all accept.
std::optional<std::string> host_problem(std::string_view host)
{
    if (host.find("://") != std::string_view::npos || host.find_first_of("/:") != std::string_view::npos) {
        return fmt::format("give only the host name, without scheme, port or path, got \"{}\"", host);
    }
    std::string_view rest = util::starts_with(host, "*.") ? host.substr(2) : host;
    if (!util::is_dns1123_subdomain(rest)) {
        return fmt::format("\"{}\" is not a valid host name: use lower-case letters, digits, '-' and '.' (RFC "
                           "1123); a wildcard is allowed only as the whole first label (*.example.com)",
                           host);
    }
    std::string_view last = rest.substr(rest.rfind('.') == std::string_view::npos ? 0 : rest.rfind('.') + 1);
    if (std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return fmt::format("\"{}\" is an IP address; routes match host names", host);
    }
    return std::nullopt;
}

// Why `path` is not a usable URL path prefix, or nullopt.
std::optional<std::string> path_problem(std::string_view path)
{
    if (path.empty() || path.front() != '/') {
        return fmt::format("must start with '/', got \"{}\"", path);
    }
    if (auto bad = path.find_first_not_of(k_path_chars); bad != std::string_view::npos) {
        return fmt::format("\"{}\" contains '{}'; use letters, digits and - . _ ~ / % ! $ & ' ( ) * + , ; = : @",
                           path, path[bad]);
    }
    for (std::size_t i = path.find('%'); i != std::string_view::npos; i = path.find('%', i + 1)) {
        if (i + 2 >= path.size() || !is_hex_digit(path[i + 1]) || !is_hex_digit(path[i + 2])) {
            return fmt::format("\"{}\" has a '%' that is not followed by two hexadecimal digits", path);
        }
    }
    if (path.find("//") != std::string_view::npos) {
        return fmt::format("\"{}\" contains '//'", path);
    }
    for (const auto& seg : util::split(path, '/')) {
        if (seg == "." || seg == "..") {
            return fmt::format("\"{}\" contains a '.' or '..' segment", path);
        }
    }
    return std::nullopt;
}

bool is_loopback_host(std::string_view host)
{
    if (host == "localhost" || host == "[::1]") {
        return true;
    }
    // 127.0.0.0/8, written as four decimal parts (not "127.0.0.1.example.com").
    auto parts = util::split(host, '.');
    auto decimal = [](const std::string& p) {
        return !p.empty() && p.size() <= 3 && p.find_first_not_of("0123456789") == std::string::npos;
    };
    return parts.size() == 4 && parts[0] == "127" && std::all_of(parts.begin(), parts.end(), decimal);
}

// Why `url` is not an absolute https URL (http only for loopback), or nullopt.
std::optional<std::string> url_problem(std::string_view url)
{
    auto bad = [&] {
        return fmt::format("must be an absolute https URL (http only for localhost, 127.0.0.1 or [::1]), got \"{}\"",
                           url);
    };
    bool https = util::starts_with(url, "https://");
    if (!https && !util::starts_with(url, "http://")) {
        return bad();
    }
    std::string_view rest = url.substr(https ? 8 : 7);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.empty() || url.find_first_of(" \t\n#@") != std::string_view::npos) {
        return bad();
    }
    std::string_view host = authority;
    if (host.front() == '[') {
        host = host.substr(0, host.find(']') + 1);
    } else {
        host = host.substr(0, host.find(':'));
    }
    if (host.empty() || (!https && !is_loopback_host(host))) {
        return bad();
    }
    return std::nullopt;
}

// A trailing '/' adds nothing to a prefix: "/api/" matches what "/api" matches.
std::string strip_trailing_slash(std::string p)
{
    while (p.size() > 1 && p.back() == '/') {
        p.pop_back();
    }
    return p;
}

std::string join_or(std::initializer_list<AuthType> types)
{
    std::vector<std::string> names;
    for (auto t : types) {
        names.emplace_back(to_string(t));
    }
    return util::join(names, " or ");
}

class Resolver
{
public:
    Resolver(Service& s, const Config& config, Diagnostics& d) : m_s(s), m_config(config), m_d(d) {}

    void run();

private:
    Service& m_s;
    const Config& m_config;
    Diagnostics& m_d;

    // Reports at the field's position; a message about a file value is prefixed with the field.
    void error(const std::string& field, const std::string& message)
    {
        SourcePos pos = m_s.pos_of(field);
        m_d.error(pos, pos.flag.empty() ? field + ": " + message : message);
    }
    // Reports a value that came from the user config.
    void config_error(const std::string& key, const std::string& message)
    {
        auto it = m_config.positions.find(key);
        SourcePos pos = it != m_config.positions.end() ? it->second : SourcePos{m_config.path, 0, 0, {}};
        m_d.error(pos, key + ": " + message);
    }
    std::string config_file() const
    {
        return m_config.path.empty() ? "the user config (~/.config/kubectl-microservice/config.yaml, or $KMS_CONFIG)"
                                     : m_config.path;
    }

    void resolve_host();
    void check_paths();
    void check_port();
    void resolve_gateway();
    void check_tls();
    void check_auth_fields();
    void check_auth_mode();
    void resolve_jwt();
    void check_envoy_gateway_limits();
    void check_session();
};

void Resolver::run()
{
    if (m_s.expose) {
        Expose& e = *m_s.expose;
        e.via = e.via.value_or(ExposeVia::gateway_api);
        resolve_host();
        check_paths();
        check_port();
        resolve_gateway();
        check_tls();
        check_auth_fields();
        check_auth_mode();
        resolve_jwt();
        check_envoy_gateway_limits();
    }
    check_session();
}

void Resolver::resolve_host()
{
    Expose& e = *m_s.expose;
    if (e.host) {
        if (auto p = host_problem(*e.host)) {
            error("expose.host", *p);
        }
        return;
    }
    if (!m_config.domain) {
        error("expose", fmt::format("no host: set expose.host (or --host), or add 'domain: example.com' to {} for "
                                    "the default {}.services.<domain>",
                                    config_file(), m_s.name));
        return;
    }
    e.host = fmt::format("{}.services.{}", m_s.name, *m_config.domain);
    if (auto p = host_problem(*e.host)) {
        config_error("domain", fmt::format("the default host {}", *p));
    }
}

void Resolver::check_paths()
{
    Expose& e = *m_s.expose;
    for (auto [value, field] : {std::pair{&e.path, "expose.path"}, std::pair{&e.rewrite, "expose.rewrite"}}) {
        if (!*value) {
            continue;
        }
        if (auto p = path_problem(**value)) {
            error(field, *p);
        } else {
            **value = strip_trailing_slash(**value);
        }
    }
    if (e.rewrite && !e.path) {
        error("expose.rewrite", "a rewrite replaces the matched path prefix: set expose.path (or --path) too");
    }
}

void Resolver::check_port()
{
    const Expose& e = *m_s.expose;
    const Port* p = exposed_port(m_s);
    std::vector<std::string> names;
    for (const auto& port : m_s.ports) {
        names.push_back(fmt::format("{} ({})", port.name, service_port_number(port)));
    }
    if (e.port && !p) {
        error("expose.port", fmt::format("no port named or numbered \"{}\"; the ports are {}", *e.port,
                                         util::join(names, ", ")));
    } else if (!p) {
        error("expose", "every port is tcp; routes need an http, grpc or websocket port");
    } else if (p->protocol == Protocol::tcp) {
        error("expose.port", fmt::format("port \"{}\" is tcp; routes need an http, grpc or websocket port", p->name));
    }
}

void Resolver::resolve_gateway()
{
    Expose& e = *m_s.expose;
    if (*e.via == ExposeVia::ingress) {
        if (e.gateway) {
            error("expose.gateway", "only for via gateway-api and istio (via ingress, the class comes from "
                                    "ingressClass in the user config)");
        }
        return;
    }
    bool from_config = !e.gateway && m_config.gateway;
    if (from_config) {
        e.gateway = m_config.gateway;
        if (*e.via == ExposeVia::istio) {
            e.gateway->section_name.reset(); // a Gateway API listener; Istio gateways have none
        }
    }
    if (!e.gateway) {
        error("expose", fmt::format("via {} needs a gateway to attach to: set expose.gateway ({{name, namespace}}) "
                                    "or add 'gateway: {{name: NAME, namespace: NAMESPACE}}' to {}",
                                    to_string(*e.via), config_file()));
        return;
    }
    auto report = [&](const std::string& message) {
        from_config ? config_error("gateway", message) : error("expose.gateway", message);
    };
    const GatewayRef& g = *e.gateway;
    if (!util::is_dns1123_subdomain(g.name)) {
        report(fmt::format("\"{}\" is not a valid gateway name", g.name));
    }
    if (g.namespace_ && !util::is_dns1123_label(*g.namespace_)) {
        report(fmt::format("\"{}\" is not a valid namespace name", *g.namespace_));
    }
    if (g.section_name && *e.via == ExposeVia::istio) {
        report("sectionName names a Gateway API listener; it is not used via istio");
    } else if (g.section_name && !util::is_dns1123_subdomain(*g.section_name)) {
        report(fmt::format("\"{}\" is not a valid listener (sectionName) name", *g.section_name));
    }
}

void Resolver::check_tls()
{
    const Expose& e = *m_s.expose;
    if (!e.tls_secret) {
        return;
    }
    if (*e.via == ExposeVia::gateway_api) {
        error("expose.tls.secret", "via gateway-api, TLS ends at the Gateway's listener: put the certificate there "
                                   "(pick the listener with gateway.sectionName), or use via: ingress");
    } else if (*e.via == ExposeVia::istio) {
        error("expose.tls.secret", "via istio, TLS ends at the Istio Gateway's server (credentialName): put the "
                                   "certificate there, or use via: ingress");
    } else if (!util::is_dns1123_subdomain(*e.tls_secret)) {
        error("expose.tls.secret", fmt::format("\"{}\" is not a valid Secret name", *e.tls_secret));
    }
}

// Each auth field belongs to some types; a field given for another type is a mistake worth naming.
void Resolver::check_auth_fields()
{
    const Auth& a = m_s.expose->auth;
    auto only = [&](bool present, const char* field, std::initializer_list<AuthType> types) {
        if (present && std::find(types.begin(), types.end(), a.type) == types.end()) {
            error(field, fmt::format("only for auth type {} (the type is {})", join_or(types), to_string(a.type)));
        }
    };
    if (a.type == AuthType::keycloak && (a.issuer || a.jwks)) {
        error(a.issuer ? "expose.auth.issuer" : "expose.auth.jwks",
              "not with auth type keycloak: the issuer and JWKS come from the user config's keycloak section "
              "(use type jwt to give them)");
    } else {
        only(a.issuer.has_value(), "expose.auth.issuer", {AuthType::jwt});
        only(a.jwks.has_value(), "expose.auth.jwks", {AuthType::jwt});
    }
    only(a.secret.has_value(), "expose.auth.secret", {AuthType::basic, AuthType::apikey});
    only(a.header.has_value(), "expose.auth.header", {AuthType::apikey});
    only(!a.audiences.empty(), "expose.auth.audiences", {AuthType::jwt, AuthType::keycloak});
    only(!a.claim_to_headers.empty(), "expose.auth.claimToHeaders", {AuthType::jwt, AuthType::keycloak});
    if ((a.type == AuthType::basic || a.type == AuthType::apikey) && !a.secret) {
        error("expose.auth", fmt::format("{} auth needs the Secret holding the {}: set expose.auth.secret (or "
                                         "--auth-secret)",
                                         to_string(a.type), a.type == AuthType::basic ? "htpasswd lines" : "keys"));
    }
    if (a.secret && !util::is_dns1123_subdomain(*a.secret)) {
        error("expose.auth.secret", fmt::format("\"{}\" is not a valid Secret name", *a.secret));
    }
    if (a.header && !is_token(*a.header)) {
        error("expose.auth.header", fmt::format("\"{}\" is not a valid HTTP header name", *a.header));
    }
    for (std::size_t i = 0; i < a.audiences.size(); ++i) {
        if (util::trim(a.audiences[i]).empty()) {
            error(fmt::format("expose.auth.audiences[{}]", i), "an audience must be a non-empty string");
        }
    }
    for (const auto& [claim, header] : a.claim_to_headers) {
        if (util::trim(claim).empty() || !is_token(header)) {
            error("expose.auth.claimToHeaders",
                  fmt::format("\"{}\" → \"{}\": give a claim name and a valid HTTP header name", claim, header));
        }
    }
}

void Resolver::check_auth_mode()
{
    const Expose& e = *m_s.expose;
    AuthType t = e.auth.type;
    bool jwt = t == AuthType::jwt || t == AuthType::keycloak;
    std::optional<std::string> problem;
    if (*e.via == ExposeVia::istio && t == AuthType::basic) {
        problem = "basic auth is not supported via istio (Istio has no built-in basic auth); use via: gateway-api or "
                  "via: ingress";
    } else if (*e.via == ExposeVia::istio && t == AuthType::apikey) {
        problem = "apikey auth is not supported via istio (Istio has no API-key check); use via: gateway-api";
    } else if (*e.via == ExposeVia::ingress && t == AuthType::apikey) {
        problem = "apikey auth is not supported via ingress (ingress-nginx has no API-key check); use via: "
                  "gateway-api";
    } else if (*e.via == ExposeVia::ingress && jwt) {
        problem = fmt::format("{} auth is not supported via ingress (ingress-nginx cannot validate JWTs); use via: "
                              "gateway-api (Envoy Gateway SecurityPolicy) or via: istio (RequestAuthentication + "
                              "AuthorizationPolicy)",
                              to_string(t));
    }
    if (problem) {
        error("expose.auth.type", *problem);
    }
}

void Resolver::resolve_jwt()
{
    Expose& e = *m_s.expose;
    Auth& a = e.auth;
    if (a.type == AuthType::keycloak) {
        const auto& kc = m_config.keycloak;
        if (!kc || kc->url.empty() || kc->realm.empty()) {
            error("expose.auth.type",
                  fmt::format("auth type keycloak takes the issuer from the user config: add 'keycloak: {{url: "
                              "https://sso.example.com, realm: REALM}}' to {}",
                              config_file()));
            return;
        }
        std::string base = kc->url;
        while (!base.empty() && base.back() == '/') {
            base.pop_back();
        }
        if (auto p = url_problem(base)) {
            config_error("keycloak.url", *p);
            return;
        }
        if (kc->realm.find_first_of("/?#% \t") != std::string::npos) {
            config_error("keycloak.realm", fmt::format("\"{}\" is not a realm name", kc->realm));
            return;
        }
        a.issuer = fmt::format("{}/realms/{}", base, kc->realm);
        a.jwks = *a.issuer + "/protocol/openid-connect/certs";
        return;
    }
    if (a.type != AuthType::jwt) {
        return;
    }
    if (!a.issuer) {
        error("expose.auth", "auth type jwt needs the token issuer: set expose.auth.issuer (or --jwt-issuer), or use "
                             "type keycloak");
    } else if (auto p = url_problem(*a.issuer)) {
        error("expose.auth.issuer", *p);
    }
    if (!a.jwks && *e.via == ExposeVia::gateway_api) {
        error("expose.auth", "via gateway-api, auth type jwt needs the JWKS URL (Envoy Gateway does not discover it): "
                             "set expose.auth.jwks (or --jwt-jwks); Keycloak's is "
                             "ISSUER/protocol/openid-connect/certs");
    } else if (a.jwks) {
        if (auto p = url_problem(*a.jwks)) {
            error("expose.auth.jwks", *p);
        }
    }
}

// Envoy Gateway's CRD bounds (api/v1alpha1/jwt_types.go): the API server would reject more at apply.
void Resolver::check_envoy_gateway_limits()
{
    const Expose& e = *m_s.expose;
    const Auth& a = e.auth;
    if (*e.via != ExposeVia::gateway_api || (a.type != AuthType::jwt && a.type != AuthType::keycloak)) {
        return;
    }
    if (a.audiences.size() > 8) {
        error("expose.auth.audiences", fmt::format("Envoy Gateway accepts at most 8 audiences, got {}",
                                                   a.audiences.size()));
    }
    for (auto [value, field] : {std::pair{&a.issuer, "expose.auth.issuer"}, std::pair{&a.jwks, "expose.auth.jwks"}}) {
        if (*value && (*value)->size() > 253) {
            std::string message = fmt::format("Envoy Gateway accepts at most 253 characters, got {}", (*value)->size());
            a.type == AuthType::keycloak ? config_error("keycloak.url", message) : error(field, message);
        }
    }
}

void Resolver::check_session()
{
    if (!m_s.session) {
        return;
    }
    const Session& se = *m_s.session;
    if (!m_s.expose) {
        m_d.warning(m_s.pos_of("session"), "session: has no effect without 'expose' (it sets how the exposure "
                                           "balances requests)");
    }
    if (!se.hash_by) {
        return;
    }
    auto h = parse_hash_by(*se.hash_by);
    if (!h) {
        error("session.hashBy",
              fmt::format("must be header:NAME, cookie:NAME or source-ip, got \"{}\"", *se.hash_by));
    } else if (h->kind != HashBy::Kind::source_ip && !is_token(h->name)) {
        error("session.hashBy", fmt::format("\"{}\" is not a valid {} name", h->name,
                                            h->kind == HashBy::Kind::header ? "header" : "cookie"));
    } else if (h->kind == HashBy::Kind::cookie && m_s.expose && *m_s.expose->via == ExposeVia::ingress &&
               h->name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                   std::string::npos) {
        // ingress-nginx hashes on the nginx variable $cookie_<name>, which only takes [A-Za-z0-9_].
        error("session.hashBy", fmt::format("via ingress, a cookie name may hold only letters, digits and '_' "
                                            "(nginx's $cookie_{}), got \"{}\"",
                                            h->name, h->name));
    }
}

} // namespace

void resolve_expose(Service& s, const Config& config, Diagnostics& diags)
{
    Resolver(s, config, diags).run();
}

} // namespace kms::spec
