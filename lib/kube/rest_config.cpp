#include <kube/kubeconfig.hpp>
#include <util/base64.hpp>
#include <util/duration.hpp>
#include <util/error.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

// Selection, overrides and validation: kubeconfig → RestConfig (client-go client_config.go and
// validation.go), plus the in-cluster service account.
namespace kms::kube {

namespace {

std::string quoted_names(const auto& map)
{
    std::vector<std::string> out;
    for (const auto& [name, entry] : map) {
        out.push_back(fmt::format("\"{}\"", name));
    }
    return out.empty() ? std::string("none") : util::join(out, ", ");
}

Error config_error(const std::string& where, const std::string& message)
{
    return Error(where.empty() ? message : where + ": " + message, ExitCode::usage);
}

// Reads a file a kubeconfig entry names; a missing file is blamed on the entry.
std::string read_named_file(const util::Filesystem& fs, const std::string& path, const std::string& where,
                            const char* field)
{
    auto text = fs.read(path);
    if (!text) {
        throw config_error(where, fmt::format("{} {}: no such file", field, path));
    }
    return *text;
}

// A server without a scheme gets https when anything TLS-ish is configured (client-go DefaultServerURL).
std::string normalize_server(std::string server, bool tls_hint)
{
    if (server.find("://") == std::string::npos) {
        server = (tls_hint ? "https://" : "http://") + server;
    }
    while (server.size() > 1 && server.back() == '/') {
        server.pop_back();
    }
    return server;
}

void check_proxy_url(const std::string& url, const std::string& where)
{
    if (url.empty()) {
        return;
    }
    for (const char* scheme : { "http://", "https://", "socks5://" }) {
        if (util::starts_with(url, scheme)) {
            return;
        }
    }
    throw config_error(where, fmt::format("proxy-url \"{}\": scheme must be http, https or socks5", url));
}

void check_exec(const ExecConfig& e, const std::string& where)
{
    if (e.command.empty()) {
        throw config_error(where, "exec: command must be specified");
    }
    if (e.api_version != "client.authentication.k8s.io/v1" && e.api_version != "client.authentication.k8s.io/v1beta1") {
        throw config_error(where,
                           fmt::format("exec plugin: invalid apiVersion \"{}\" (use client.authentication.k8s.io/v1 "
                                       "or client.authentication.k8s.io/v1beta1)",
                                       e.api_version));
    }
    if (e.interactive_mode.empty() && e.api_version == "client.authentication.k8s.io/v1") {
        throw config_error(where,
                           "exec: interactiveMode must be specified for client.authentication.k8s.io/v1 "
                           "(Never, IfAvailable or Always)");
    }
    if (!e.interactive_mode.empty() && e.interactive_mode != "Never" && e.interactive_mode != "IfAvailable" &&
        e.interactive_mode != "Always") {
        throw config_error(
          where,
          fmt::format("exec: invalid interactiveMode \"{}\" (Never, IfAvailable or Always)", e.interactive_mode));
    }
}

void apply_cluster(RestConfig& rc, const ClusterEntry& c, const std::string& where, const util::Filesystem& fs)
{
    if (!c.certificate_authority_data.empty()) {
        if (!c.certificate_authority.empty()) {
            rc.warnings.push_back(fmt::format("warning: {}: both certificate-authority and certificate-authority-data "
                                              "are set; using the data",
                                              where));
        }
        rc.ca_pem = c.certificate_authority_data;
    } else if (!c.certificate_authority.empty()) {
        rc.ca_pem = read_named_file(fs, c.certificate_authority, where, "certificate-authority");
    }
    rc.insecure = c.insecure_skip_tls_verify;
    if (rc.insecure && !rc.ca_pem.empty()) {
        throw config_error(where, "specifying a root certificates file with the insecure flag is not allowed");
    }
    check_proxy_url(c.proxy_url, where);
    rc.proxy_url = c.proxy_url;
    rc.tls_server_name = c.tls_server_name;
}

void apply_user(RestConfig& rc, const UserEntry& u, const std::string& where, const util::Filesystem& fs)
{
    auto pick = [&](const std::string& data, const std::string& file, const char* field) -> std::string {
        if (!data.empty()) {
            if (!file.empty()) {
                rc.warnings.push_back(
                  fmt::format("warning: {}: both {} and {}-data are set; using the data", where, field, field));
            }
            return data;
        }
        return file.empty() ? std::string() : read_named_file(fs, file, where, field);
    };
    rc.client_cert_pem = pick(u.client_certificate_data, u.client_certificate, "client-certificate");
    rc.client_key_pem = pick(u.client_key_data, u.client_key, "client-key");
    if (rc.client_cert_pem.empty() != rc.client_key_pem.empty()) {
        throw config_error(where,
                           rc.client_cert_pem.empty() ? "client-key is set without client-certificate"
                                                      : "client-certificate is set without client-key");
    }
    bool token = !u.token.empty() || !u.token_file.empty();
    bool basic = !u.username.empty() || !u.password.empty();
    if (token && basic) {
        throw config_error(where,
                           "more than one authentication method found; found [token basicAuth], only one is allowed");
    }
    if (u.exec && u.auth_provider) {
        throw config_error(where,
                           "more than one authentication method found; found [exec auth-provider], only one "
                           "is allowed");
    }
    if (u.auth_provider) {
        const std::string& name = *u.auth_provider;
        if (name == "gcp" || name == "azure") {
            throw config_error(where,
                               fmt::format("the {} auth plugin has been removed from Kubernetes clients; use its "
                                           "exec plugin ({})",
                                           name,
                                           name == "gcp" ? "gke-gcloud-auth-plugin" : "kubelogin"));
        }
        throw config_error(where,
                           fmt::format("auth-provider \"{}\" is not supported: configure an exec credential "
                                       "plugin instead (for OIDC: kubelogin, `kubectl oidc-login`)",
                                       name));
    }
    if (u.exec) {
        check_exec(*u.exec, where);
    }
    rc.token = u.token;
    rc.token_file = u.token_file;
    if (rc.token.empty() && !rc.token_file.empty()) {
        rc.token = std::string(util::trim(read_named_file(fs, rc.token_file, where, "tokenFile")));
    }
    rc.username = u.username;
    rc.password = u.password;
    rc.exec = u.exec;
    rc.as = u.as;
    rc.as_uid = u.as_uid;
    rc.as_groups = u.as_groups;
}

// KUBERNETES_EXEC_INFO's spec.cluster (client-go clientcmd: only with provideClusterInfo).
Json exec_cluster_info(const RestConfig& rc, const ClusterEntry& c)
{
    Json j = Json::object();
    j["server"] = rc.server;
    if (!rc.tls_server_name.empty()) {
        j["tls-server-name"] = rc.tls_server_name;
    }
    if (rc.insecure) {
        j["insecure-skip-tls-verify"] = true;
    }
    if (!rc.ca_pem.empty()) {
        j["certificate-authority-data"] = util::base64_encode(rc.ca_pem);
    }
    if (!rc.proxy_url.empty()) {
        j["proxy-url"] = rc.proxy_url;
    }
    if (c.disable_compression) {
        j["disable-compression"] = true;
    }
    if (!c.exec_config.is_null()) {
        j["config"] = c.exec_config;
    }
    return j;
}

// Flags that override the cluster (client-go: a CA or insecure flag replaces both CA settings;
// --server clears the kubeconfig's tls-server-name).
void apply_cluster_flags(RestConfig& rc, const ConfigOverrides& o, const util::Filesystem& fs)
{
    if (!o.server.empty()) {
        rc.server = o.server;
        rc.tls_server_name.clear();
    }
    if (o.insecure_skip_tls_verify || !o.certificate_authority.empty()) {
        rc.insecure = o.insecure_skip_tls_verify;
        rc.ca_pem.clear();
        if (!o.certificate_authority.empty()) {
            rc.ca_pem = read_named_file(fs, o.certificate_authority, "--certificate-authority", "file");
        }
        if (rc.insecure && !rc.ca_pem.empty()) {
            throw config_error("", "--certificate-authority and --insecure-skip-tls-verify cannot be used together");
        }
    }
    if (!o.token.empty()) {
        // A token on the command line wins over every other credential of the user.
        rc.token = o.token;
        rc.token_file.clear();
        rc.username.clear();
        rc.password.clear();
    }
}

bool in_cluster_possible(const util::Environment& env, const util::Filesystem& fs)
{
    return !env.value("KUBERNETES_SERVICE_HOST").empty() && !env.value("KUBERNETES_SERVICE_PORT").empty() &&
           fs.read(std::string(k_service_account_dir) + "/token").has_value();
}

RestConfig in_cluster_config(const util::Environment& env, const util::Filesystem& fs)
{
    RestConfig rc;
    std::string host = env.value("KUBERNETES_SERVICE_HOST");
    if (host.find(':') != std::string::npos) {
        host = "[" + host + "]";
    }
    rc.server = "https://" + host + ":" + env.value("KUBERNETES_SERVICE_PORT");
    std::string dir = k_service_account_dir;
    rc.token_file = dir + "/token";
    rc.token = std::string(util::trim(fs.read(rc.token_file).value_or("")));
    rc.ca_pem = fs.read(dir + "/ca.crt").value_or("");
    if (auto ns = env.get("POD_NAMESPACE"); ns && !ns->empty()) {
        rc.namespace_ = *ns;
    } else if (auto file = fs.read(dir + "/namespace"); file && !util::trim(*file).empty()) {
        rc.namespace_ = std::string(util::trim(*file));
    }
    rc.source = "in-cluster service account";
    return rc;
}

std::string searched(const ConfigOverrides& o, const util::Environment& env)
{
    auto paths = kubeconfig_paths(o, env);
    return paths.empty() ? std::string("no path: HOME and KUBECONFIG are unset") : util::join(paths, ", ");
}

} // namespace

RestConfig resolve_rest_config(const ConfigOverrides& o, const util::Environment& env, const util::Filesystem& fs)
{
    Kubeconfig k = load_kubeconfig(o, env, fs);
    RestConfig rc;
    ClusterEntry cluster; // the selected one, for exec plugins' cluster info
    bool no_selection = o.context.empty() && o.cluster.empty() && o.user.empty();
    if (k.empty() && o.kubeconfig.empty() && o.server.empty() && no_selection && in_cluster_possible(env, fs)) {
        rc = in_cluster_config(env, fs);
    } else {
        std::string files = k.files.empty() ? searched(o, env) : util::join(k.files, ", ");
        rc.context_name = o.context.empty() ? k.current_context : o.context;
        const ContextEntry* ctx = nullptr;
        if (!rc.context_name.empty()) {
            auto it = k.contexts.find(rc.context_name);
            if (it == k.contexts.end()) {
                throw config_error(
                  fmt::format("kubeconfig {}", files),
                  fmt::format("context \"{}\" not found (contexts: {})", rc.context_name, quoted_names(k.contexts)));
            }
            ctx = &it->second;
        }
        std::string ctx_ref = ctx ? fmt::format("kubeconfig {}: contexts[\"{}\"]", ctx->file, rc.context_name)
                                  : fmt::format("kubeconfig {}", files);
        rc.cluster_name = !o.cluster.empty() ? o.cluster : (ctx ? ctx->cluster : std::string());
        rc.user_name = !o.user.empty() ? o.user : (ctx ? ctx->user : std::string());
        if (!rc.cluster_name.empty()) {
            auto it = k.clusters.find(rc.cluster_name);
            if (it == k.clusters.end()) {
                throw config_error(
                  ctx_ref,
                  fmt::format("cluster \"{}\" not found (clusters: {})", rc.cluster_name, quoted_names(k.clusters)));
            }
            std::string where = fmt::format("kubeconfig {}: clusters[\"{}\"]", it->second.file, rc.cluster_name);
            rc.server = it->second.server;
            if (rc.server.empty() && o.server.empty()) {
                throw config_error(where, "no server found for cluster \"" + rc.cluster_name + "\"");
            }
            apply_cluster(rc, it->second, where, fs);
        }
        if (!rc.user_name.empty()) {
            auto it = k.users.find(rc.user_name);
            if (it == k.users.end()) {
                throw config_error(
                  ctx_ref, fmt::format("user \"{}\" not found (users: {})", rc.user_name, quoted_names(k.users)));
            }
            rc.user_file = it->second.file;
            apply_user(rc, it->second, rc.user_ref(), fs);
        }
        if (ctx) {
            rc.namespace_ = ctx->namespace_.empty() ? "default" : ctx->namespace_;
            rc.source = ctx_ref;
        } else {
            rc.source = o.server.empty() ? fmt::format("kubeconfig {}", files) : "--server";
        }
        if (rc.server.empty() && o.server.empty()) {
            if (k.files.empty()) {
                throw config_error("",
                                   fmt::format("no kubeconfig found (looked for {}) and not running in a cluster: "
                                               "use --kubeconfig, set KUBECONFIG, or give --server",
                                               searched(o, env)));
            }
            throw config_error(
              fmt::format("kubeconfig {}", files),
              fmt::format("no current-context is set: use --context (contexts: {})", quoted_names(k.contexts)));
        }
        if (!rc.cluster_name.empty()) {
            cluster = k.clusters.at(rc.cluster_name);
        }
        rc.warnings.insert(rc.warnings.begin(), k.warnings.begin(), k.warnings.end());
    }
    apply_cluster_flags(rc, o, fs);
    bool tls_hint = !rc.ca_pem.empty() || !rc.client_cert_pem.empty() || rc.insecure || !rc.tls_server_name.empty();
    rc.server = normalize_server(rc.server, tls_hint);
    if (!util::starts_with(rc.server, "https://") && !util::starts_with(rc.server, "http://")) {
        // client-go fails such a server at the first request ("unsupported protocol scheme"); libcurl
        // would try to speak ftp:// or whatever else it names.
        throw config_error(rc.source.empty() ? "--server" : rc.source,
                           fmt::format("server \"{}\" must be an https:// or http:// URL", rc.server));
    }
    if (rc.exec && rc.exec->provide_cluster_info) {
        rc.exec_cluster = exec_cluster_info(rc, cluster);
    }
    if (!o.namespace_.empty()) {
        rc.namespace_ = o.namespace_;
        rc.namespace_explicit = true;
    }
    if (!o.request_timeout.empty()) {
        auto d = util::parse_duration(o.request_timeout);
        if (!d) {
            throw config_error("--request-timeout",
                               fmt::format("invalid duration \"{}\" (e.g. 10s, 1m, 0)", o.request_timeout));
        }
        rc.request_timeout = *d;
    }
    if (rc.insecure) {
        rc.warnings.push_back(
          fmt::format("warning: TLS verification of {} is off (insecure-skip-tls-verify)", rc.server));
    }
    if (!rc.is_tls()) {
        // client-go attaches user credentials only over TLS; so do we.
        bool had = !rc.token.empty() || !rc.username.empty() || rc.exec || !rc.client_cert_pem.empty();
        if (had) {
            rc.warnings.push_back(
              fmt::format("warning: {} is not https: the credentials of {} are not sent", rc.server, rc.user_ref()));
        }
        rc.token.clear();
        rc.token_file.clear();
        rc.username.clear();
        rc.password.clear();
        rc.exec.reset();
        rc.client_cert_pem.clear();
        rc.client_key_pem.clear();
    }
    return rc;
}

} // namespace kms::kube
