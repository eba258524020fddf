#include <spec/opta_fields.hpp>
#include <spec/parse.hpp>
#include <util/strings.hpp>

#include <algorithm>

namespace kms::spec {

namespace {

// The module types whose link injects database credentials, and the variables it injects.
struct LinkVars
{
    std::string_view type_part;
    std::vector<std::string_view> vars;
};
const std::vector<LinkVars>& link_vars()
{
    static const std::vector<LinkVars> table = {
        {"postgres", {"db_user", "db_name", "db_password", "db_host"}},
        {"mysql", {"db_user", "db_name", "db_password", "db_host"}},
        {"redis", {"cache_host", "cache_auth_token"}},
        {"documentdb", {"db_user", "db_host", "db_password"}},
        {"mongodb-atlas", {"db_password", "db_user", "mongodb_atlas_connection_string"}},
    };
    return table;
}

// The legacy `port: {http|grpc|websocket|tcp: N}`: one port named "main" on service port 80. Opta
// maps tcp to http+websocket ("use tcp for websockets").
void legacy_port(const YAML::Node& n, Service& s, YamlReader& r)
{
    static constexpr std::string_view k_kinds[] = {"http", "tcp", "grpc", "websocket"};
    if (!r.check_map(n, "port", k_kinds)) {
        return;
    }
    if (n.size() != 1) {
        std::vector<std::string> kinds;
        for (auto it = n.begin(); it != n.end(); ++it) {
            kinds.push_back(it->first.Scalar());
        }
        r.error(n, fmt::format("port: give one kind (http, tcp, grpc or websocket), got {}: {}; use 'ports' for "
                               "several ports",
                               kinds.size(), util::join(kinds, ", ")));
        return;
    }
    std::string kind = n.begin()->first.Scalar();
    auto number = r.integer(n.begin()->second, "port." + kind, 1, 65535);
    if (!number) {
        return;
    }
    Protocol proto = kind == "tcp" ? Protocol::websocket : *parse_protocol(kind);
    s.ports.push_back(Port{"main", *number, proto, 80, {}});
    s.positions["port"] = r.pos(n);
}

// The `ports` list: {name, type: http|tcp, port, service_port, protocol: grpc|websocket}. The
// service port defaults to 80 for http and to the port itself for tcp; at most one http port.
void ports_list(const YAML::Node& n, Service& s, YamlReader& r)
{
    static constexpr std::string_view k_keys[] = {"name", "type", "port", "service_port", "protocol"};
    if (!r.is_list(n, "ports")) {
        return;
    }
    int http_ports = 0;
    for (std::size_t i = 0; i < n.size(); ++i) {
        std::string path = fmt::format("ports[{}]", i);
        const YAML::Node& pn = n[i];
        if (!r.check_map(pn, path, k_keys)) {
            continue;
        }
        auto name = r.str(pn["name"], path + ".name");
        auto type = r.str(pn["type"], path + ".type");
        auto port = r.integer(pn["port"], path + ".port", 1, 65535);
        auto protocol = r.str(pn["protocol"], path + ".protocol");
        if (!name || !type || !port) {
            r.error(pn, fmt::format("{}: 'name', 'type' and 'port' are required", path));
            continue;
        }
        if (*type != "http" && *type != "tcp") {
            r.error(pn["type"], fmt::format("{}.type: must be http or tcp, got \"{}\"", path, *type));
            continue;
        }
        if (protocol && (*type != "http" || (*protocol != "grpc" && *protocol != "websocket"))) {
            r.error(pn["protocol"], fmt::format("{}.protocol: must be grpc or websocket, on a type http port", path));
            continue;
        }
        http_ports += *type == "http" ? 1 : 0;
        if (*type == "http" && http_ports > 1) {
            r.error(pn, fmt::format("{}: only one port may have type http", path));
            continue;
        }
        Protocol proto = *type == "tcp" ? Protocol::tcp : protocol ? *parse_protocol(*protocol) : Protocol::http;
        auto service_port = r.integer(pn["service_port"], path + ".service_port", 1, 65535);
        s.ports.push_back(Port{*name, *port, proto, service_port.value_or(*type == "http" ? 80 : *port), {}});
        s.positions[path] = r.pos(pn);
        s.positions[path + ".name"] = r.pos(pn["name"]);
    }
}

std::optional<std::string> probe_path(const YAML::Node& n, const std::string& field, YamlReader& r)
{
    auto p = r.str(n, field);
    if (p && !util::starts_with(*p, "/")) {
        // The kubelet prefixes the '/' itself; say so rather than fail on files Opta accepted.
        opta_warn(r, n, fmt::format("{}: \"{}\" does not start with '/'; probing \"/{}\"", field, *p, *p));
        *p = "/" + *p;
    }
    return p;
}

std::optional<std::vector<std::string>> probe_command(const YAML::Node& n, const std::string& field, YamlReader& r)
{
    auto c = r.str_list(n, field);
    return c && !c->empty() ? c : std::nullopt;
}

// What a probe checks, and the field that said so (for messages).
struct ProbeSource
{
    std::optional<std::string> path;
    std::optional<std::vector<std::string>> command;
    YAML::Node at;
};

// The healthcheck_* fields, read once: both probes fall back to them.
ProbeSource shared_probe(const YAML::Node& m, YamlReader& r)
{
    ProbeSource src{probe_path(m["healthcheck_path"], "healthcheck_path", r),
                    probe_command(m["healthcheck_command"], "healthcheck_command", r), m};
    for (const char* field : {"healthcheck_path", "healthcheck_command"}) {
        if (m[field].IsDefined()) {
            src.at.reset(m[field]); // reset, not `=`: assigning a node overwrites the one it refers to
            break;
        }
    }
    return src;
}

// One probe: `which` is liveness or readiness. Its own path/command wins over healthcheck_*.
std::optional<Probe> opta_probe(const YAML::Node& m, const std::string& which, const ProbeSource& shared,
                                const Port& port, const std::optional<std::string>& port_name, Service& s,
                                YamlReader& r)
{
    std::string path_field = which + "_probe_path";
    std::string command_field = which + "_probe_command";
    ProbeSource own{m[path_field].IsDefined() ? probe_path(m[path_field], path_field, r) : shared.path,
                    m[command_field].IsDefined() ? probe_command(m[command_field], command_field, r) : shared.command,
                    shared.at};
    for (const auto& field : {path_field, command_field}) {
        if (m[field].IsDefined()) {
            own.at.reset(m[field]);
            break;
        }
    }
    if (!own.path && !own.command) {
        return std::nullopt;
    }
    if (own.path && own.command) {
        r.error(own.at, fmt::format("{}: give a probe path or a probe command, not both", which));
    }
    s.positions["health." + which] = r.pos(own.at);
    Probe p;
    p.port = port_name;
    if (own.command) {
        p.command = own.command;
    } else if (port.protocol == Protocol::http) {
        p.path = own.path;
    } else {
        // Only a plain HTTP port answers an HTTP probe; Opta checks the others with a TCP connect.
        p.tcp = true;
    }
    std::string delay_field = "initial_" + which + "_delay";
    p.initial_delay = r.integer(m[delay_field], delay_field, 0, 3600).value_or(30);
    return p;
}

// consistent_hash holds an ingress-nginx variable; the three that have an equivalent here map to it.
std::optional<std::string> hash_by(const std::string& var)
{
    if (var == "$remote_addr" || var == "$binary_remote_addr") {
        return "source-ip";
    }
    if (util::starts_with(var, "$http_") && var.size() > 6) {
        std::string header = var.substr(6);
        std::replace(header.begin(), header.end(), '_', '-');
        return "header:" + header;
    }
    if (util::starts_with(var, "$cookie_") && var.size() > 8) {
        return "cookie:" + var.substr(8);
    }
    return std::nullopt;
}

// resource_request/resource_limits: a bare number is Opta's unit (millicores, megabytes); any
// other value is a Kubernetes quantity as written.
std::optional<std::string> opta_quantity(const YAML::Node& n, const std::string& path, const char* unit,
                                         YamlReader& r)
{
    if (n.IsDefined() && n.IsScalar() && !n.Scalar().empty() &&
        std::all_of(n.Scalar().begin(), n.Scalar().end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return n.Scalar() + unit;
    }
    return parse_quantity(n, path, r);
}

} // namespace

bool opta_given(const YAML::Node& n)
{
    return n.IsDefined() && !n.IsNull() && !((n.IsSequence() || n.IsMap()) && n.size() == 0);
}

void opta_warn(YamlReader& r, const YAML::Node& n, const std::string& message)
{
    r.diags().warning(r.pos(n), message);
}

void opta_ports(const YAML::Node& m, Service& s, YamlReader& r)
{
    if (m["port"].IsDefined() && m["ports"].IsDefined()) {
        r.error(m["ports"], "'port' and 'ports' are mutually exclusive");
    } else if (m["port"].IsDefined()) {
        legacy_port(m["port"], s, r);
    } else if (m["ports"].IsDefined()) {
        ports_list(m["ports"], s, r);
    } else {
        r.error(m, "port: required, e.g. port: {http: 8080}");
    }
}

void opta_health(const YAML::Node& m, Service& s, YamlReader& r)
{
    if (s.ports.empty()) {
        return;
    }
    auto name = r.str(m["probe_port"], "probe_port");
    const Port* port = &s.ports.front();
    if (name) {
        auto it = std::find_if(s.ports.begin(), s.ports.end(), [&](const Port& p) { return p.name == *name; });
        if (it == s.ports.end()) {
            r.error(m["probe_port"], fmt::format("probe_port: no port named \"{}\"", *name));
            return;
        }
        port = &*it;
    }
    ProbeSource shared = shared_probe(m, r);
    s.health.liveness = opta_probe(m, "liveness", shared, *port, name, s, r);
    s.health.readiness = opta_probe(m, "readiness", shared, *port, name, s, r);
}

void opta_session(const YAML::Node& m, Service& s, YamlReader& r)
{
    auto sticky = r.boolean(m["sticky_session"], "sticky_session").value_or(false);
    auto hash = r.str(m["consistent_hash"], "consistent_hash");
    if (sticky && hash) {
        r.error(m["consistent_hash"], "consistent_hash: cannot be combined with sticky_session; keep one");
        return;
    }
    if (sticky) {
        Session se;
        se.sticky = true;
        se.max_age = r.integer(m["sticky_session_max_age"], "sticky_session_max_age", 1, 31536000).value_or(86400);
        s.session = se;
    } else if (hash) {
        auto by = hash_by(*hash);
        if (!by) {
            opta_warn(r, m["consistent_hash"],
                      fmt::format("consistent_hash: \"{}\" has no equivalent here (use $remote_addr, $http_<header> "
                                  "or $cookie_<name>); requests are not hashed",
                                  *hash));
            return;
        }
        s.session = Session{false, 86400, by};
        s.positions["session.hashBy"] = r.pos(m["consistent_hash"]);
    }
}

void opta_resources(const YAML::Node& m, Service& s, YamlReader& r)
{
    static constexpr std::string_view k_keys[] = {"cpu", "memory"};
    const YAML::Node& req = m["resource_request"];
    if (req.IsDefined() && r.check_map(req, "resource_request", k_keys)) {
        s.resources.cpu = opta_quantity(req["cpu"], "resource_request.cpu", "m", r).value_or(s.resources.cpu);
        s.resources.memory =
            opta_quantity(req["memory"], "resource_request.memory", "Mi", r).value_or(s.resources.memory);
        s.positions["resources.cpu"] = r.pos(req["cpu"].IsDefined() ? req["cpu"] : req);
        s.positions["resources.memory"] = r.pos(req["memory"].IsDefined() ? req["memory"] : req);
    }
    const YAML::Node& lim = m["resource_limits"];
    if (lim.IsDefined() && r.check_map(lim, "resource_limits", k_keys)) {
        s.resources.cpu_limit = opta_quantity(lim["cpu"], "resource_limits.cpu", "m", r);
        s.resources.memory_limit = opta_quantity(lim["memory"], "resource_limits.memory", "Mi", r);
        s.positions["resources.limits.cpu"] = r.pos(lim);
        s.positions["resources.limits.memory"] = r.pos(lim);
    }
}

// public_uri "host/path", "/path" or "*…" (any host), with keep_path_prefix deciding the rewrite.
void opta_expose(const YAML::Node& m, Service& s, YamlReader& r)
{
    const YAML::Node& n = m["public_uri"];
    if (!opta_given(n)) {
        return;
    }
    std::vector<std::string> uris;
    if (n.IsScalar()) {
        uris.push_back(n.Scalar());
    } else if (auto list = r.str_list(n, "public_uri")) {
        uris = *list;
    } else {
        return;
    }
    std::string uri = uris.front();
    bool any_host = util::starts_with(uri, "/") || util::starts_with(uri, "*");
    std::string rest = util::starts_with(uri, "*") ? uri.substr(1) : uri;
    auto slash = rest.find('/');
    Expose e;
    e.via = ExposeVia::ingress; // Opta exposed services through ingress-nginx
    if (!any_host) {
        e.host = rest.substr(0, slash);
    }
    e.path = slash == std::string::npos ? "/" : rest.substr(slash);
    bool keep = r.boolean(m["keep_path_prefix"], "keep_path_prefix").value_or(false);
    if (*e.path != "/" && !keep) {
        e.rewrite = "/"; // Opta strips the prefix unless keep_path_prefix is set
    }
    // Opta routes to its http port (the first of type http, grpc and websocket included).
    auto http = std::find_if(s.ports.begin(), s.ports.end(), [](const Port& p) { return p.protocol != Protocol::tcp; });
    if (http != s.ports.end()) {
        e.port = http->name;
    }
    s.expose = e;
    s.positions["expose"] = r.pos(n);
    if (any_host) {
        opta_warn(r, n,
                  fmt::format("public_uri: \"{}\" matched every host under Opta; here it is exposed on the default "
                              "host (<name>.services.<domain>)",
                              uri));
    }
    for (std::size_t i = 1; i < uris.size(); ++i) {
        opta_warn(r, n[i], fmt::format("public_uri: only the first URI is exposed; \"{}\" is not", uris[i]));
    }
}

void opta_secrets(const YAML::Node& m, Service& s, YamlReader& r)
{
    auto keys = r.str_list(m["secrets"], "secrets");
    if (!keys || keys->empty()) {
        return;
    }
    // Opta's `secrets` are keys of the namespace's manual-secrets Secret (`opta secret update`).
    s.secrets.push_back(SecretRef{"manual-secrets", *keys, r.pos(m["secrets"])});
    opta_warn(r, m["secrets"], "secrets: read from Secret \"manual-secrets\" (Opta's store) as "
                               "HYPERPLANE_CUSTOM_SECRET_KEY_<KEY> variables and files under "
                               "/etc/hyperplane/secrets/manual-secrets/, not as plain <KEY> variables");
}

void opta_links(const YAML::Node& m, const std::map<std::string, std::string>& module_types, YamlReader& r)
{
    const YAML::Node& n = m["links"];
    if (!opta_given(n) || !r.is_list(n, "links")) {
        return;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
        const YAML::Node& link = n[i];
        std::string target = link.IsScalar() ? link.Scalar() : link.IsMap() ? link.begin()->first.Scalar() : "";
        auto type_it = module_types.find(target);
        std::string type = type_it == module_types.end() ? std::string() : type_it->second;
        // Renamed variables ({db_user: POSTGRES_USER}) are the names the service reads.
        std::vector<std::string> envs;
        YAML::Node renamed = link.IsMap() ? link.begin()->second : YAML::Node(); // a copy: it-> is a temporary
        if (renamed.IsSequence()) {
            for (const auto& item : renamed) {
                for (auto it = item.begin(); item.IsMap() && it != item.end(); ++it) {
                    envs.push_back(it->second.Scalar());
                }
            }
        }
        for (const auto& lv : link_vars()) {
            if (envs.empty() && type.find(lv.type_part) != std::string::npos) {
                for (auto v : lv.vars) {
                    envs.push_back(target + "_" + std::string(v));
                }
            }
        }
        std::string what = type.empty() ? fmt::format("\"{}\"", target) : fmt::format("\"{}\" ({})", target, type);
        if (!envs.empty()) {
            opta_warn(r, link,
                      fmt::format("links: {} is a cloud database, not created here; provide {} as a Secret and "
                                  "list it under secrets",
                                  what, util::join(envs, ", ")));
        } else {
            opta_warn(r, link,
                      fmt::format("links: {} is a cloud resource, not created here; provide its credentials as "
                                  "a Secret and list it under secrets",
                                  what));
        }
    }
}

void opta_tolerations(const YAML::Node& m, Service& s, YamlReader& r)
{
    static constexpr std::string_view k_keys[] = {"key", "value", "effect"};
    const YAML::Node& n = m["tolerations"];
    if (!opta_given(n) || !r.is_list(n, "tolerations")) {
        return;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
        std::string path = fmt::format("tolerations[{}]", i);
        if (!r.check_map(n[i], path, k_keys)) {
            continue;
        }
        auto key = r.str(n[i]["key"], path + ".key");
        if (!key) {
            r.error(n[i], path + ": 'key' is required");
            continue;
        }
        // Opta's defaults: value "opta", effect NoSchedule.
        Toleration t{*key, "Equal", r.str(n[i]["value"], path + ".value").value_or("opta"),
                     r.str(n[i]["effect"], path + ".effect").value_or("NoSchedule")};
        if (*t.effect != "NoSchedule" && *t.effect != "PreferNoSchedule" && *t.effect != "NoExecute") {
            r.error(n[i]["effect"], fmt::format("{}.effect: must be NoSchedule, PreferNoSchedule or NoExecute, got "
                                                "\"{}\"",
                                                path, *t.effect));
        }
        s.tolerations.push_back(t);
    }
}

} // namespace kms::spec
