#include <spec/fields.hpp>
#include <spec/expose.hpp>
#include <spec/parse.hpp>
#include <util/quantity.hpp>
#include <util/strings.hpp>

namespace kms::spec {

namespace {

void record(Service& s, const std::string& field, const YAML::Node& n, YamlReader& r)
{
    if (n.IsDefined()) {
        s.positions[field] = r.pos(n);
    }
}

void parse_ports(const YAML::Node& n, Service& s, YamlReader& r)
{
    if (!r.is_list(n, "ports")) {
        return;
    }
    if (n.size() == 0) {
        r.error(n, "ports: at least one port is required");
        return;
    }
    const auto k_keys = field_keys("ports");
    for (std::size_t i = 0; i < n.size(); ++i) {
        std::string path = fmt::format("ports[{}]", i);
        const YAML::Node& pn = n[i];
        if (!r.check_map(pn, path, k_keys)) {
            continue;
        }
        Port p;
        auto port = r.integer(pn["port"], path + ".port", 1, 65535);
        if (!pn["port"].IsDefined()) {
            r.error(pn, path + ": 'port' is required");
        }
        p.port = port.value_or(8787);
        if (auto proto = r.str(pn["protocol"], path + ".protocol")) {
            if (auto pr = parse_protocol(*proto)) {
                p.protocol = *pr;
            } else {
                r.error(pn["protocol"], fmt::format("{}.protocol: must be one of http, tcp, grpc, websocket, got \"{}\"",
                                                    path, *proto));
            }
        }
        p.service_port = r.integer(pn["servicePort"], path + ".servicePort", 1, 65535);
        p.node_port = r.integer(pn["nodePort"], path + ".nodePort", 30000, 32767);
        if (auto name = r.str(pn["name"], path + ".name")) {
            p.name = *name;
            s.positions[path + ".name"] = r.pos(pn["name"]);
        }
        s.positions[path] = r.pos(pn);
        s.ports.push_back(p);
    }
    for (std::size_t i = 0; i < s.ports.size(); ++i) {
        if (s.ports[i].name.empty()) {
            s.ports[i].name = default_port_name(s.ports[i], s.ports.size());
        }
    }
}

void parse_replicas(const YAML::Node& n, Service& s, YamlReader& r)
{
    if (n.IsScalar()) {
        if (auto v = r.integer(n, "replicas", 0, 1000)) {
            s.replicas = {*v, *v};
        }
        return;
    }
    const auto k_keys = field_keys("replicas");
    if (!r.check_map(n, "replicas", k_keys)) {
        return;
    }
    auto mn = r.integer(n["min"], "replicas.min", 0, 1000);
    auto mx = r.integer(n["max"], "replicas.max", 0, 1000);
    record(s, "replicas.min", n["min"], r);
    record(s, "replicas.max", n["max"], r);
    s.replicas.min = mn.value_or(mx ? std::min(1, *mx) : 1);
    s.replicas.max = mx.value_or(s.replicas.min);
}

void parse_resources(const YAML::Node& n, Service& s, YamlReader& r)
{
    const auto k_keys = field_keys("resources");
    if (!r.check_map(n, "resources", k_keys)) {
        return;
    }
    if (auto q = parse_quantity(n["cpu"], "resources.cpu", r)) {
        s.resources.cpu = *q;
    }
    if (auto q = parse_quantity(n["memory"], "resources.memory", r)) {
        s.resources.memory = *q;
    }
    if (auto g = r.integer(n["gpu"], "resources.gpu", 0, 64)) {
        s.resources.gpu = *g;
    }
    const YAML::Node& lim = n["limits"];
    const auto k_limit_keys = field_keys("resources.limits");
    if (lim.IsDefined() && r.check_map(lim, "resources.limits", k_limit_keys)) {
        s.resources.cpu_limit = parse_quantity(lim["cpu"], "resources.limits.cpu", r);
        s.resources.memory_limit = parse_quantity(lim["memory"], "resources.limits.memory", r);
        record(s, "resources.limits.cpu", lim["cpu"], r);
        record(s, "resources.limits.memory", lim["memory"], r);
    }
    record(s, "resources.cpu", n["cpu"], r);
    record(s, "resources.memory", n["memory"], r);
}

void parse_git(const YAML::Node& n, Service& s, YamlReader& r)
{
    const auto k_keys = field_keys("git");
    if (!r.check_map(n, "git", k_keys)) {
        return;
    }
    Git g;
    auto repo = r.str(n["repo"], "git.repo");
    if (!repo || repo->empty()) {
        r.error(n, "git: 'repo' is required");
    }
    g.repo = repo.value_or("");
    g.branch = r.str(n["branch"], "git.branch");
    g.commit = r.str(n["commit"], "git.commit");
    g.secret = r.str(n["secret"], "git.secret");
    record(s, "git.commit", n["commit"], r);
    record(s, "git.secret", n["secret"], r);
    record(s, "git.branch", n["branch"], r);
    s.git = g;
}

void parse_run(const YAML::Node& n, Service& s, YamlReader& r)
{
    const auto k_keys = field_keys("run");
    if (!r.check_map(n, "run", k_keys)) {
        return;
    }
    s.run.script = r.str(n["script"], "run.script");
    s.run.pipeline_path = r.str(n["pipeline"], "run.pipeline");
    s.run.command = r.str_list(n["command"], "run.command");
    if (s.run.command && s.run.command->empty()) {
        r.error(n["command"], "run.command: must not be empty (omit it to run the image's entrypoint)");
    }
    s.run.args = r.str_list(n["args"], "run.args");
    record(s, "run.script", n["script"], r);
    record(s, "run.pipeline", n["pipeline"], r);
    record(s, "run.command", n["command"], r);
    int count = (s.run.script ? 1 : 0) + (s.run.pipeline_path ? 1 : 0) + (s.run.command ? 1 : 0);
    if (count > 1) {
        r.error(n, "run: give only one of 'script', 'pipeline' and 'command'");
    }
}

void parse_secrets(const YAML::Node& n, Service& s, YamlReader& r)
{
    if (!r.is_list(n, "secrets")) {
        return;
    }
    const auto k_keys = field_keys("secrets");
    for (std::size_t i = 0; i < n.size(); ++i) {
        std::string path = fmt::format("secrets[{}]", i);
        SecretRef ref;
        ref.pos = r.pos(n[i]);
        if (n[i].IsScalar()) {
            ref.name = n[i].Scalar();
        } else if (r.check_map(n[i], path, k_keys)) {
            auto name = r.str(n[i]["name"], path + ".name");
            if (!name) {
                r.error(n[i], path + ": 'name' is required");
                continue;
            }
            ref.name = *name;
            ref.keys = r.str_list(n[i]["keys"], path + ".keys").value_or(std::vector<std::string>{});
        } else {
            continue;
        }
        s.secrets.push_back(ref);
    }
}

void parse_health(const YAML::Node& n, Service& s, YamlReader& r)
{
    const auto k_keys = field_keys("health");
    if (!r.check_map(n, "health", k_keys)) {
        return;
    }
    // Top-level probe settings apply to both probes; liveness/readiness override them.
    bool has_shared = false;
    for (auto it = n.begin(); it != n.end(); ++it) {
        std::string k = it->first.Scalar();
        has_shared = has_shared || (k != "liveness" && k != "readiness");
    }
    std::optional<Probe> base = has_shared ? parse_probe(n, "health", r) : std::nullopt;
    s.health.liveness = base;
    s.health.readiness = base;
    if (n["liveness"].IsDefined()) {
        s.health.liveness = parse_probe(n["liveness"], "health.liveness", r);
        record(s, "health.liveness", n["liveness"], r);
    }
    if (n["readiness"].IsDefined()) {
        s.health.readiness = parse_probe(n["readiness"], "health.readiness", r);
        record(s, "health.readiness", n["readiness"], r);
    }
}

void parse_session(const YAML::Node& n, Service& s, YamlReader& r)
{
    const auto k_keys = field_keys("session");
    if (!r.check_map(n, "session", k_keys)) {
        return;
    }
    Session se;
    se.sticky = r.boolean(n["sticky"], "session.sticky").value_or(false);
    se.max_age = r.integer(n["maxAge"], "session.maxAge", 1, 31536000).value_or(86400);
    se.hash_by = r.str(n["hashBy"], "session.hashBy");
    record(s, "session.hashBy", n["hashBy"], r);
    if (se.sticky && se.hash_by) {
        r.error(n, "session: 'sticky' and 'hashBy' are mutually exclusive");
    }
    s.session = se;
}

void parse_tolerations(const YAML::Node& n, Service& s, YamlReader& r)
{
    if (!r.is_list(n, "tolerations")) {
        return;
    }
    const auto k_keys = field_keys("tolerations");
    for (std::size_t i = 0; i < n.size(); ++i) {
        std::string path = fmt::format("tolerations[{}]", i);
        if (!r.check_map(n[i], path, k_keys)) {
            continue;
        }
        Toleration t;
        t.key = r.str(n[i]["key"], path + ".key").value_or("");
        t.op = r.str(n[i]["operator"], path + ".operator").value_or("Equal");
        t.value = r.str(n[i]["value"], path + ".value");
        t.effect = r.str(n[i]["effect"], path + ".effect");
        if (t.op != "Equal" && t.op != "Exists") {
            r.error(n[i]["operator"], fmt::format("{}.operator: must be Equal or Exists, got \"{}\"", path, t.op));
        } else if (t.key.empty() && t.op != "Exists") {
            // Kubernetes: an empty key matches every taint, which only operator Exists may do.
            r.error(n[i], fmt::format("{}: 'key' is required unless operator is Exists", path));
        }
        if (t.effect && *t.effect != "NoSchedule" && *t.effect != "PreferNoSchedule" && *t.effect != "NoExecute") {
            r.error(n[i]["effect"], fmt::format("{}.effect: must be NoSchedule, PreferNoSchedule or NoExecute, got \"{}\"",
                                                path, *t.effect));
        }
        s.tolerations.push_back(t);
    }
}

} // namespace

std::optional<Protocol> parse_protocol(std::string_view text)
{
    if (text == "http") {
        return Protocol::http;
    }
    if (text == "tcp") {
        return Protocol::tcp;
    }
    if (text == "grpc") {
        return Protocol::grpc;
    }
    if (text == "websocket") {
        return Protocol::websocket;
    }
    return std::nullopt;
}

std::string default_port_name(const Port& p, std::size_t port_count)
{
    std::string proto = p.protocol == Protocol::websocket ? "ws" : std::string(to_string(p.protocol));
    return port_count == 1 ? proto : fmt::format("{}-{}", proto, p.port);
}

std::optional<std::string> parse_quantity(const YAML::Node& n, std::string_view path, YamlReader& r)
{
    auto text = r.str(n, path);
    if (!text) {
        return std::nullopt;
    }
    if (!util::Quantity::parse(*text)) {
        r.error(n, fmt::format("{}: \"{}\" is not a Kubernetes quantity (e.g. 500m, 2, 128Mi, 1Gi)", path, *text));
        return std::nullopt;
    }
    return text;
}

std::optional<Probe> parse_probe(const YAML::Node& n, std::string_view path, YamlReader& r)
{
    const auto k_keys = field_keys("health.liveness");
    // The top-level `health` map was key-checked by its caller (it also allows liveness/readiness).
    if (path == "health" ? !n.IsMap() : !r.check_map(n, path, k_keys)) {
        return std::nullopt;
    }
    Probe p;
    p.path = r.str(n["path"], join_path(path, "path"));
    p.command = r.str_list(n["command"], join_path(path, "command"));
    if (p.command && p.command->empty()) {
        r.error(n["command"], fmt::format("{}.command: must not be empty", path));
    }
    p.tcp = r.boolean(n["tcp"], join_path(path, "tcp")).value_or(false);
    p.port = r.str(n["port"], join_path(path, "port"));
    p.initial_delay = r.integer(n["initialDelaySeconds"], join_path(path, "initialDelaySeconds"), 0, 3600).value_or(0);
    p.period = r.integer(n["periodSeconds"], join_path(path, "periodSeconds"), 1, 3600).value_or(10);
    p.timeout = r.integer(n["timeoutSeconds"], join_path(path, "timeoutSeconds"), 1, 3600).value_or(1);
    p.failure_threshold = r.integer(n["failureThreshold"], join_path(path, "failureThreshold"), 1, 100).value_or(3);
    int kinds = (p.path ? 1 : 0) + (p.command ? 1 : 0) + (p.tcp ? 1 : 0);
    if (kinds > 1) {
        r.error(n, fmt::format("{}: give only one of 'path', 'command' and 'tcp'", path));
    }
    if (kinds == 0) {
        r.error(n, fmt::format("{}: a probe needs 'path', 'command' or 'tcp: true'", path));
        return std::nullopt;
    }
    if (p.path && !util::starts_with(*p.path, "/")) {
        r.error(n["path"], fmt::format("{}.path: must start with '/', got \"{}\"", path, *p.path));
    }
    return p;
}

Service parse_service(const YAML::Node& doc, YamlReader& r)
{
    Service s;
    if (!r.check_map(doc, "", field_keys(""))) {
        return s;
    }
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        s.positions[it->first.Scalar()] = r.pos(it->second);
    }
    s.name = r.str(doc["name"], "name").value_or("");
    s.namespace_ = r.str(doc["namespace"], "namespace");
    s.image = r.str(doc["image"], "image").value_or("");
    s.environment = r.str(doc["environment"], "environment");
    if (doc["port"].IsDefined() && doc["ports"].IsDefined()) {
        r.error(doc["ports"], "'port' and 'ports' are mutually exclusive: use 'ports' for several ports");
    }
    if (auto port = r.integer(doc["port"], "port", 1, 65535)) {
        s.ports.push_back(Port{"http", *port, Protocol::http, {}, {}});
    }
    if (doc["ports"].IsDefined() && !doc["port"].IsDefined()) {
        parse_ports(doc["ports"], s, r);
    }
    if (doc["replicas"].IsDefined()) {
        parse_replicas(doc["replicas"], s, r);
    }
    const auto k_as_keys = field_keys("autoscaling");
    if (doc["autoscaling"].IsDefined() && r.check_map(doc["autoscaling"], "autoscaling", k_as_keys)) {
        s.autoscaling.cpu = r.integer(doc["autoscaling"]["cpu"], "autoscaling.cpu", 1, 100).value_or(80);
        s.autoscaling.memory = r.integer(doc["autoscaling"]["memory"], "autoscaling.memory", 1, 100).value_or(80);
    }
    if (doc["resources"].IsDefined()) {
        parse_resources(doc["resources"], s, r);
    }
    if (doc["git"].IsDefined()) {
        parse_git(doc["git"], s, r);
    }
    if (doc["run"].IsDefined()) {
        parse_run(doc["run"], s, r);
    }
    s.working_dir = r.str(doc["workingDir"], "workingDir");
    s.parameters = r.key_values(doc["parameters"], "parameters").value_or(KeyValues{});
    s.legacy_parameter_names = r.boolean(doc["legacyParameterNames"], "legacyParameterNames").value_or(true);
    s.env = r.key_values(doc["env"], "env").value_or(KeyValues{});
    if (doc["secrets"].IsDefined()) {
        parse_secrets(doc["secrets"], s, r);
    }
    if (doc["health"].IsDefined()) {
        parse_health(doc["health"], s, r);
    }
    if (doc["session"].IsDefined()) {
        parse_session(doc["session"], s, r);
    }
    const auto k_svc_keys = field_keys("service");
    if (doc["service"].IsDefined() && r.check_map(doc["service"], "service", k_svc_keys)) {
        s.service_type = r.str(doc["service"]["type"], "service.type").value_or("ClusterIP");
        record(s, "service.type", doc["service"]["type"], r);
    }
    if (auto ns = r.key_values(doc["nodeSelector"], "nodeSelector")) {
        s.node_selector.insert(ns->begin(), ns->end());
    }
    if (doc["tolerations"].IsDefined()) {
        parse_tolerations(doc["tolerations"], s, r);
    }
    s.service_account = r.str(doc["serviceAccount"], "serviceAccount");
    if (doc["expose"].IsDefined()) {
        parse_expose(doc["expose"], s, r);
    }
    return s;
}

} // namespace kms::spec
