#include <algorithm>
#include <filesystem>
#include <future>
#include <kube/discovery.hpp>
#include <set>
#include <util/error.hpp>
#include <util/strings.hpp>

namespace kms::kube {

namespace {

constexpr const char* k_aggregated_accept =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
constexpr std::chrono::hours k_cache_ttl{ 6 };

std::pair<std::string, std::string> split_api_version(const std::string& api_version)
{
    auto slash = api_version.find('/');
    if (slash == std::string::npos) {
        return { "", api_version };
    }
    return { api_version.substr(0, slash), api_version.substr(slash + 1) };
}

std::string cache_file_name(const std::string& server)
{
    std::string out;
    for (char c : server.substr(server.find("://") == std::string::npos ? 0 : server.find("://") + 3)) {
        out += std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' ? c : '_';
    }
    return out + ".json";
}

} // namespace

std::string ResourceInfo::base_path() const
{
    return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string ResourceInfo::collection_path(const std::string& ns) const
{
    if (namespaced && !ns.empty()) {
        return base_path() + "/namespaces/" + ns + "/" + resource;
    }
    return base_path() + "/" + resource;
}

std::string ResourceInfo::object_path(const std::string& ns, const std::string& name) const
{
    return collection_path(ns) + "/" + name;
}

DiscoveryCacheOptions default_discovery_cache(const util::Environment& env)
{
    DiscoveryCacheOptions o;
    std::string base = env.value("XDG_CACHE_HOME");
    if (base.empty()) {
        std::string home = env.value("HOME");
        if (home.empty()) {
            return o;
        }
        base = home + "/.cache";
    }
    o.dir = base + "/kubectl-microservice/discovery";
    o.fs = &util::real_fs();
    o.clock = &util::real_clock();
    o.make_dir = [](const std::string& dir) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec); // best effort: the cache is an optimisation
    };
    return o;
}

struct Discovery::ServerState
{
    bool loaded = false;
    bool aggregated = false;
    bool from_disk = false;
    std::map<std::string, std::map<std::string, ResourceInfo>> by_gv; // groupVersion → kind → info
    std::set<std::string> served;                                     // legacy: group versions the server lists
    std::set<std::string> fetched;                                    // legacy: group versions whose resources we have
    std::vector<std::string> order; // group versions, each group's preferred version first
};

