#include <spec/fields.hpp>
#include <spec/expose.hpp>
#include <util/strings.hpp>

namespace kms::spec {

namespace {

constexpr std::string_view k_via_names[] = {"gateway-api", "istio", "ingress"};
constexpr std::string_view k_auth_names[] = {"none", "basic", "apikey", "jwt", "keycloak"};

SourcePos flag(const char* name)
{
    return SourcePos{{}, 0, 0, name};
}

void record(Service& s, const std::string& field, const YAML::Node& n, YamlReader& r)
{
    if (n.IsDefined()) {
        s.positions[field] = r.pos(n);
    }
}

// `gateway: NAME`, `gateway: NAMESPACE/NAME` or `gateway: {name, namespace, sectionName}`.
std::optional<GatewayRef> parse_gateway(const YAML::Node& n, YamlReader& r)
{
    if (n.IsScalar()) {
        std::string text = n.Scalar();
        auto slash = text.find('/');
        if (slash == std::string::npos) {
            return GatewayRef{text, {}, {}};
        }
        return GatewayRef{text.substr(slash + 1), text.substr(0, slash), {}};
    }
    const auto k_keys = field_keys("expose.gateway");
    if (!r.check_map(n, "expose.gateway", k_keys)) {
        return std::nullopt;
    }
    GatewayRef g;
    g.name = r.str(n["name"], "expose.gateway.name").value_or("");
    g.namespace_ = r.str(n["namespace"], "expose.gateway.namespace");
    g.section_name = r.str(n["sectionName"], "expose.gateway.sectionName");
    if (!n["name"].IsDefined()) {
        r.error(n, "expose.gateway: 'name' is required");
        return std::nullopt;
    }
    return g;
}

void parse_auth(const YAML::Node& n, Service& s, YamlReader& r)
{
    Auth& a = s.expose->auth;
    record(s, "expose.auth", n, r);
    auto set_type = [&](const YAML::Node& tn, const std::string& text) {
        if (auto t = parse_auth_type(text)) {
            a.type = *t;
        } else {
            r.error(tn, fmt::format("expose.auth.type: must be one of none, basic, apikey, jwt, keycloak, got \"{}\"",
                                    text));
        }
    };
    if (n.IsScalar()) {
        set_type(n, n.Scalar()); // `auth: keycloak`
        return;
    }
    const auto k_keys = field_keys("expose.auth");
    if (!r.check_map(n, "expose.auth", k_keys)) {
        return;
    }
    if (auto type = r.str(n["type"], "expose.auth.type")) {
        set_type(n["type"], *type);
    } else if (!n["type"].IsDefined()) {
        r.error(n, "expose.auth: 'type' is required (none, basic, apikey, jwt or keycloak)");
    }
    a.secret = r.str(n["secret"], "expose.auth.secret");
    a.header = r.str(n["header"], "expose.auth.header");
    a.issuer = r.str(n["issuer"], "expose.auth.issuer");
    a.jwks = r.str(n["jwks"], "expose.auth.jwks");
    for (auto key : {"type", "secret", "header", "issuer", "jwks", "audiences", "claimToHeaders"}) {
        record(s, fmt::format("expose.auth.{}", key), n[key], r);
    }
    const YAML::Node& aud = n["audiences"];
    if (aud.IsDefined() && aud.IsScalar()) {
        a.audiences = {aud.Scalar()};
    } else if (auto list = r.str_list(aud, "expose.auth.audiences")) {
        a.audiences = *list;
        for (std::size_t i = 0; i < aud.size(); ++i) {
            record(s, fmt::format("expose.auth.audiences[{}]", i), aud[i], r);
        }
    }
    const YAML::Node& cth = n["claimToHeaders"];
    if (cth.IsDefined() && !cth.IsNull()) {
        if (!cth.IsMap()) {
            r.error(cth, fmt::format("expose.auth.claimToHeaders: expected a map of claim: header, got {}",
                                     describe(cth)));
        } else if (auto kv = r.key_values(cth, "expose.auth.claimToHeaders")) {
            a.claim_to_headers = *kv;
        }
    }
}

} // namespace

std::string_view to_string(ExposeVia v)
{
    return k_via_names[static_cast<int>(v)];
}

std::string_view to_string(AuthType t)
{
    return k_auth_names[static_cast<int>(t)];
}

std::optional<ExposeVia> parse_via(std::string_view text)
{
    for (int i = 0; i < 3; ++i) {
        if (k_via_names[i] == text) {
            return static_cast<ExposeVia>(i);
        }
    }
    return std::nullopt;
}

std::optional<AuthType> parse_auth_type(std::string_view text)
{
    for (int i = 0; i < 5; ++i) {
        if (k_auth_names[i] == text) {
            return static_cast<AuthType>(i);
        }
    }
    return std::nullopt;
}

bool ExposeFlags::any() const
{
    return host || path || rewrite || via || auth || auth_secret || auth_header || jwt_issuer || jwt_jwks ||
           !jwt_audiences.empty() || !claim_to_headers.empty() || tls_secret;
}

void parse_expose(const YAML::Node& n, Service& s, YamlReader& r)
{
    record(s, "expose", n, r);
    if (n.IsScalar() && n.Tag() != "!") {
        // `expose: true` exposes with every default; `expose: false` keeps the service internal.
        if (auto on = r.boolean(n, "expose"); on && *on) {
            s.expose = Expose{};
        }
        return;
    }
    const auto k_keys = field_keys("expose");
    if (!r.check_map(n, "expose", k_keys)) {
        return;
    }
    Expose e;
    e.host = r.str(n["host"], "expose.host");
    e.path = r.str(n["path"], "expose.path");
    e.rewrite = r.str(n["rewrite"], "expose.rewrite");
    e.port = r.str(n["port"], "expose.port");
    if (auto via = r.str(n["via"], "expose.via")) {
        e.via = parse_via(*via);
        if (!e.via) {
            r.error(n["via"], fmt::format("expose.via: must be one of gateway-api, istio, ingress, got \"{}\"", *via));
        }
    }
    if (n["gateway"].IsDefined()) {
        e.gateway = parse_gateway(n["gateway"], r);
    }
    const auto k_tls_keys = field_keys("expose.tls");
    const YAML::Node& tls = n["tls"];
    if (tls.IsDefined() && r.check_map(tls, "expose.tls", k_tls_keys)) {
        e.tls_secret = r.str(tls["secret"], "expose.tls.secret");
        if (!e.tls_secret) {
            r.error(tls, "expose.tls: 'secret' is required (the Secret holding the certificate)");
        }
        record(s, "expose.tls.secret", tls["secret"], r);
    }
    for (auto key : {"host", "path", "rewrite", "via", "port", "gateway", "tls"}) {
        record(s, fmt::format("expose.{}", key), n[key], r);
    }
    s.expose = e;
    if (n["auth"].IsDefined()) {
        parse_auth(n["auth"], s, r);
    }
}

void apply_expose_flags(Service& s, const ExposeFlags& f, Diagnostics& diags)
{
    if (!f.any()) {
        return;
    }
    if (!s.expose) {
        s.expose = Expose{};
        s.positions["expose"] = flag(f.host ? "--host" : f.auth ? "--auth" : "--via");
    }
    Expose& e = *s.expose;
    auto set = [&](std::optional<std::string>& field, const std::optional<std::string>& value, const char* path,
                   const char* name) {
        if (value) {
            field = *value;
            s.positions[path] = flag(name);
        }
    };
    set(e.host, f.host, "expose.host", "--host");
    set(e.path, f.path, "expose.path", "--path");
    set(e.rewrite, f.rewrite, "expose.rewrite", "--rewrite");
    set(e.tls_secret, f.tls_secret, "expose.tls.secret", "--tls-secret");
    if (f.via) {
        e.via = parse_via(*f.via);
        s.positions["expose.via"] = flag("--via");
        if (!e.via) {
            diags.error(flag("--via"), fmt::format("must be one of gateway-api, istio, ingress, got \"{}\"", *f.via));
        }
    }
    Auth& a = e.auth;
    if (f.auth) {
        a = Auth{};
        for (auto key : {"expose.auth", "expose.auth.type"}) {
            s.positions[key] = flag("--auth");
        }
        if (auto t = parse_auth_type(*f.auth)) {
            a.type = *t;
        } else {
            diags.error(flag("--auth"),
                        fmt::format("must be one of none, basic, apikey, jwt, keycloak, got \"{}\"", *f.auth));
        }
    }
    set(a.secret, f.auth_secret, "expose.auth.secret", "--auth-secret");
    set(a.header, f.auth_header, "expose.auth.header", "--auth-header");
    set(a.issuer, f.jwt_issuer, "expose.auth.issuer", "--jwt-issuer");
    set(a.jwks, f.jwt_jwks, "expose.auth.jwks", "--jwt-jwks");
    if (!f.jwt_audiences.empty()) {
        a.audiences = f.jwt_audiences;
        s.positions["expose.auth.audiences"] = flag("--jwt-audience");
        for (std::size_t i = 0; i < a.audiences.size(); ++i) {
            s.positions[fmt::format("expose.auth.audiences[{}]", i)] = flag("--jwt-audience");
        }
    }
    if (!f.claim_to_headers.empty()) {
        a.claim_to_headers.clear();
        s.positions["expose.auth.claimToHeaders"] = flag("--claim-to-header");
        for (const auto& item : f.claim_to_headers) {
            auto eq = item.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
                diags.error(flag("--claim-to-header"), fmt::format("expected CLAIM=HEADER, got \"{}\"", item));
                continue;
            }
            a.claim_to_headers.emplace_back(item.substr(0, eq), item.substr(eq + 1));
        }
    }
}

std::optional<HashBy> parse_hash_by(std::string_view text)
{
    if (text == "source-ip") {
        return HashBy{HashBy::Kind::source_ip, {}};
    }
    for (auto [prefix, kind] : {std::pair{std::string_view("header:"), HashBy::Kind::header},
                                std::pair{std::string_view("cookie:"), HashBy::Kind::cookie}}) {
        if (util::starts_with(text, prefix) && text.size() > prefix.size()) {
            return HashBy{kind, std::string(text.substr(prefix.size()))};
        }
    }
    return std::nullopt;
}

std::string affinity_cookie_name(const Service& s)
{
    return s.name + "-affinity";
}

int service_port_number(const Port& p)
{
    return p.service_port.value_or(p.port);
}

const Port* exposed_port(const Service& s)
{
    if (s.expose && s.expose->port) {
        for (const auto& p : s.ports) {
            if (p.name == *s.expose->port || std::to_string(service_port_number(p)) == *s.expose->port) {
                return &p;
            }
        }
        return nullptr;
    }
    for (const auto& p : s.ports) {
        if (p.protocol != Protocol::tcp) {
            return &p;
        }
    }
    return nullptr;
}

} // namespace kms::spec
