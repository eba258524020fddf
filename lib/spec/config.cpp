#include <spec/config.hpp>
#include <spec/parse.hpp>
#include <spec/yaml_reader.hpp>

#include <cstdlib>

namespace kms::spec {

namespace {

Preset parse_preset(const YAML::Node& n, const std::string& path, YamlReader& r)
{
    static constexpr std::string_view k_keys[] = {"image", "resources", "env", "nodeSelector", "tolerations"};
    Preset p;
    if (!r.check_map(n, path, k_keys)) {
        return p;
    }
    p.image = r.str(n["image"], path + ".image");
    // The preset's resources, env, nodeSelector and tolerations read like a service file's.
    YAML::Node as_service(YAML::NodeType::Map);
    for (auto key : {"resources", "env", "nodeSelector", "tolerations"}) {
        if (n[key].IsDefined()) {
            as_service[key] = n[key];
        }
    }
    Service s = parse_service(as_service, r);
    if (n["resources"].IsDefined()) {
        if (n["resources"]["cpu"].IsDefined()) {
            p.cpu = s.resources.cpu;
        }
        if (n["resources"]["memory"].IsDefined()) {
            p.memory = s.resources.memory;
        }
        p.cpu_limit = s.resources.cpu_limit;
        p.memory_limit = s.resources.memory_limit;
        p.gpu = s.resources.gpu;
    }
    p.env = s.env;
    p.node_selector = s.node_selector;
    p.tolerations = s.tolerations;
    return p;
}

TokenProfile parse_token_profile(const YAML::Node& n, const std::string& path, YamlReader& r)
{
    static constexpr std::string_view k_keys[] = {"issuer",   "keycloak", "realm",  "clientId",
                                                  "username", "grant",    "scopes", "clientAuth"};
    TokenProfile p;
    if (!r.check_map(n, path, k_keys)) {
        return p;
    }
    auto field = [&](const char* key) { return r.str(n[key], path + "." + key).value_or(""); };
    p.issuer = field("issuer");
    p.keycloak = field("keycloak");
    p.realm = field("realm");
    p.client_id = field("clientId");
    p.username = field("username");
    p.grant = field("grant");
    p.client_auth = field("clientAuth");
    p.scopes = r.str_list(n["scopes"], path + ".scopes").value_or(std::vector<std::string>{});
    if (p.issuer.empty() == p.keycloak.empty()) {
        r.error(n, path + ": give either 'issuer' or 'keycloak' (with 'realm')");
    }
    return p;
}

} // namespace

std::string default_config_path()
{
    if (const char* p = std::getenv("KMS_CONFIG"); p != nullptr && *p != '\0') {
        return p;
    }
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x != nullptr && *x != '\0') {
        return std::string(x) + "/kubectl-microservice/config.yaml";
    }
    if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') {
        return std::string(h) + "/.config/kubectl-microservice/config.yaml";
    }
    return {};
}

Config load_config(const std::string& path, const util::Filesystem& fs)
{
    Config c;
    if (path.empty()) {
        return c;
    }
    auto text = fs.read(path);
    if (!text) {
        return c;
    }
    c.path = path;
    auto docs = load_yaml_documents(*text, path);
    if (docs.empty() || docs[0].IsNull()) {
        return c;
    }
    Diagnostics diags;
    YamlReader r(path, diags);
    const YAML::Node& d = docs[0];
    static constexpr std::string_view k_keys[] = {"domain", "gitImage", "keycloak", "gateway", "ingressClass",
                                                  "environments", "profiles"};
    if (r.check_map(d, "", k_keys)) {
        c.domain = r.str(d["domain"], "domain");
        c.git_image = r.str(d["gitImage"], "gitImage").value_or(c.git_image);
        c.ingress_class = r.str(d["ingressClass"], "ingressClass");
        for (auto key : {"domain", "gateway"}) {
            if (d[key].IsDefined()) {
                c.positions[key] = r.pos(d[key]);
            }
        }
        static constexpr std::string_view k_kc_keys[] = {"url", "realm", "clientId", "username"};
        if (d["keycloak"].IsDefined() && r.check_map(d["keycloak"], "keycloak", k_kc_keys)) {
            KeycloakConfig kc;
            kc.url = r.str(d["keycloak"]["url"], "keycloak.url").value_or("");
            kc.realm = r.str(d["keycloak"]["realm"], "keycloak.realm").value_or("");
            kc.client_id = r.str(d["keycloak"]["clientId"], "keycloak.clientId").value_or("istio");
            kc.username = r.str(d["keycloak"]["username"], "keycloak.username").value_or("");
            for (auto key : {"url", "realm"}) {
                const YAML::Node& v = d["keycloak"][key];
                c.positions[std::string("keycloak.") + key] = r.pos(v.IsDefined() ? v : d["keycloak"]);
            }
            c.keycloak = kc;
        }
        static constexpr std::string_view k_gw_keys[] = {"name", "namespace", "sectionName"};
        if (d["gateway"].IsDefined() && r.check_map(d["gateway"], "gateway", k_gw_keys)) {
            GatewayRef g;
            g.name = r.str(d["gateway"]["name"], "gateway.name").value_or("");
            g.namespace_ = r.str(d["gateway"]["namespace"], "gateway.namespace");
            g.section_name = r.str(d["gateway"]["sectionName"], "gateway.sectionName");
            if (g.name.empty()) {
                r.error(d["gateway"], "gateway: 'name' is required");
            }
            c.gateway = g;
        }
        const YAML::Node& profiles = d["profiles"];
        if (profiles.IsDefined() && r.is_map(profiles, "profiles")) {
            for (auto it = profiles.begin(); it != profiles.end(); ++it) {
                std::string name = it->first.Scalar();
                c.profiles[name] = parse_token_profile(it->second, "profiles." + name, r);
            }
        }
        const YAML::Node& envs = d["environments"];
        if (envs.IsDefined() && r.is_map(envs, "environments")) {
            for (auto it = envs.begin(); it != envs.end(); ++it) {
                std::string name = it->first.Scalar();
                c.environments[name] = parse_preset(it->second, "environments." + name, r);
            }
        }
    }
    diags.throw_if_errors();
    return c;
}

void apply_preset(Service& s, const Preset& preset)
{
    if (s.image.empty() && preset.image) {
        s.image = *preset.image;
    }
    auto set = [&](const char* field) { return s.positions.count(field) > 0; };
    if (preset.cpu && !set("resources.cpu")) {
        s.resources.cpu = *preset.cpu;
        if (!set("resources.limits.cpu")) {
            s.resources.cpu_limit = preset.cpu_limit;
        }
    }
    if (preset.memory && !set("resources.memory")) {
        s.resources.memory = *preset.memory;
        if (!set("resources.limits.memory")) {
            s.resources.memory_limit = preset.memory_limit;
        }
    }
    if (s.resources.gpu == 0) {
        s.resources.gpu = preset.gpu;
    }
    // Preset env first, the service's own values win on equal names.
    KeyValues env;
    for (const auto& kv : preset.env) {
        bool overridden = false;
        for (const auto& own : s.env) {
            overridden = overridden || own.first == kv.first;
        }
        if (!overridden) {
            env.push_back(kv);
        }
    }
    env.insert(env.end(), s.env.begin(), s.env.end());
    s.env = env;
    for (const auto& [k, v] : preset.node_selector) {
        s.node_selector.emplace(k, v);
    }
    if (s.tolerations.empty()) {
        s.tolerations = preset.tolerations;
    }
}

} // namespace kms::spec