namespace {

std::mutex g_states_mutex;
std::map<std::string, std::unique_ptr<Discovery::ServerState>>& states()
{
    static std::map<std::string, std::unique_ptr<Discovery::ServerState>> s;
    return s;
}

void note_version(Discovery::ServerState& s, const std::string& gv)
{
    if (std::find(s.order.begin(), s.order.end(), gv) == s.order.end()) {
        s.order.push_back(gv);
    }
}

void add(Discovery::ServerState& s, ResourceInfo info)
{
    note_version(s, info.api_version());
    s.by_gv[info.api_version()].emplace(info.kind, std::move(info));
}

// apidiscovery.k8s.io APIGroupDiscoveryList (from /api or /apis).
void parse_aggregated(Discovery::ServerState& s, const Json& list)
{
    for (const auto& item : list.value("items", Json::array())) {
        std::string group = item.contains("metadata") ? item["metadata"].value("name", "") : "";
        for (const auto& v : item.value("versions", Json::array())) {
            for (const auto& r : v.value("resources", Json::array())) {
                ResourceInfo info;
                info.group = group;
                info.version = v.value("version", "");
                info.resource = r.value("resource", "");
                info.kind = r.contains("responseKind") ? r["responseKind"].value("kind", "") : "";
                info.namespaced = r.value("scope", "Namespaced") == "Namespaced";
                if (!info.kind.empty() && !info.resource.empty()) {
                    add(s, info);
                }
            }
        }
    }
}

// metav1.APIResourceList for one group version.
void parse_resource_list(Discovery::ServerState& s, const std::string& api_version, const Json& list)
{
    auto [group, version] = split_api_version(api_version);
    for (const auto& r : list.value("resources", Json::array())) {
        std::string name = r.value("name", "");
        if (name.empty() || name.find('/') != std::string::npos) {
            continue; // subresources
        }
        ResourceInfo info{ group, version, r.value("kind", ""), name, r.value("namespaced", true) };
        add(s, info);
    }
    s.fetched.insert(api_version);
}

// Runs `parse` on an answer from `path`; an answer of the wrong shape (a proxy's JSON, a broken
// server) is an error about that answer rather than an internal one.
template<typename F>
void parse_answer(const std::string& path, F&& parse)
{
    try {
        parse();
    } catch (const Json::exception&) {
        throw Error(fmt::format("discovery (GET {}): the API server's answer is not a discovery document", path));
    }
}

Json to_cache(const Discovery::ServerState& s, long long now)
{
    Json items = Json::array();
    for (const auto& gv : s.order) {
        auto it = s.by_gv.find(gv);
        if (it == s.by_gv.end()) {
            continue;
        }
        for (const auto& [kind, r] : it->second) {
            items.push_back(Json{
              { "g", r.group }, { "v", r.version }, { "k", r.kind }, { "r", r.resource }, { "n", r.namespaced } });
        }
    }
    return Json{ { "written", now }, { "resources", items } };
}

bool from_cache(Discovery::ServerState& s, const Json& j, long long now)
{
    if (!j.is_object() || !j.contains("written") || !j["written"].is_number_integer() || !j.contains("resources") ||
        !j["resources"].is_array()) {
        return false;
    }
    long long age = now - util::int_at(j, "written");
    if (age < 0 || age > std::chrono::seconds(k_cache_ttl).count()) {
        return false;
    }
    try {
        for (const auto& r : j["resources"]) {
            add(s,
                ResourceInfo{
                  r.value("g", ""), r.value("v", ""), r.value("k", ""), r.value("r", ""), r.value("n", true) });
        }
    } catch (const Json::exception&) {
        return false; // a damaged cache file is a miss; this run rewrites it
    }
    return true;
}

} // namespace

Discovery::Discovery(Client& client, DiscoveryCacheOptions cache)
  : m_client(client)
  , m_cache(std::move(cache))
{
}

Discovery::ServerState& Discovery::state()
{
    auto& slot = states()[m_client.config().server];
    if (!slot) {
        slot = std::make_unique<ServerState>();
    }
    return *slot;
}

void Discovery::load_all(ServerState& s, bool use_disk)
{
    std::string cache_path =
      m_cache.dir.empty() ? std::string() : m_cache.dir + "/" + cache_file_name(m_client.config().server);
    long long now =
      m_cache.clock ? std::chrono::duration_cast<std::chrono::seconds>(m_cache.clock->now().time_since_epoch()).count()
                    : 0;
    if (use_disk && !cache_path.empty()) {
        if (auto text = m_cache.fs->read(cache_path)) {
            ServerState cached;
            if (from_cache(cached, Json::parse(*text, nullptr, false), now)) {
                cached.loaded = cached.aggregated = cached.from_disk = true;
                s = std::move(cached);
                return;
            }
        }
    }
    // /api and /apis in parallel: one round trip instead of two.
    auto fetch = [this](const char* path) {
        Call c;
        c.path = path;
        c.accept = k_aggregated_accept;
        return m_client.request(c, std::string("discovery (GET ") + path + ")");
    };
    auto apis_future = std::async(std::launch::async, fetch, "/apis");
    Json core = fetch("/api");
    Json apis = apis_future.get();
    ServerState fresh;
    fresh.loaded = true;
    parse_answer("/api", [&] {
        fresh.aggregated =
          core.value("kind", "") == "APIGroupDiscoveryList" && apis.value("kind", "") == "APIGroupDiscoveryList";
    });
    if (fresh.aggregated) {
        parse_answer("/api", [&] { parse_aggregated(fresh, core); });
        parse_answer("/apis", [&] { parse_aggregated(fresh, apis); });
        if (!cache_path.empty()) {
            try {
                m_cache.make_dir(m_cache.dir);
                m_cache.fs->write_atomic(cache_path, to_cache(fresh, now).dump(), 0600);
            } catch (const Error&) {
                // An unwritable cache only costs the next run two requests.
            }
        }
    } else {
        parse_answer("/api", [&] {
            for (const auto& v : core.value("versions", Json::array())) {
                fresh.served.insert(v.get<std::string>());
                note_version(fresh, v.get<std::string>());
            }
        });
        parse_answer("/apis", [&] {
            for (const auto& g : apis.value("groups", Json::array())) {
                if (g.contains("preferredVersion")) {
                    note_version(fresh, g["preferredVersion"].value("groupVersion", ""));
                }
                for (const auto& v : g.value("versions", Json::array())) {
                    fresh.served.insert(v.value("groupVersion", ""));
                    note_version(fresh, v.value("groupVersion", ""));
                }
            }
        });
    }
    s = std::move(fresh);
}

