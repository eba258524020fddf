#include <filesystem>
#include <kube/kubeconfig.hpp>
#include <set>
#include <spec/yaml_reader.hpp>
#include <util/base64.hpp>
#include <util/duration.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

namespace kms::kube {

namespace {

using spec::YamlReader;

// An arbitrary YAML value as JSON (extension payloads): untagged scalars that read as a bool
// or number become one, everything else stays a string.
Json yaml_to_json(const YAML::Node& n)
{
    if (!n.IsDefined()) {
        return nullptr;
    }
    if (n.IsMap()) {
        Json o = Json::object();
        for (auto it = n.begin(); it != n.end(); ++it) {
            o[it->first.Scalar()] = yaml_to_json(it->second);
        }
        return o;
    }
    if (n.IsSequence()) {
        Json a = Json::array();
        for (const auto& item : n) {
            a.push_back(yaml_to_json(item));
        }
        return a;
    }
    if (!n.IsScalar()) {
        return nullptr;
    }
    const std::string& s = n.Scalar();
    if (n.Tag() != "!") {
        if (s == "true" || s == "false") {
            return s == "true";
        }
        Json number = Json::parse(s, nullptr, false);
        if (number.is_number()) {
            return number;
        }
    }
    return s;
}

// Reads one kubeconfig document, recording every problem in `diags`.
class Parser
{
  public:
    Parser(const std::string& path, Diagnostics& diags)
      : m_r(path, diags)
      , m_dir(absolute_dir(path))
    {
    }

    Kubeconfig parse(const YAML::Node& root)
    {
        Kubeconfig k;
        k.files.push_back(m_r.file());
        if (!root.IsDefined() || root.IsNull()) {
            return k; // an empty file is a valid, empty config
        }
        if (!m_r.is_map(root, "")) {
            return k;
        }
        k.current_context = m_r.str(root["current-context"], "current-context").value_or("");
        named_list(root["clusters"],
                   "clusters",
                   "cluster",
                   [&](const std::string& name, const YAML::Node& n, const std::string& path) {
                       k.clusters.emplace(name, cluster(n, path));
                   });
        named_list(
          root["users"], "users", "user", [&](const std::string& name, const YAML::Node& n, const std::string& path) {
              k.users.emplace(name, user(n, path));
          });
        named_list(root["contexts"],
                   "contexts",
                   "context",
                   [&](const std::string& name, const YAML::Node& n, const std::string& path) {
                       k.contexts.emplace(name, context(n, path));
                   });
        return k;
    }

  private:
    YamlReader m_r;
    std::string m_dir;

    static std::string absolute_dir(const std::string& path)
    {
        std::filesystem::path dir = std::filesystem::path(path).parent_path();
        if (dir.empty()) {
            dir = ".";
        }
        return std::filesystem::absolute(dir).lexically_normal().string();
    }

    std::string resolve(const std::string& p) const
    {
        if (p.empty() || p.front() == '/') {
            return p;
        }
        return (std::filesystem::path(m_dir) / p).lexically_normal().string();
    }

    std::string str(const YAML::Node& n, const std::string& path, const char* key)
    {
        return m_r.str(n[key], path + "." + key).value_or("");
    }

    std::string data(const YAML::Node& n, const std::string& path, const char* key)
    {
        std::string text = str(n, path, key);
        if (text.empty()) {
            return text;
        }
        auto decoded = util::base64_decode(text);
        if (!decoded) {
            m_r.error(n[key], fmt::format("{}.{}: not valid base64", path, key));
            return {};
        }
        return *decoded;
    }

    bool flag(const YAML::Node& n, const std::string& path, const char* key)
    {
        return m_r.boolean(n[key], path + "." + key).value_or(false);
    }

    template<typename F>
    void named_list(const YAML::Node& list, const char* what, const char* inner, F&& add)
    {
        if (!list.IsDefined() || list.IsNull() || !m_r.is_list(list, what)) {
            return;
        }
        std::set<std::string> seen;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const YAML::Node& item = list[i];
            std::string at = fmt::format("{}[{}]", what, i);
            if (!m_r.is_map(item, at)) {
                continue;
            }
            auto name = m_r.str(item["name"], at + ".name");
            if (!name || name->empty()) {
                m_r.error(item, at + ": name is required");
                continue;
            }
            std::string path = fmt::format("{}[\"{}\"]", what, *name);
            // client-go refuses a name twice in one file ("duplicate name … in list").
            if (!seen.insert(*name).second) {
                m_r.error(item, fmt::format("{}: duplicate name", path));
                continue;
            }
            YAML::Node body = item[inner];
            if (body.IsDefined() && !body.IsNull() && !m_r.is_map(body, path + "." + inner)) {
                continue;
            }
            add(*name, body.IsDefined() && !body.IsNull() ? body : YAML::Node(YAML::NodeType::Map), path);
        }
    }

    ClusterEntry cluster(const YAML::Node& n, const std::string& path)
    {
        ClusterEntry c;
        c.file = m_r.file();
        c.server = str(n, path, "server");
        c.tls_server_name = str(n, path, "tls-server-name");
        c.insecure_skip_tls_verify = flag(n, path, "insecure-skip-tls-verify");
        c.certificate_authority = resolve(str(n, path, "certificate-authority"));
        c.certificate_authority_data = data(n, path, "certificate-authority-data");
        c.proxy_url = str(n, path, "proxy-url");
        c.disable_compression = flag(n, path, "disable-compression");
        const YAML::Node ext = n["extensions"];
        if (ext.IsDefined() && ext.IsSequence()) {
            for (const auto& e : ext) {
                if (e.IsMap() && e["name"].IsDefined() && e["name"].IsScalar() &&
                    e["name"].Scalar() == "client.authentication.k8s.io/exec") {
                    c.exec_config = yaml_to_json(e["extension"]);
                }
            }
        }
        return c;
    }

