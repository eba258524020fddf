#pragma once

#include <functional>
#include <kube/client.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <util/clock.hpp>
#include <util/env.hpp>
#include <util/fs.hpp>
#include <vector>

namespace kms::kube {

// What discovery says about one kind.
struct ResourceInfo
{
    std::string group; // "" for the core group
    std::string version;
    std::string kind;
    std::string resource; // lower-case plural
    bool namespaced = true;

    std::string api_version() const { return group.empty() ? version : group + "/" + version; }
    // "/api/v1" or "/apis/apps/v1".
    std::string base_path() const;
    // The collection: base/[namespaces/NS/]resource.
    std::string collection_path(const std::string& ns) const;
    // The object: collection/NAME.
    std::string object_path(const std::string& ns, const std::string& name) const;
    // "Deployment.apps" or "Service": kubectl's group-kind spelling (ApplySet annotations).
    std::string group_kind() const { return group.empty() ? kind : kind + "." + group; }
    bool is_secret() const { return group.empty() && kind == "Secret"; }
};

// Where discovery answers are kept between runs: $XDG_CACHE_HOME/kubectl-microservice/discovery
// (else ~/.cache/…), one file per server, trusted for 6 hours (kubectl's TTL) and only for hits:
// a kind the cache lacks is always asked of the server again.
struct DiscoveryCacheOptions
{
    std::string dir; // "" = no disk cache
    util::Filesystem* fs = nullptr;
    util::Clock* clock = nullptr;
    std::function<void(const std::string&)> make_dir; // creates `dir` (and parents) when missing
};
DiscoveryCacheOptions default_discovery_cache(const util::Environment& env);

// Kind → resource mapping from aggregated discovery (apidiscovery.k8s.io/v2 or v2beta1), else the
// legacy /api, /apis and per-group-version lists (fetched only for the versions asked about).
// Results are shared per server within the process. Thread-safe.
class Discovery
{
  public:
    explicit Discovery(Client& client, DiscoveryCacheOptions cache = {});

    // nullopt when the server does not serve `kind` in `api_version`.
    std::optional<ResourceInfo> find(const std::string& api_version, const std::string& kind);
    // Like find, but a missing API is an error that names it and what to do instead; `object`
    // names the manifest ("HTTPRoute/web").
    ResourceInfo require(const std::string& api_version, const std::string& kind, const std::string& object);
    // A kind in a group at the server's preferred version ("" is the core group); for pruning,
    // where only group and kind are recorded.
    std::optional<ResourceInfo> find_group_kind(const std::string& group, const std::string& kind);

    struct ServerState; // per server URL, shared by every Discovery in the process

  private:
    Client& m_client;
    DiscoveryCacheOptions m_cache;

    ServerState& state();
    void load_all(ServerState& s, bool use_disk);
    void load_group_version(ServerState& s, const std::string& api_version);
};

// The one-line error for an API the cluster does not serve, with advice for the APIs the
// renderer uses (Gateway API, Envoy Gateway, Istio).
std::string missing_api_message(const std::string& api_version, const std::string& kind, const std::string& object);

} // namespace kms::kube
