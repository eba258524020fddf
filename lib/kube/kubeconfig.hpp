#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <util/env.hpp>
#include <util/fs.hpp>
#include <util/json.hpp>
#include <utility>
#include <vector>

// kubeconfig files read, merged and resolved exactly as kubectl (client-go clientcmd) does.
namespace kms::kube {

// users[].user.exec: a client-go credential plugin.
struct ExecConfig
{
    std::string api_version; // client.authentication.k8s.io/v1 or /v1beta1
    std::string command;     // a path (resolved against the kubeconfig's directory) or a PATH name
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env;
    std::string install_hint;
    bool provide_cluster_info = false;
    std::string interactive_mode; // Never | IfAvailable | Always
};

struct ClusterEntry
{
    std::string server;
    std::string tls_server_name;
    bool insecure_skip_tls_verify = false;
    std::string certificate_authority;      // absolute path
    std::string certificate_authority_data; // PEM (decoded)
    std::string proxy_url;
    bool disable_compression = false;
    Json exec_config; // extensions[client.authentication.k8s.io/exec].extension, for exec plugins
    std::string file; // the kubeconfig that defined the entry
};

struct UserEntry
{
    std::string client_certificate;      // absolute path
    std::string client_certificate_data; // PEM
    std::string client_key;
    std::string client_key_data;
    std::string token;
    std::string token_file;
    std::string username;
    std::string password;
    std::string as;
    std::string as_uid;
    std::vector<std::string> as_groups;
    std::optional<ExecConfig> exec;
    std::optional<std::string> auth_provider; // its name; only reported (see resolve)
    std::string file;
};

struct ContextEntry
{
    std::string cluster;
    std::string user;
    std::string namespace_;
    std::string file;
};

// One kubeconfig file, or several merged.
struct Kubeconfig
{
    std::map<std::string, ClusterEntry> clusters;
    std::map<std::string, UserEntry> users;
    std::map<std::string, ContextEntry> contexts;
    std::string current_context;
    std::vector<std::string> files; // read, in merge order
    std::vector<std::string> warnings;

    bool empty() const { return clusters.empty() && users.empty() && contexts.empty() && current_context.empty(); }
};

// Parses one file. Relative paths are resolved against the file's directory; *-data fields are
// base64-decoded. Errors name the file, line and entry ("users[\"alice\"].client-key-data: …").
Kubeconfig parse_kubeconfig(const std::string& text, const std::string& path);

// Merges `later` into `first` the kubectl way: the first file to define a cluster, user or
// context name keeps it whole; the first non-empty current-context wins.
void merge_kubeconfig(Kubeconfig& first, const Kubeconfig& later);

// kubectl's global flags that shape the connection.
struct ConfigOverrides
{
    std::string kubeconfig; // --kubeconfig: only this file, which must exist
    std::string context;
    std::string cluster;
    std::string user;
    std::string namespace_;
    std::string server;
    std::string token;
    std::string certificate_authority;
    bool insecure_skip_tls_verify = false;
    std::string request_timeout; // "" or "0": none
};

// The files kubectl would read, in merge order: --kubeconfig alone, else $KUBECONFIG's list
// (duplicates and empty entries dropped), else ~/.kube/config.
std::vector<std::string> kubeconfig_paths(const ConfigOverrides& o, const util::Environment& env);

// Reads and merges those files. Missing files in $KUBECONFIG or the default path are skipped;
// a missing --kubeconfig file or an unparsable file is an error.
Kubeconfig load_kubeconfig(const ConfigOverrides& o, const util::Environment& env, const util::Filesystem& fs);

// Everything needed to talk to one API server as one user.
struct RestConfig
{
    std::string server; // base URL, path suffix kept, no trailing slash
    std::string namespace_ = "default";
    bool namespace_explicit = false; // -n given (manifests with another namespace are then an error)

    // TLS: PEM text read from files so errors name the kubeconfig entry.
    bool insecure = false;
    std::string ca_pem;
    std::string tls_server_name;
    std::string client_cert_pem;
    std::string client_key_pem;
    std::string proxy_url;

    // Authentication, in kubectl's precedence: token, tokenFile, basic, exec.
    std::string token;
    std::string token_file;
    std::string username;
    std::string password;
    std::optional<ExecConfig> exec;
    Json exec_cluster; // KUBERNETES_EXEC_INFO spec.cluster when provideClusterInfo
    std::string as;
    std::string as_uid;
    std::vector<std::string> as_groups;

    std::chrono::milliseconds request_timeout{ 0 };

    // For messages: where this came from.
    std::string context_name;
    std::string cluster_name;
    std::string user_name;
    std::string user_file;
    std::string source; // "kubeconfig /a (context \"x\")", "in-cluster service account", "--server"
    std::vector<std::string> warnings;

    bool is_tls() const;
    // "kubeconfig /path: users[\"u\"]" — the entry to blame for authentication problems.
    std::string user_ref() const;
};

// Resolves the connection from kubeconfig files, flags and, when no kubeconfig exists, the
// in-cluster service account. Validation mirrors client-go; errors name the file and entry.
RestConfig resolve_rest_config(const ConfigOverrides& o, const util::Environment& env, const util::Filesystem& fs);

// The in-cluster service account's files (client-go's fixed paths).
inline constexpr const char* k_service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";

} // namespace kms::kube
