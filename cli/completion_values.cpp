#include "completion_values.hpp"

#include <kube/client.hpp>
#include <kube/kubeconfig.hpp>
#include <kube/object.hpp>
#include <render/render.hpp>
#include <spec/fields.hpp>
#include <util/strings.hpp>

#include <set>

namespace kms::cli {

namespace {

using namespace std::chrono_literals;

// How long completion waits for the cluster when --request-timeout does not say.
constexpr std::chrono::milliseconds k_cluster_timeout = 2s;

// The connection the words typed so far ask for (--kubeconfig, --context, -n, …).
kube::ConfigOverrides overrides(const util::ValueRequest& r)
{
    auto seen = [&](const char* key) {
        auto it = r.flags_seen.find(key);
        return it == r.flags_seen.end() ? std::string() : it->second;
    };
    kube::ConfigOverrides o;
    o.kubeconfig = seen("kubeconfig");
    o.context = seen("context");
    o.cluster = seen("cluster");
    o.user = seen("user");
    o.namespace_ = seen("namespace");
    o.server = seen("server");
    o.token = seen("token");
    o.certificate_authority = seen("certificate-authority");
    o.insecure_skip_tls_verify = seen("insecure-skip-tls-verify") == "true";
    o.request_timeout = seen("request-timeout");
    return o;
}

template <typename Map>
std::vector<std::string> keys_of(const Map& m)
{
    std::vector<std::string> out;
    for (const auto& entry : m) {
        out.push_back(entry.first);
    }
    return out;
}

std::vector<std::string> kubeconfig_names(const std::string& key, const kube::Kubeconfig& k)
{
    if (key == "context") {
        return keys_of(k.contexts);
    }
    if (key == "cluster") {
        return keys_of(k.clusters);
    }
    if (key == "user") {
        return keys_of(k.users);
    }
    std::set<std::string> namespaces;
    for (const auto& entry : k.contexts) {
        if (!entry.second.namespace_.empty()) {
            namespaces.insert(entry.second.namespace_);
        }
    }
    return {namespaces.begin(), namespaces.end()};
}

// The connection, with completion's short timeout unless --request-timeout was typed.
kube::RestConfig connection(const kube::ConfigOverrides& o, const util::Environment& env, const util::Filesystem& fs)
{
    kube::RestConfig rc = kube::resolve_rest_config(o, env, fs);
    if (o.request_timeout.empty()) {
        rc.request_timeout = k_cluster_timeout;
    }
    return rc;
}

// metadata.name of each item of the list the cluster returns at `path`.
std::vector<std::string> list_names(const kube::RestConfig& rc, const util::Filesystem& fs, const std::string& path)
{
    kube::ClientDeps deps;
    deps.fs = &fs;
    deps.warn = [](const std::string&) {};
    deps.http = [](const http::ClientOptions& options) {
        http::ClientOptions quick = options;
        quick.connect_timeout = k_cluster_timeout;
        return http::make_client(quick); // no retries: a slow cluster means no candidates
    };
    kube::Client client(rc, deps);
    std::vector<std::string> names;
    Json list = client.get(path, "list for completion");
    for (const auto& item : util::list_at(list, "items")) {
        if (std::string name = kube::name_of(item); !name.empty()) {
            names.push_back(name);
        }
    }
    return names;
}

std::vector<std::string> namespaces(const kube::ConfigOverrides& o, const util::Environment& env,
                                    const util::Filesystem& fs)
{
    std::set<std::string> out;
    try {
        auto named = kubeconfig_names("namespace", kube::load_kubeconfig(o, env, fs));
        out.insert(named.begin(), named.end());
        auto listed = list_names(connection(o, env, fs), fs, "/api/v1/namespaces");
        out.insert(listed.begin(), listed.end());
    } catch (const Error&) {
        // No kubeconfig or no cluster: what was found so far.
    }
    return {out.begin(), out.end()};
}

// The services this tool deployed into the namespace in use: the Deployments it manages.
std::vector<std::string> services(const kube::ConfigOverrides& o, const util::Environment& env,
                                  const util::Filesystem& fs)
{
    try {
        kube::RestConfig rc = connection(o, env, fs);
        std::string path = fmt::format("/apis/apps/v1/namespaces/{}/deployments?labelSelector="
                                       "app.kubernetes.io%2Fmanaged-by%3D{}",
                                       rc.namespace_, render::k_manager);
        return list_names(rc, fs, path);
    } catch (const Error&) {
        return {};
    }
}

// Every dotted field path of the service file ("resources", "resources.limits", …), for explain.
void field_paths(const spec::Field& f, const std::string& prefix, std::set<std::string>& out)
{
    auto visit = [&](const std::vector<spec::Field>& children) {
        for (const auto& c : children) {
            std::string path = prefix.empty() ? std::string(c.name) : prefix + "." + std::string(c.name);
            out.insert(path);
            field_paths(c, path, out);
        }
    };
    visit(f.children);
    for (const auto& alt : f.alternatives) {
        visit(alt.children);
    }
}

} // namespace

std::optional<util::Completion> CliValueSource::values(const util::ValueRequest& r)
{
    if (r.arg != nullptr) {
        if (util::starts_with(r.arg->name, "NAME")) {
            return util::Completion{services(overrides(r), m_env, m_fs), util::directive_no_file_comp};
        }
        if (r.arg->name == "DIR") {
            return util::Completion{{}, util::directive_filter_dirs};
        }
        if (r.arg->name == "FIELD") {
            std::set<std::string> paths;
            field_paths(spec::service_fields(), "", paths);
            return util::Completion{{paths.begin(), paths.end()}, util::directive_no_file_comp};
        }
        return std::nullopt;
    }
    if (r.flag == nullptr) {
        return std::nullopt;
    }
    std::string key = r.flag->key();
    if (key == "filename") {
        return util::Completion{{"yaml", "yml", "json"}, util::directive_filter_file_ext};
    }
    if (r.flag->value_name == "DIR") {
        return util::Completion{{}, util::directive_filter_dirs};
    }
    if (key == "namespace") {
        return util::Completion{namespaces(overrides(r), m_env, m_fs), util::directive_no_file_comp};
    }
    if (key == "context" || key == "cluster" || key == "user") {
        try {
            return util::Completion{kubeconfig_names(key, kube::load_kubeconfig(overrides(r), m_env, m_fs)),
                                    util::directive_no_file_comp};
        } catch (const Error&) {
            return util::Completion{{}, util::directive_no_file_comp};
        }
    }
    return std::nullopt;
}

} // namespace kms::cli
