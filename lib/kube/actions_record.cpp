#include <kube/actions_record.hpp>
#include <kube/object.hpp>
#include <spec/expose.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

namespace kms::actions {

namespace {

// Where a record's pipeline lives when the service came from a pipeline file itself.
constexpr const char* k_default_pipeline_path = "pipeline.yaml";

Json key_values(const spec::KeyValues& kv)
{
    Json j = Json::object();
    for (const auto& [k, v] : kv) {
        j[k] = v;
    }
    return j;
}

void put(Json& j, const char* key, const std::optional<std::string>& v)
{
    if (v) {
        j[key] = *v;
    }
}

Json probe_json(const spec::Probe& p)
{
    Json j = Json::object();
    put(j, "path", p.path);
    if (p.command) {
        j["command"] = *p.command;
    }
    if (p.tcp) {
        j["tcp"] = true;
    }
    put(j, "port", p.port);
    j["initialDelaySeconds"] = p.initial_delay;
    j["periodSeconds"] = p.period;
    j["timeoutSeconds"] = p.timeout;
    j["failureThreshold"] = p.failure_threshold;
    return j;
}

// `to_json` of each item, as a JSON list.
template<typename T, typename F>
Json list_json(const std::vector<T>& items, F to_json)
{
    Json list = Json::array();
    for (const auto& item : items) {
        list.push_back(to_json(item));
    }
    return list;
}

Json port_json(const spec::Port& p)
{
    Json j = Json::object();
    j["name"] = p.name;
    j["port"] = p.port;
    j["protocol"] = std::string(spec::to_string(p.protocol));
    if (p.service_port) {
        j["servicePort"] = *p.service_port;
    }
    if (p.node_port) {
        j["nodePort"] = *p.node_port;
    }
    return j;
}

Json resources_json(const spec::Resources& r)
{
    Json j = Json::object();
    j["cpu"] = r.cpu;
    j["memory"] = r.memory;
    if (r.gpu > 0) {
        j["gpu"] = r.gpu;
    }
    if (r.cpu_limit || r.memory_limit) {
        Json lim = Json::object();
        put(lim, "cpu", r.cpu_limit);
        put(lim, "memory", r.memory_limit);
        j["limits"] = lim;
    }
    return j;
}

Json run_json(const spec::Run& r)
{
    Json j = Json::object();
    put(j, "script", r.script);
    if (r.pipeline) {
        j["pipeline"] = r.pipeline_path.value_or(k_default_pipeline_path);
    }
    if (r.command) {
        j["command"] = *r.command;
    }
    if (r.args) {
        j["args"] = *r.args;
    }
    return j;
}

// Keycloak auth is recorded as written (its issuer and JWKS come from the Keycloak section the
// record carries, see record_text), so it renders exactly as before.
Json auth_json(const spec::Auth& a)
{
    Json j = Json::object();
    j["type"] = std::string(spec::to_string(a.type));
    put(j, "secret", a.secret);
    put(j, "header", a.header);
    if (a.type != spec::AuthType::keycloak) {
        put(j, "issuer", a.issuer);
        put(j, "jwks", a.jwks);
    }
    if (!a.audiences.empty()) {
        j["audiences"] = a.audiences;
    }
    if (!a.claim_to_headers.empty()) {
        j["claimToHeaders"] = key_values(a.claim_to_headers);
    }
    return j;
}

// The Keycloak server a keycloak-auth service was applied with: "{url}/realms/{realm}" split up.
std::optional<Json> keycloak_of(const spec::Service& s)
{
    if (!s.expose || s.expose->auth.type != spec::AuthType::keycloak || !s.expose->auth.issuer) {
        return std::nullopt;
    }
    const std::string& issuer = *s.expose->auth.issuer;
    auto at = issuer.rfind("/realms/");
    if (at == std::string::npos) {
        return std::nullopt;
    }
    return Json{{"url", issuer.substr(0, at)}, {"realm", issuer.substr(at + 8)}};
}

Json expose_json(const spec::Expose& e)
{
    Json j = Json::object();
    put(j, "host", e.host);
    put(j, "path", e.path);
    put(j, "rewrite", e.rewrite);
    if (e.via) {
        j["via"] = std::string(spec::to_string(*e.via));
    }
    put(j, "port", e.port);
    if (e.gateway) {
        Json g = Json::object();
        g["name"] = e.gateway->name;
        put(g, "namespace", e.gateway->namespace_);
        put(g, "sectionName", e.gateway->section_name);
        j["gateway"] = g;
    }
    if (e.tls_secret) {
        j["tls"] = Json{{"secret", *e.tls_secret}};
    }
    if (e.auth.type != spec::AuthType::none) {
        j["auth"] = auth_json(e.auth);
    }
    return j;
}

Json pipeline_json(const spec::Pipeline& p)
{
    static const std::map<std::string, const char*> k_path_keys = {
        {"bash", "bash_script_path"}, {"python", "py_path"}, {"js", "js_path"}, {"notebook", "notebook_path"}};
    Json tasks = Json::array();
    for (const auto& t : p.tasks) {
        Json j = Json::object();
        j["name"] = t.name;
        j["type"] = t.type;
        auto key = k_path_keys.find(t.type);
        j[key != k_path_keys.end() ? key->second : "bash_script_path"] = t.path;
        put(j, "notebook_output_path", t.notebook_output_path);
        put(j, "working_dir", t.working_dir);
        if (t.depends_on) {
            j["depends_on"] = *t.depends_on;
        }
        tasks.push_back(j);
    }
    Json body = Json::object();
    body["name"] = p.name;
    put(body, "working_dir", p.working_dir);
    put(body, "requirements", p.requirements);
    body["tasks"] = tasks;
    return Json{{"pipeline", body}};
}

Json toleration_json(const spec::Toleration& t)
{
    Json j = Json::object();
    j["key"] = t.key;
    j["operator"] = t.op;
    put(j, "value", t.value);
    put(j, "effect", t.effect);
    return j;
}

Json git_json(const spec::Git& g)
{
    Json j = Json::object();
    j["repo"] = without_password(g.repo);
    put(j, "branch", g.branch);
    put(j, "commit", g.commit);
    put(j, "secret", g.secret);
    return j;
}

Json secret_json(const spec::SecretRef& ref)
{
    Json j = Json::object();
    j["name"] = ref.name;
    if (!ref.keys.empty()) {
        j["keys"] = ref.keys;
    }
    return j;
}

Json health_json(const spec::Health& h)
{
    Json j = Json::object();
    if (h.liveness) {
        j["liveness"] = probe_json(*h.liveness);
    }
    if (h.readiness) {
        j["readiness"] = probe_json(*h.readiness);
    }
    return j;
}

Json parse_record(const std::string& text, const std::string& origin)
{
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("service") || !j["service"].is_object()) {
        throw Error(fmt::format("{}: the recorded service description ({}) is not readable; re-apply the service "
                                "from its file",
                                origin, k_source_annotation));
    }
    if (util::str_at(j, "record") != k_record_version) {
        throw Error(fmt::format("{}: the recorded service description has format \"{}\", this version reads \"{}\"",
                                origin, util::str_at(j, "record"), k_record_version));
    }
    return j;
}

} // namespace