    std::optional<ExecConfig> exec(const YAML::Node& n, const std::string& path)
    {
        if (!n.IsDefined() || n.IsNull() || !m_r.is_map(n, path)) {
            return std::nullopt;
        }
        ExecConfig e;
        e.api_version = str(n, path, "apiVersion");
        e.command = str(n, path, "command");
        if (e.command.find('/') != std::string::npos) {
            e.command = resolve(e.command); // a bare name is looked up in PATH instead
        }
        e.args = m_r.str_list(n["args"], path + ".args").value_or(std::vector<std::string>{});
        const YAML::Node env = n["env"];
        if (env.IsDefined() && !env.IsNull() && m_r.is_list(env, path + ".env")) {
            for (std::size_t i = 0; i < env.size(); ++i) {
                std::string at = fmt::format("{}.env[{}]", path, i);
                if (m_r.is_map(env[i], at)) {
                    e.env.emplace_back(str(env[i], at, "name"), str(env[i], at, "value"));
                }
            }
        }
        e.install_hint = str(n, path, "installHint");
        e.provide_cluster_info = flag(n, path, "provideClusterInfo");
        e.interactive_mode = str(n, path, "interactiveMode");
        return e;
    }

    UserEntry user(const YAML::Node& n, const std::string& path)
    {
        UserEntry u;
        u.file = m_r.file();
        u.client_certificate = resolve(str(n, path, "client-certificate"));
        u.client_certificate_data = data(n, path, "client-certificate-data");
        u.client_key = resolve(str(n, path, "client-key"));
        u.client_key_data = data(n, path, "client-key-data");
        u.token = str(n, path, "token");
        u.token_file = resolve(str(n, path, "tokenFile"));
        u.username = str(n, path, "username");
        u.password = str(n, path, "password");
        u.as = str(n, path, "as");
        u.as_uid = str(n, path, "as-uid");
        u.as_groups = m_r.str_list(n["as-groups"], path + ".as-groups").value_or(std::vector<std::string>{});
        u.exec = exec(n["exec"], path + ".exec");
        const YAML::Node ap = n["auth-provider"];
        if (ap.IsDefined() && ap.IsMap()) {
            u.auth_provider = m_r.str(ap["name"], path + ".auth-provider.name").value_or("");
        }
        return u;
    }

    ContextEntry context(const YAML::Node& n, const std::string& path)
    {
        ContextEntry c;
        c.file = m_r.file();
        c.cluster = str(n, path, "cluster");
        c.user = str(n, path, "user");
        c.namespace_ = str(n, path, "namespace");
        return c;
    }
};

template<typename Map>
void merge_map(Map& first, const Map& later)
{
    for (const auto& [name, entry] : later) {
        first.emplace(name, entry); // the first definition wins whole
    }
}

} // namespace

Kubeconfig parse_kubeconfig(const std::string& text, const std::string& path)
{
    auto docs = spec::load_yaml_documents(text, path);
    Diagnostics diags;
    Parser parser(path, diags);
    Kubeconfig k = parser.parse(docs.empty() ? YAML::Node() : docs.front());
    diags.throw_if_errors();
    return k;
}

void merge_kubeconfig(Kubeconfig& first, const Kubeconfig& later)
{
    merge_map(first.clusters, later.clusters);
    merge_map(first.users, later.users);
    merge_map(first.contexts, later.contexts);
    if (first.current_context.empty()) {
        first.current_context = later.current_context;
    }
    first.files.insert(first.files.end(), later.files.begin(), later.files.end());
    first.warnings.insert(first.warnings.end(), later.warnings.begin(), later.warnings.end());
}

std::vector<std::string> kubeconfig_paths(const ConfigOverrides& o, const util::Environment& env)
{
    if (!o.kubeconfig.empty()) {
        return { o.kubeconfig };
    }
    if (auto list = env.get("KUBECONFIG"); list && !list->empty()) {
        std::vector<std::string> out;
        for (const auto& p : util::split(*list, ':')) {
            if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) {
                out.push_back(p);
            }
        }
        return out;
    }
    std::string home = env.value("HOME");
    if (home.empty()) {
        return {};
    }
    return { home + "/.kube/config" };
}

Kubeconfig load_kubeconfig(const ConfigOverrides& o, const util::Environment& env, const util::Filesystem& fs)
{
    Kubeconfig merged;
    for (const auto& path : kubeconfig_paths(o, env)) {
        auto text = fs.read(path);
        if (!text) {
            if (!o.kubeconfig.empty()) {
                throw Error(fmt::format("kubeconfig {} (--kubeconfig): no such file", path), ExitCode::usage);
            }
            continue; // missing files in KUBECONFIG are skipped, as kubectl does
        }
        Kubeconfig one = parse_kubeconfig(*text, path);
        if (merged.files.empty()) {
            merged = std::move(one);
        } else {
            merge_kubeconfig(merged, one);
        }
    }
    return merged;
}

bool RestConfig::is_tls() const
{
    return util::starts_with(server, "https://");
}

std::string RestConfig::user_ref() const
{
    if (user_name.empty()) {
        return source;
    }
    return fmt::format("kubeconfig {}: users[\"{}\"]", user_file, user_name);
}

} // namespace kms::kube
