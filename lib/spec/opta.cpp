#include <spec/opta.hpp>
#include <spec/opta_fields.hpp>
#include <spec/opta_refs.hpp>
#include <util/strings.hpp>

#include <algorithm>

namespace kms::spec {

namespace {

constexpr std::string_view k_layer_keys[] = {"name", "org_name", "environments", "providers", "modules"};
constexpr std::string_view k_environment_keys[] = {"name", "path", "variables"};

// Every field of Opta's k8s-service module (modules/aws_k8s_service/aws-k8s-service.yaml).
constexpr std::string_view k_module_keys[] = {
    "type", "name", "image", "port", "ports", "probe_port", "min_containers", "max_containers",
    "autoscaling_target_cpu_percentage", "autoscaling_target_mem_percentage", "secrets", "env_vars",
    "healthcheck_path", "healthcheck_command", "liveness_probe_command", "readiness_probe_command",
    "liveness_probe_path", "readiness_probe_path", "initial_liveness_delay", "initial_readiness_delay",
    "consistent_hash", "sticky_session", "sticky_session_max_age", "resource_request", "resource_limits",
    "public_uri", "keep_path_prefix", "additional_iam_policies", "links", "persistent_storage",
    "ingress_extra_annotations", "tolerations", "cron_jobs", "pod_annotations", "pod_labels", "timeout",
    "max_history", "commands", "args"};

// Fields a plain cluster cannot honour, and why: each set one gives one warning.
struct Unsupported
{
    std::string_view field;
    std::string_view why;
};
constexpr Unsupported k_unsupported[] = {
    {"additional_iam_policies", "cloud IAM policies are not managed on a plain cluster; give the service its "
                                "credentials in a Secret and list it under secrets"},
    {"persistent_storage", "persistent volumes (Opta's StatefulSet) are not rendered; the service runs without "
                           "them"},
    {"cron_jobs", "cron jobs are not rendered; a service here is one long-running Deployment"},
    {"ingress_extra_annotations", "ingress-nginx annotations are not carried over to the exposure objects"},
    {"pod_labels", "the service model has no extra pod labels; add them with a Kustomize patch"},
    {"pod_annotations", "the service model has no extra pod annotations; add them with a Kustomize patch"},
    {"timeout", "Helm's release timeout does not apply; use apply --wait --timeout"},
    {"max_history", "Helm's release history does not apply; rollback uses the Deployment's revisions"},
};

bool is_k8s_service(std::string_view type)
{
    return type == "k8s-service" || type == "aws-k8s-service" || type == "gcp-k8s-service" ||
           type == "azure-k8s-service" || type == "local-k8s-service";
}

struct Layer
{
    std::string name;
    OptaRefs refs;
    std::map<std::string, std::string> module_types; // every module's name → type, for links
};

void replicas(const YAML::Node& m, Service& s, YamlReader& r)
{
    auto mn = r.integer(m["min_containers"], "min_containers", 0, 1000);
    auto mx = r.integer(m["max_containers"], "max_containers", 0, 1000);
    s.replicas = Replicas{mn.value_or(1), mx.value_or(3)};
    s.positions["replicas.min"] = r.pos(m["min_containers"].IsDefined() ? m["min_containers"] : m);
    s.positions["replicas.max"] = r.pos(m["max_containers"].IsDefined() ? m["max_containers"] : m);
    s.positions["replicas"] = s.positions["replicas.min"];
    // Opta's own rules, in its words; the replicas are then made consistent so that validate()
    // does not report the same problem again.
    if (s.replicas.min > s.replicas.max) {
        r.error(m["min_containers"].IsDefined() ? m["min_containers"] : m,
                fmt::format("min_containers ({}) must not exceed max_containers ({})", s.replicas.min, s.replicas.max));
        s.replicas.max = s.replicas.min;
    } else if (s.replicas.min == 0 && s.replicas.max != 0) {
        r.error(m["min_containers"], fmt::format("min_containers may be 0 only when max_containers is 0 too (got "
                                                 "max_containers {})",
                                                 s.replicas.max));
        s.replicas.max = 0;
    }
}

Service parse_module(const YAML::Node& m, const std::string& module, const Layer& layer, YamlReader& r)
{
    Service s;
    r.check_map(m, "", k_module_keys);
    s.name = util::to_dns1123_label(module);
    s.positions["name"] = r.pos(m["name"].IsDefined() ? m["name"] : m);
    if (!layer.name.empty()) {
        s.namespace_ = util::to_dns1123_label(layer.name); // Opta's namespace is the layer's name
        s.positions["namespace"] = s.positions["name"];
    }
    auto image = r.str(m["image"], "image");
    if (!image) {
        r.error(m, "image: required (an image name, or AUTO with --image)");
    }
    s.image = image.value_or("");
    s.positions["image"] = r.pos(m["image"].IsDefined() ? m["image"] : m);
    opta_ports(m, s, r);
    replicas(m, s, r);
    s.autoscaling.cpu = r.integer(m["autoscaling_target_cpu_percentage"], "autoscaling_target_cpu_percentage", 1, 100)
                            .value_or(80);
    s.autoscaling.memory =
        r.integer(m["autoscaling_target_mem_percentage"], "autoscaling_target_mem_percentage", 1, 100).value_or(80);
    opta_secrets(m, s, r);
    s.env = r.key_values(m["env_vars"], "env_vars").value_or(KeyValues{});
    s.positions["env"] = r.pos(m["env_vars"].IsDefined() ? m["env_vars"] : m);
    opta_health(m, s, r);
    opta_session(m, s, r);
    opta_resources(m, s, r);
    opta_expose(m, s, r);
    if (auto c = r.str_list(m["commands"], "commands"); c && !c->empty()) {
        s.run.command = c;
        s.positions["run.command"] = r.pos(m["commands"]);
    }
    if (auto a = r.str_list(m["args"], "args"); a && !a->empty()) {
        s.run.args = a;
    }
    opta_tolerations(m, s, r);
    opta_links(m, layer.module_types, r);
    for (const auto& u : k_unsupported) {
        if (opta_given(m[std::string(u.field)])) {
            opta_warn(r, m[std::string(u.field)], fmt::format("{}: {}", u.field, u.why));
        }
    }
    return s;
}

// Picks the environment whose variables fill {vars.X}: --opta-env, else the first one. False
// when --opta-env names none of them.
bool choose_environment(const YAML::Node& doc, const OptaContext& ctx, Layer& layer, YamlReader& r)
{
    const YAML::Node& envs = doc["environments"];
    std::vector<std::string> names;
    if (opta_given(envs) && r.is_list(envs, "environments")) {
        for (std::size_t i = 0; i < envs.size(); ++i) {
            std::string path = fmt::format("environments[{}]", i);
            if (!r.check_map(envs[i], path, k_environment_keys)) {
                continue;
            }
            auto name = r.str(envs[i]["name"], path + ".name");
            if (!name) {
                r.error(envs[i], path + ": 'name' is required");
                continue;
            }
            names.push_back(*name);
            if ((ctx.env && *ctx.env == *name) || (!ctx.env && !layer.refs.env)) {
                layer.refs.env = *name;
                if (envs[i]["variables"].IsDefined()) {
                    layer.refs.variables.reset(envs[i]["variables"]);
                }
            }
        }
    }
    if (ctx.env && layer.refs.env != ctx.env) {
        auto hint = util::closest_match(*ctx.env, names);
        r.diags().error(SourcePos{{}, 0, 0, "--opta-env"},
                        fmt::format("{} has no environment \"{}\"{}; {}", r.file(), *ctx.env,
                                    hint ? fmt::format(" (did you mean \"{}\"?)", *hint) : std::string(),
                                    names.empty() ? std::string("it declares none")
                                                  : "it has " + util::join(names, ", ")));
        return false;
    }
    return true;
}

} // namespace

bool is_opta_file(const YAML::Node& doc)
{
    return doc.IsMap() && doc["modules"].IsDefined();
}

std::vector<Service> parse_opta(const YAML::Node& doc, YamlReader& r, const OptaContext& ctx)
{
    std::vector<Service> out;
    if (!r.check_map(doc, "", k_layer_keys)) {
        return out;
    }
    Layer layer;
    auto name = r.str(doc["name"], "name");
    if (!name || name->empty()) {
        r.error(doc, "name: required (the Opta layer's name, which is also the namespace)");
    }
    layer.name = name.value_or("");
    layer.refs.layer = layer.name;
    layer.refs.domain = ctx.domain;
    if (!choose_environment(doc, ctx, layer, r)) {
        return out; // every {vars.X} would fail too
    }
    if (opta_given(doc["providers"])) {
        opta_warn(r, doc["providers"],
                  "providers: cloud accounts are not used; the kubeconfig's cluster is the target");
    }
    const YAML::Node& modules = doc["modules"];
    if (!r.is_list(modules, "modules")) {
        return out;
    }
    for (const auto& m : modules) {
        if (m.IsMap() && m["type"].IsDefined()) {
            layer.module_types[m["name"].IsDefined() ? m["name"].Scalar() : m["type"].Scalar()] = m["type"].Scalar();
        }
    }
    std::vector<std::string> other_types;
    for (std::size_t i = 0; i < modules.size(); ++i) {
        std::string path = fmt::format("modules[{}]", i);
        YAML::Node m = modules[i];
        if (!r.is_map(m, path)) {
            continue;
        }
        auto type = r.str(m["type"], path + ".type");
        if (!type) {
            r.error(m, fmt::format("{}: 'type' is required", path));
            continue;
        }
        // Opta names a module after its type unless told otherwise.
        auto module = r.str(m["name"], path + ".name").value_or(*type);
        if (!is_k8s_service(*type)) {
            opta_warn(r, m["type"],
                      fmt::format("{}: \"{}\" ({}) is not a k8s-service module; skipped", path, module, *type));
            other_types.push_back(*type);
            continue;
        }
        layer.refs.module = module;
        resolve_opta_refs(m, "", layer.refs, r);
        out.push_back(parse_module(m, module, layer, r));
    }
    if (layer.refs.used_env && !ctx.env && doc["environments"].IsDefined() &&
        doc["environments"].IsSequence() && doc["environments"].size() > 1) {
        opta_warn(r, doc["environments"],
                  fmt::format("environments: using \"{}\", the first of {}, for {{vars.*}}; choose another with "
                              "--opta-env",
                              layer.refs.env.value_or(""), doc["environments"].size()));
    }
    if (out.empty()) {
        r.error(modules, fmt::format("modules: no k8s-service module in this Opta file{}",
                                     other_types.empty() ? std::string()
                                                         : " (it has: " + util::join(other_types, ", ") + ")"));
    }
    return out;
}

} // namespace kms::spec