std::string without_password(const std::string& url)
{
    auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url; // scp-like ssh ("git@host:org/repo") or a path: no password possible
    }
    auto start = scheme + 3;
    auto end = url.find_first_of("/?#", start);
    auto at = url.rfind('@', end == std::string::npos ? url.size() : end);
    if (at == std::string::npos || at < start) {
        return url;
    }
    auto colon = url.find(':', start);
    if (colon == std::string::npos || colon > at) {
        return url;
    }
    return url.substr(0, colon) + url.substr(at);
}

Json describe_service(const spec::Service& s)
{
    Json j = Json::object();
    j["name"] = s.name;
    put(j, "namespace", s.namespace_);
    j["image"] = s.image;
    j["ports"] = list_json(s.ports, port_json);
    j["replicas"] = Json{{"min", s.replicas.min}, {"max", s.replicas.max}};
    j["autoscaling"] = Json{{"cpu", s.autoscaling.cpu}, {"memory", s.autoscaling.memory}};
    j["resources"] = resources_json(s.resources);
    if (s.git) {
        j["git"] = git_json(*s.git);
    }
    Json run = run_json(s.run);
    if (!run.empty()) {
        j["run"] = run;
    }
    put(j, "workingDir", s.working_dir);
    if (!s.parameters.empty()) {
        j["parameters"] = key_values(s.parameters);
    }
    j["legacyParameterNames"] = s.legacy_parameter_names;
    if (!s.env.empty()) {
        j["env"] = key_values(s.env);
    }
    if (!s.secrets.empty()) {
        j["secrets"] = list_json(s.secrets, secret_json);
    }
    Json health = health_json(s.health);
    if (!health.empty()) {
        j["health"] = health;
    }
    if (s.session) {
        Json se = Json::object();
        se["sticky"] = s.session->sticky;
        se["maxAge"] = s.session->max_age;
        put(se, "hashBy", s.session->hash_by);
        j["session"] = se;
    }
    j["service"] = Json{{"type", s.service_type}};
    if (!s.node_selector.empty()) {
        j["nodeSelector"] = Json(s.node_selector);
    }
    if (!s.tolerations.empty()) {
        j["tolerations"] = list_json(s.tolerations, toleration_json);
    }
    put(j, "serviceAccount", s.service_account);
    if (s.expose) {
        j["expose"] = expose_json(*s.expose);
    }
    return j;
}

