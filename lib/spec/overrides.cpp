#include <spec/overrides.hpp>
#include <util/quantity.hpp>
#include <util/strings.hpp>

namespace kms::spec {

namespace {

SourcePos flag(const char* name)
{
    return SourcePos{{}, 0, 0, name};
}

// Records an error naming the flag when `value` is outside [lo, hi] (the service file's ranges).
bool in_range(int value, int lo, int hi, const char* name, Diagnostics& diags)
{
    if (value < lo || value > hi) {
        diags.error(flag(name), fmt::format("expected an integer from {} to {}, got {}", lo, hi, value));
        return false;
    }
    return true;
}

// "K=V" → pair; records an error naming the flag when there is no '='.
std::optional<std::pair<std::string, std::string>> split_kv(const std::string& text, const char* name,
                                                             Diagnostics& diags)
{
    auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
        diags.error(flag(name), fmt::format("expected KEY=VALUE, got \"{}\"", text));
        return std::nullopt;
    }
    return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

void set_kv(KeyValues& list, std::pair<std::string, std::string> kv)
{
    for (auto& existing : list) {
        if (existing.first == kv.first) {
            existing.second = kv.second;
            return;
        }
    }
    list.push_back(std::move(kv));
}

} // namespace

bool Overrides::any() const
{
    return name || namespace_ || image || environment || port || min_replicas || max_replicas || cpu || memory ||
           gpu || !env.empty() || !params.empty() || !secrets.empty() || git_repo || branch || commit ||
           git_secret || script || pipeline || working_dir || health_path || service_type || no_legacy_params ||
           expose.any();
}

void apply_overrides(Service& s, const Overrides& o, Diagnostics& diags)
{
    auto mark = [&](const char* field, const char* name) { s.positions[field] = flag(name); };
    if (o.name) {
        s.name = *o.name;
        mark("name", "--name");
    }
    if (o.namespace_) {
        s.namespace_ = *o.namespace_;
    }
    if (o.image) {
        s.image = *o.image;
        mark("image", "--image");
    }
    if (o.environment) {
        s.environment = *o.environment;
        mark("environment", "--environment");
    }
    if (o.port) {
        in_range(*o.port, 1, 65535, "--port", diags);
        if (s.ports.size() > 1) {
            diags.error(flag("--port"), "the service file declares several ports; change them in the file");
        } else if (s.ports.empty()) {
            s.ports.push_back(Port{"http", *o.port, Protocol::http, {}, {}});
        } else {
            s.ports[0].port = *o.port;
        }
        mark("port", "--port");
    }
    if (o.min_replicas && in_range(*o.min_replicas, 0, 1000, "--min-replicas", diags)) {
        s.replicas.min = *o.min_replicas;
        if (!o.max_replicas && s.replicas.max < s.replicas.min && !s.positions.count("replicas.max")) {
            s.replicas.max = s.replicas.min;
        }
        mark("replicas.min", "--min-replicas");
    }
    if (o.max_replicas && in_range(*o.max_replicas, 0, 1000, "--max-replicas", diags)) {
        s.replicas.max = *o.max_replicas;
        mark("replicas.max", "--max-replicas");
    }
    for (auto [value, name, field] : {std::tuple{&o.cpu, "--cpu", "resources.cpu"},
                                      std::tuple{&o.memory, "--memory", "resources.memory"}}) {
        if (!*value) {
            continue;
        }
        if (!util::Quantity::parse(**value)) {
            diags.error(flag(name), fmt::format("\"{}\" is not a Kubernetes quantity (e.g. 500m, 2, 128Mi, 1Gi)", **value));
            continue;
        }
        (std::string_view(field) == "resources.cpu" ? s.resources.cpu : s.resources.memory) = **value;
        mark(field, name);
    }
    if (o.gpu && in_range(*o.gpu, 0, 64, "--gpu", diags)) {
        s.resources.gpu = *o.gpu;
    }
    for (const auto& e : o.env) {
        if (auto kv = split_kv(e, "--env", diags)) {
            set_kv(s.env, *kv);
        }
    }
    for (const auto& p : o.params) {
        if (auto kv = split_kv(p, "--param", diags)) {
            set_kv(s.parameters, *kv);
        }
    }
    if (o.no_legacy_params) {
        s.legacy_parameter_names = false;
    }
    for (const auto& sec : o.secrets) {
        SecretRef ref;
        ref.pos = flag("--secret");
        auto colon = sec.find(':');
        ref.name = sec.substr(0, colon);
        if (colon != std::string::npos) {
            ref.keys = util::split(sec.substr(colon + 1), ',');
        }
        s.secrets.push_back(ref);
    }
    if (o.git_repo || o.branch || o.commit || o.git_secret) {
        if (!s.git) {
            s.git = Git{};
        }
        if (o.git_repo) {
            s.git->repo = *o.git_repo;
        }
        if (o.branch) {
            s.git->branch = *o.branch;
            mark("git.branch", "--branch");
        }
        if (o.commit) {
            s.git->commit = *o.commit;
            mark("git.commit", "--commit");
        }
        if (o.git_secret) {
            s.git->secret = *o.git_secret;
            mark("git.secret", "--git-secret");
        }
        if (s.git->repo.empty()) {
            diags.error(flag(o.branch ? "--branch" : o.commit ? "--commit" : "--git-secret"),
                        "needs a repository: add --git-repo URL");
        }
    }
    if (o.script || o.pipeline) {
        s.run = Run{};
        s.run.script = o.script;
        s.run.pipeline_path = o.pipeline;
        mark(o.script ? "run.script" : "run.pipeline", o.script ? "--script" : "--pipeline");
        if (o.script && o.pipeline) {
            diags.error(flag("--pipeline"), "--script and --pipeline are mutually exclusive");
        }
    }
    if (o.working_dir) {
        s.working_dir = *o.working_dir;
        mark("workingDir", "--working-dir");
    }
    if (o.health_path) {
        Probe p;
        p.path = *o.health_path;
        s.health.liveness = p;
        s.health.readiness = p;
        mark("health", "--health-path");
        if (!util::starts_with(*o.health_path, "/")) {
            diags.error(flag("--health-path"), fmt::format("must start with '/', got \"{}\"", *o.health_path));
        }
    }
    if (o.service_type) {
        s.service_type = *o.service_type;
        mark("service.type", "--service-type");
    }
    apply_expose_flags(s, o.expose, diags);
}

} // namespace kms::spec
