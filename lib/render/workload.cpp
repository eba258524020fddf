#include <render/pipeline.hpp>
#include <render/render.hpp>
#include <util/quantity.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>
#include <util/templates.hpp>

namespace kms::render {

namespace {

constexpr const char* k_workspace = "/workspace";
constexpr const char* k_repo_dir = "/workspace/repo";
constexpr const char* k_secret_root = "/etc/hyperplane/secrets/";

// Volume names are DNS-1123 labels, Secret names subdomains (dots, up to 253 characters): a name
// that does not fit gets a hash of itself, so "a.b" and "a-b" do not share one volume name.
std::string secret_volume_name(const std::string& secret)
{
    std::string plain = "secret-" + secret;
    if (util::is_dns1123_label(plain)) {
        return plain;
    }
    std::string label = util::to_dns1123_label(plain).substr(0, 54);
    while (!label.empty() && label.back() == '-') {
        label.pop_back();
    }
    return label + "-" + util::sha256_hex(secret).substr(0, 8);
}

const spec::Port& probe_port(const spec::Service& s, const spec::Probe& p)
{
    if (p.port) {
        for (const auto& port : s.ports) {
            if (port.name == *p.port) {
                return port;
            }
        }
    }
    return s.ports.front();
}

Json probe(const spec::Service& s, const spec::Probe& p)
{
    Json o = Json::object();
    const spec::Port& port = probe_port(s, p);
    bool tcp_port = port.protocol == spec::Protocol::tcp || port.protocol == spec::Protocol::websocket;
    if (p.command) {
        o["exec"] = Json{{"command", *p.command}};
    } else if (p.path && !tcp_port) {
        o["httpGet"] = Json{{"path", *p.path}, {"port", port.name}};
    } else {
        // tcp and websocket ports are checked by opening a connection (Opta's rule).
        o["tcpSocket"] = Json{{"port", port.name}};
    }
    if (p.initial_delay > 0) {
        o["initialDelaySeconds"] = p.initial_delay;
    }
    o["periodSeconds"] = p.period;
    o["timeoutSeconds"] = p.timeout;
    o["failureThreshold"] = p.failure_threshold;
    return o;
}

Json resources(const spec::Service& s)
{
    const auto& r = s.resources;
    auto doubled = [](const std::string& q) { return util::Quantity::parse(q)->times(2).str(); };
    Json requests = {{"cpu", r.cpu}, {"memory", r.memory}};
    Json limits = {{"cpu", r.cpu_limit.value_or(doubled(r.cpu))}, {"memory", r.memory_limit.value_or(doubled(r.memory))}};
    if (r.gpu > 0) {
        requests["nvidia.com/gpu"] = r.gpu;
        limits["nvidia.com/gpu"] = r.gpu;
    }
    return Json{{"requests", requests}, {"limits", limits}};
}

Json env_list(const spec::Service& s, std::vector<std::string>& warnings)
{
    Json env = Json::array();
    for (const auto& [k, v] : s.parameters) {
        std::string name = util::to_env_name(k);
        env.push_back(Json{{"name", name}, {"value", v}});
        if (s.legacy_parameter_names) {
            env.push_back(Json{{"name", "HYPERPLANE_JOB_PARAMETER_" + name}, {"value", v}});
        }
    }
    for (const auto& [k, v] : s.env) {
        env.push_back(Json{{"name", k}, {"value", v}});
    }
    for (const auto& ref : s.secrets) {
        if (ref.keys.empty()) {
            warnings.push_back(fmt::format(
                "warning: {}: secret \"{}\" is listed without keys: it is mounted at {}{}, but its "
                "HYPERPLANE_CUSTOM_SECRET_KEY_* variables need the key names (apply looks them up in the cluster; "
                "for render, list them: {{name: {}, keys: [...]}})",
                s.name, ref.name, k_secret_root, ref.name, ref.name));
        }
        for (const auto& key : ref.keys) {
            env.push_back(Json{{"name", "HYPERPLANE_CUSTOM_SECRET_KEY_" + util::to_env_name(key)},
                               {"valueFrom", {{"secretKeyRef", {{"name", ref.name}, {"key", key}}}}}});
        }
    }
    return env;
}

Json git_init_container(const spec::Service& s, const spec::Config& config)
{
    Json env = Json::array();
    env.push_back(Json{{"name", "GIT_REPO"}, {"value", s.git->repo}});
    if (s.git->branch) {
        env.push_back(Json{{"name", "GIT_BRANCH"}, {"value", *s.git->branch}});
    }
    if (s.git->commit) {
        env.push_back(Json{{"name", "GIT_COMMIT"}, {"value", *s.git->commit}});
    }
    Json mounts = Json::array({Json{{"name", "workspace"}, {"mountPath", k_workspace}}});
    if (s.git->secret) {
        mounts.push_back(Json{{"name", "git-credentials"}, {"mountPath", "/etc/git-credentials"}, {"readOnly", true}});
    }
    Json c = Json::object();
    c["name"] = "git-clone";
    c["image"] = config.git_image;
    c["command"] = Json::array({"sh", "-c", std::string(templates::get("render/git-clone.sh"))});
    c["env"] = env;
    c["volumeMounts"] = mounts;
    c["resources"] = Json{{"requests", {{"cpu", "50m"}, {"memory", "64Mi"}}}, {"limits", {{"cpu", "1"}, {"memory", "512Mi"}}}};
    return c;
}

// The main container's command, args and working directory from `run`.
void set_run(Json& c, const spec::Service& s)
{
    std::string dir = s.git ? std::string(k_repo_dir) : std::string();
    if (s.working_dir) {
        dir = dir.empty() ? *s.working_dir : dir + "/" + *s.working_dir;
    }
    if (s.run.script) {
        c["command"] = Json::array({"bash", *s.run.script});
    } else if (s.run.pipeline) {
        c["command"] = Json::array({"bash", "-c", pipeline_runner(*s.run.pipeline)});
    } else if (s.run.command) {
        c["command"] = *s.run.command;
    }
    if (s.run.args) {
        c["args"] = *s.run.args;
    }
    if (!dir.empty()) {
        c["workingDir"] = dir.front() == '/' ? dir : "/" + dir;
    }
}

} // namespace

Json deployment(const spec::Service& s, const spec::Config& config, std::vector<std::string>& warnings)
{
    Json c = Json::object();
    c["name"] = s.name;
    c["image"] = s.image;
    set_run(c, s);
    Json ports = Json::array();
    for (const auto& p : s.ports) {
        ports.push_back(Json{{"name", p.name}, {"containerPort", p.port}, {"protocol", "TCP"}});
    }
    c["ports"] = ports;
    Json env = env_list(s, warnings);
    if (!env.empty()) {
        c["env"] = env;
    }
    c["resources"] = resources(s);
    if (s.health.readiness) {
        c["readinessProbe"] = probe(s, *s.health.readiness);
    }
    if (s.health.liveness) {
        c["livenessProbe"] = probe(s, *s.health.liveness);
    }
    Json mounts = Json::array();
    Json volumes = Json::array();
    if (s.git) {
        mounts.push_back(Json{{"name", "workspace"}, {"mountPath", k_workspace}});
        volumes.push_back(Json{{"name", "workspace"}, {"emptyDir", Json::object()}});
        if (s.git->secret) {
            volumes.push_back(Json{{"name", "git-credentials"},
                                   {"secret", {{"secretName", *s.git->secret}, {"defaultMode", 0400}}}});
        }
    }
    for (const auto& ref : s.secrets) {
        std::string vol = secret_volume_name(ref.name);
        mounts.push_back(Json{{"name", vol}, {"mountPath", k_secret_root + ref.name}, {"readOnly", true}});
        volumes.push_back(Json{{"name", vol}, {"secret", {{"secretName", ref.name}}}});
    }
    if (!mounts.empty()) {
        c["volumeMounts"] = mounts;
    }

    Json pod = Json::object();
    if (s.service_account) {
        pod["serviceAccountName"] = *s.service_account;
    }
    if (!s.node_selector.empty()) {
        pod["nodeSelector"] = Json(s.node_selector);
    }
    if (!s.tolerations.empty()) {
        Json tol = Json::array();
        for (const auto& t : s.tolerations) {
            Json j = Json::object();
            j["key"] = t.key;
            j["operator"] = t.op;
            if (t.value) {
                j["value"] = *t.value;
            }
            if (t.effect) {
                j["effect"] = *t.effect;
            }
            tol.push_back(j);
        }
        pod["tolerations"] = tol;
    }
    if (s.git) {
        pod["initContainers"] = Json::array({git_init_container(s, config)});
    }
    pod["containers"] = Json::array({c});
    if (!volumes.empty()) {
        pod["volumes"] = volumes;
    }

    Json annotations = Json::object();
    // A change anywhere in the pod's configuration changes this hash, so the pods roll.
    annotations[std::string(k_annotation_prefix) + "config-hash"] = util::sha256_hex(pod.dump()).substr(0, 16);
    if (s.git && s.git->commit) {
        annotations[std::string(k_annotation_prefix) + "git-commit"] = *s.git->commit;
    }
    if (s.git && s.git->branch) {
        annotations[std::string(k_annotation_prefix) + "git-branch"] = *s.git->branch;
    }

    Json o = object_head(s, "apps/v1", "Deployment", s.name);
    Json spec = Json::object();
    if (!has_hpa(s)) {
        spec["replicas"] = s.replicas.min;
    }
    spec["selector"] = Json{{"matchLabels", selector_labels(s)}};
    spec["template"] = Json{{"metadata", {{"labels", labels(s)}, {"annotations", annotations}}}, {"spec", pod}};
    o["spec"] = spec;
    return o;
}

} // namespace kms::render
