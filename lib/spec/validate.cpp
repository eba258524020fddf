#include <spec/validate.hpp>
#include <util/quantity.hpp>
#include <util/strings.hpp>

#include <set>

namespace kms::spec {

namespace {

bool is_secret_key(std::string_view k)
{
    if (k.empty() || k.size() > 253) {
        return false;
    }
    for (char c : k) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool is_hex(std::string_view s)
{
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

void check_probe(const Service& s, const std::optional<Probe>& p, const char* which, Diagnostics& d)
{
    if (!p || !p->port) {
        return;
    }
    for (const auto& port : s.ports) {
        if (port.name == *p->port) {
            return;
        }
    }
    d.error(s.pos_of(fmt::format("health.{}", which)),
            fmt::format("health.{}.port: no port named \"{}\"", which, *p->port));
}

} // namespace

bool is_relative_path(std::string_view p)
{
    if (p.empty() || p.front() == '/') {
        return false;
    }
    for (const auto& part : util::split(p, '/')) {
        if (part == "..") {
            return false;
        }
    }
    return true;
}

void validate(const Service& s, Diagnostics& d)
{
    if (!util::is_dns1123_label(s.name)) {
        d.error(s.pos_of("name"),
                fmt::format("name: \"{}\" is not a valid name: use at most 63 lower-case letters, digits and '-', "
                            "starting and ending with a letter or digit",
                            s.name));
    }
    if (s.namespace_ && !util::is_dns1123_label(*s.namespace_)) {
        d.error(s.pos_of("namespace"), fmt::format("namespace: \"{}\" is not a valid namespace name", *s.namespace_));
    }
    if (s.image.empty()) {
        d.error(s.pos_of("image"), s.environment ? fmt::format("image: environment \"{}\" supplies no image; set 'image' "
                                                               "or --image",
                                                               *s.environment)
                                                 : std::string("image: required (set 'image', --image, or an "
                                                               "'environment' preset that supplies one)"));
    } else if (s.image == "AUTO") {
        d.error(s.pos_of("image"), "image: AUTO asks Opta to create a private ECR repository, which "
                                   "kubectl-microservice cannot do; pass --image with the image you pushed");
    } else if (s.image.find_first_of(" \t\n") != std::string::npos) {
        d.error(s.pos_of("image"), fmt::format("image: \"{}\" contains whitespace", s.image));
    }
    if (s.replicas.min > s.replicas.max) {
        d.error(s.pos_of("replicas.min"),
                fmt::format("replicas: min ({}) must not exceed max ({})", s.replicas.min, s.replicas.max));
    }
    if (s.replicas.min == 0 && s.replicas.max > 0) {
        d.error(s.pos_of("replicas"), fmt::format("replicas: min may be 0 only when max is 0 too (the service is "
                                                  "off); got max {}",
                                                  s.replicas.max));
    }
    std::set<std::string> port_names;
    std::set<int> container_ports;
    std::set<int> service_ports;
    for (std::size_t i = 0; i < s.ports.size(); ++i) {
        const Port& p = s.ports[i];
        std::string path = fmt::format("ports[{}]", i);
        SourcePos pos = s.pos_of(path).line > 0 ? s.pos_of(path) : s.pos_of("port");
        if (!util::is_dns1123_label(p.name) || p.name.size() > 15 ||
            p.name.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) {
            d.error(s.pos_of(path + ".name").line > 0 ? s.pos_of(path + ".name") : pos,
                    fmt::format("{}.name: \"{}\" is not a valid port name: at most 15 lower-case letters, digits "
                                "and '-', with at least one letter",
                                path, p.name));
        } else if (!port_names.insert(p.name).second) {
            d.error(s.pos_of(path + ".name"), fmt::format("{}.name: duplicate port name \"{}\"", path, p.name));
        }
        if (!container_ports.insert(p.port).second) {
            d.error(pos, fmt::format("{}.port: container port {} is used twice", path, p.port));
        }
        if (!service_ports.insert(p.service_port.value_or(p.port)).second) {
            d.error(pos, fmt::format("{}.servicePort: service port {} is used twice", path, p.service_port.value_or(p.port)));
        }
        if (p.node_port && s.service_type == "ClusterIP") {
            d.error(pos, fmt::format("{}.nodePort: needs service.type NodePort or LoadBalancer (it is ClusterIP)", path));
        }
    }
    if (s.service_type != "ClusterIP" && s.service_type != "NodePort" && s.service_type != "LoadBalancer") {
        d.error(s.pos_of("service.type"), fmt::format("service.type: must be ClusterIP, NodePort or LoadBalancer, got "
                                                      "\"{}\"",
                                                      s.service_type));
    }
    for (auto [field, value] : {std::pair{"resources.cpu", &s.resources.cpu},
                                std::pair{"resources.memory", &s.resources.memory}}) {
        auto req = util::Quantity::parse(*value);
        const auto& limit = std::string_view(field) == "resources.cpu" ? s.resources.cpu_limit
                                                                       : s.resources.memory_limit;
        if (req && limit) {
            auto lim = util::Quantity::parse(*limit);
            if (lim && lim->value() < req->value()) {
                d.error(s.pos_of(fmt::format("resources.limits.{}", field + 10)),
                        fmt::format("resources.limits.{}: {} is below the request {}", field + 10, *limit, *value));
            }
        }
    }
    if (s.git) {
        if (s.git->commit && (s.git->commit->size() < 7 || s.git->commit->size() > 64 || !is_hex(*s.git->commit))) {
            d.error(s.pos_of("git.commit"),
                    fmt::format("git.commit: \"{}\" is not a commit id (7 to 40 hexadecimal digits)", *s.git->commit));
        }
        if (s.git->secret && !util::is_dns1123_subdomain(*s.git->secret)) {
            d.error(s.pos_of("git.secret"), fmt::format("git.secret: \"{}\" is not a valid Secret name", *s.git->secret));
        }
    }
    if (s.working_dir && !is_relative_path(*s.working_dir)) {
        d.error(s.pos_of("workingDir"), fmt::format("workingDir: \"{}\" must be a relative path inside the repository "
                                                    "(no leading '/', no '..')",
                                                    *s.working_dir));
    }
    if (s.run.script && !is_relative_path(*s.run.script)) {
        d.error(s.pos_of("run.script"), fmt::format("run.script: \"{}\" must be a relative path inside the repository "
                                                    "(no leading '/', no '..')",
                                                    *s.run.script));
    }
    if ((s.run.script || s.run.pipeline_path || s.run.pipeline) && !s.git) {
        d.warning(s.pos_of("run"), "run: no git repository is set, so the script must already be in the image");
    }
    std::set<std::string> secret_names;
    std::set<std::string> secret_envs;
    for (const auto& ref : s.secrets) {
        if (!util::is_dns1123_subdomain(ref.name)) {
            d.error(ref.pos, fmt::format("secrets: \"{}\" is not a valid Secret name (lower-case letters, digits, '-' "
                                         "and '.'; no '_' or blanks)",
                                         ref.name));
        }
        if (!secret_names.insert(ref.name).second) {
            d.error(ref.pos, fmt::format("secrets: \"{}\" is listed twice", ref.name));
        }
        for (const auto& k : ref.keys) {
            if (!is_secret_key(k)) {
                d.error(ref.pos, fmt::format("secrets: \"{}\" is not a valid key of Secret \"{}\"", k, ref.name));
            } else if (!secret_envs.insert(util::to_env_name(k)).second) {
                d.error(ref.pos, fmt::format("secrets: key \"{}\" of Secret \"{}\" maps to "
                                             "HYPERPLANE_CUSTOM_SECRET_KEY_{}, which another key already uses",
                                             k, ref.name, util::to_env_name(k)));
            }
        }
    }
    std::set<std::string> param_envs;
    for (const auto& [k, v] : s.parameters) {
        if (k.empty()) {
            d.error(s.pos_of("parameters"), "parameters: empty parameter name");
        } else if (!param_envs.insert(util::to_env_name(k)).second) {
            d.error(s.pos_of("parameters"),
                    fmt::format("parameters: \"{}\" maps to {}, which another parameter already uses", k,
                                util::to_env_name(k)));
        }
    }
    for (const auto& [k, v] : s.env) {
        if (k.empty() || k.find('=') != std::string::npos) {
            d.error(s.pos_of("env"), fmt::format("env: \"{}\" is not a valid variable name", k));
        }
    }
    check_probe(s, s.health.liveness, "liveness", d);
    check_probe(s, s.health.readiness, "readiness", d);
}

} // namespace kms::spec