bool follows_branch(const spec::Service& s)
{
    return s.git.has_value() && s.positions.count("git.commit") == 0;
}

std::string record_text(const spec::Service& s, bool follow)
{
    Json r = Json::object();
    r["record"] = k_record_version;
    r["follow"] = follow;
    r["service"] = describe_service(s);
    if (auto kc = keycloak_of(s)) {
        r["keycloak"] = *kc;
    }
    if (s.run.pipeline) {
        r["pipeline"] = pipeline_json(*s.run.pipeline);
    }
    return r.dump();
}

void record_on(std::vector<Json>& objects, const spec::Service& s, std::optional<bool> follow)
{
    std::string text = record_text(s, follow.value_or(follows_branch(s)));
    for (auto& o : objects) {
        if (o.value("kind", "") != "Deployment" || o.value("apiVersion", "") != "apps/v1") {
            continue;
        }
        if (!o.contains("metadata") || o["metadata"].value("name", "") != s.name) {
            continue;
        }
        o["metadata"]["annotations"][k_source_annotation] = text;
    }
}

std::optional<std::string> recorded_text(const Json& object)
{
    const Json& ann = kube::annotations_of(object);
    if (!ann.contains(k_source_annotation) || !ann[k_source_annotation].is_string()) {
        return std::nullopt;
    }
    return ann[k_source_annotation].get<std::string>();
}

Recorded load_record(const Reload& r, const spec::Config& config)
{
    Json rec = parse_record(r.text, r.origin);
    Json service = rec["service"];
    if (r.remove_expose) {
        service.erase("expose");
    } else if (r.add_expose && !service.contains("expose")) {
        service["expose"] = true;
    }
    // The recorded gateway was resolved for the recorded `via`; another one resolves its own.
    if (r.overrides.expose.via && service.contains("expose") && service["expose"].is_object() &&
        util::str_at(service["expose"], "via", "gateway-api") != *r.overrides.expose.via) {
        service["expose"].erase("gateway");
    }
    // The record is served as files of a virtual directory, so the loader (and its messages) work
    // exactly as for a service file next to its pipeline file.
    util::MemoryFs fs;
    std::string dir = fmt::format("<recorded {}>", util::str_at(service, "name", "service"));
    std::string file = dir + "/service.yaml";
    fs.files[file] = service.dump(2);
    const Json& run = util::object_at(service, "run");
    if (rec.contains("pipeline") && run.contains("pipeline")) {
        fs.files[dir + "/" + util::str_at(run, "pipeline", k_default_pipeline_path)] = rec["pipeline"].dump(2);
    }
    // The Keycloak server the service was applied with wins over today's user config: the record
    // rebuilds what runs.
    spec::Config cfg = config;
    if (rec.contains("keycloak") && rec["keycloak"].is_object()) {
        spec::KeycloakConfig kc = cfg.keycloak.value_or(spec::KeycloakConfig{});
        kc.url = util::str_at(rec["keycloak"], "url");
        kc.realm = util::str_at(rec["keycloak"], "realm");
        cfg.keycloak = kc;
    }
    spec::LoadInput in;
    in.files = {file};
    in.cwd = dir;
    in.overrides = r.overrides;
    if (!r.namespace_.empty() && !in.overrides.namespace_) {
        in.overrides.namespace_ = r.namespace_;
    }
    spec::Loaded loaded = spec::load_services(in, cfg, fs);
    if (loaded.services.size() != 1) {
        throw Error(fmt::format("{}: the recorded service description holds {} services, not one", r.origin,
                                loaded.services.size()));
    }
    Recorded out;
    out.service = std::move(loaded.services.front());
    out.follow = util::bool_at(rec, "follow");
    out.warnings = std::move(loaded.warnings);
    return out;
}

} // namespace kms::actions