void Discovery::load_group_version(ServerState& s, const std::string& api_version)
{
    auto [group, version] = split_api_version(api_version);
    std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    auto list = m_client.get_optional(path, "discovery (GET " + path + ")");
    if (list) {
        parse_answer(path, [&] { parse_resource_list(s, api_version, *list); });
    } else {
        s.fetched.insert(api_version);
    }
}

std::optional<ResourceInfo> Discovery::find(const std::string& api_version, const std::string& kind)
{
    std::lock_guard<std::mutex> lock(g_states_mutex);
    ServerState& s = state();
    auto lookup = [&]() -> std::optional<ResourceInfo> {
        auto gv = s.by_gv.find(api_version);
        if (gv == s.by_gv.end()) {
            return std::nullopt;
        }
        auto it = gv->second.find(kind);
        return it == gv->second.end() ? std::nullopt : std::optional<ResourceInfo>(it->second);
    };
    if (!s.loaded) {
        load_all(s, true);
    }
    if (auto hit = lookup()) {
        return hit;
    }
    if (s.from_disk) {
        load_all(s, false); // a miss in the cache proves nothing: the API may be new
        if (auto hit = lookup()) {
            return hit;
        }
    }
    if (!s.aggregated && s.served.count(api_version) != 0 && s.fetched.count(api_version) == 0) {
        load_group_version(s, api_version);
    }
    return lookup();
}

std::optional<ResourceInfo> Discovery::find_group_kind(const std::string& group, const std::string& kind)
{
    std::vector<std::string> candidates;
    {
        std::lock_guard<std::mutex> lock(g_states_mutex);
        ServerState& s = state();
        if (!s.loaded) {
            load_all(s, true);
        }
        // Aggregated discovery lists each group's versions preferred first; so does the legacy
        // group list, which is the order `served` kept.
        for (const auto& gv : s.order) {
            if (split_api_version(gv).first == group) {
                candidates.push_back(gv);
            }
        }
    }
    for (const auto& gv : candidates) {
        if (auto info = find(gv, kind)) {
            return info;
        }
    }
    return std::nullopt;
}

ResourceInfo Discovery::require(const std::string& api_version, const std::string& kind, const std::string& object)
{
    if (auto info = find(api_version, kind)) {
        return *info;
    }
    throw Error(missing_api_message(api_version, kind, object));
}

std::string missing_api_message(const std::string& api_version, const std::string& kind, const std::string& object)
{
    auto [group, version] = split_api_version(api_version);
    std::string advice;
    if (group == "gateway.networking.k8s.io") {
        advice = "the Gateway API is not installed; install its CRDs (and a gateway such as Envoy Gateway), or expose "
                 "the service another way: expose.via: istio or ingress (--via)";
    } else if (group == "gateway.envoyproxy.io") {
        advice = "Envoy Gateway is not installed (its policies carry the auth); install it, or expose the service with "
                 "expose.via: istio or ingress (--via), or without auth";
    } else if (group == "networking.istio.io" || group == "security.istio.io") {
        advice = "Istio is not installed; install it, or expose the service another way: expose.via: gateway-api or "
                 "ingress (--via)";
    } else {
        advice = "ensure its CRDs are installed first";
    }
    return fmt::format(
      "{}: the cluster does not serve {} in {}: {}. Nothing was applied.", object, kind, api_version, advice);
}

} // namespace kms::kube
