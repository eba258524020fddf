#include <oidc/cluster_target.hpp>
#include <util/error.hpp>

#include <fmt/format.h>

#include <strings.h>
#include <variant>

namespace kms::oidc {

namespace {

// j[k0][k1]…, or null when any step is missing (arrays take numeric steps).
const Json& at(const Json& j, std::initializer_list<std::variant<const char*, std::size_t>> path)
{
    static const Json k_null;
    const Json* cur = &j;
    for (const auto& step : path) {
        if (std::holds_alternative<std::size_t>(step)) {
            std::size_t i = std::get<std::size_t>(step);
            if (!cur->is_array() || i >= cur->size()) {
                return k_null;
            }
            cur = &(*cur)[i];
        } else {
            const char* key = std::get<const char*>(step);
            if (!cur->is_object() || !cur->contains(key)) {
                return k_null;
            }
            cur = &(*cur)[key];
        }
    }
    return *cur;
}

std::string text(const Json& j)
{
    return j.is_string() ? j.get<std::string>() : std::string();
}

std::string prefix_path(const std::string& p)
{
    return p.empty() || p == "/" ? std::string() : (p.front() == '/' ? p : "/" + p);
}

std::string with_port(const std::string& scheme, const std::string& host, int port)
{
    bool standard = port == 0 || (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
    return standard ? scheme + "://" + host : fmt::format("{}://{}:{}", scheme, host, port);
}

// The issuer and audiences of a jwt provider / rule object.
void set_issuer(ServiceTarget& t, const Json& provider)
{
    std::string issuer = text(at(provider, {"issuer"}));
    if (issuer.empty()) {
        return;
    }
    t.issuer = IssuerSpec{issuer, "", ""};
    for (const auto& a : at(provider, {"audiences"}).is_array() ? at(provider, {"audiences"}) : Json::array()) {
        t.audiences.push_back(text(a));
    }
}

} // namespace

ClusterResolver::ClusterResolver(kube::Client& client, std::string namespace_)
  : m_client(client)
  , m_namespace(std::move(namespace_))
{
}

std::optional<ServiceTarget> ClusterResolver::from_http_route(const std::string& name)
{
    auto route = m_client.get_optional(
        fmt::format("/apis/gateway.networking.k8s.io/v1/namespaces/{}/httproutes/{}", m_namespace, name),
        "HTTPRoute " + name);
    std::string host = route ? text(at(*route, {"spec", "hostnames", std::size_t{0}})) : "";
    if (host.empty()) {
        return std::nullopt;
    }
    // The listener the route attaches to decides the scheme and port.
    std::string scheme = "https";
    int port = 0;
    const Json& parent = at(*route, {"spec", "parentRefs", std::size_t{0}});
    std::string gw_name = text(at(parent, {"name"}));
    std::string gw_ns = text(at(parent, {"namespace"}));
    std::string section = text(at(parent, {"sectionName"}));
    if (!gw_name.empty()) {
        auto gw = m_client.get_optional(fmt::format("/apis/gateway.networking.k8s.io/v1/namespaces/{}/gateways/{}",
                                                    gw_ns.empty() ? m_namespace : gw_ns, gw_name),
                                        "Gateway " + gw_name);
        const Json& listeners = gw ? at(*gw, {"spec", "listeners"}) : Json();
        for (const auto& l : listeners.is_array() ? listeners : Json::array()) {
            if (!section.empty() && text(at(l, {"name"})) != section) {
                continue;
            }
            scheme = text(at(l, {"protocol"})) == "HTTP" ? "http" : "https";
            port = at(l, {"port"}).is_number_integer() ? at(l, {"port"}).get<int>() : 0;
            break;
        }
    }
    ServiceTarget t;
    t.base_url =
        with_port(scheme, host, port) +
        prefix_path(text(at(*route, {"spec", "rules", std::size_t{0}, "matches", std::size_t{0}, "path", "value"})));
    auto policy = m_client.get_optional(
        fmt::format("/apis/gateway.envoyproxy.io/v1alpha1/namespaces/{}/securitypolicies/{}-sp", m_namespace, name),
        "SecurityPolicy " + name + "-sp");
    if (policy) {
        set_issuer(t, at(*policy, {"spec", "jwt", "providers", std::size_t{0}}));
    }
    return t;
}

std::optional<ServiceTarget> ClusterResolver::from_virtual_service(const std::string& name)
{
    auto vs = m_client.get_optional(
        fmt::format("/apis/networking.istio.io/v1/namespaces/{}/virtualservices/{}", m_namespace, name),
        "VirtualService " + name);
    std::string host = vs ? text(at(*vs, {"spec", "hosts", std::size_t{0}})) : "";
    if (host.empty()) {
        return std::nullopt;
    }
    ServiceTarget t;
    t.base_url = "https://" + host +
                 prefix_path(text(at(*vs, {"spec", "http", std::size_t{0}, "match", std::size_t{0}, "uri", "prefix"})));
    auto ra = m_client.get_optional(
        fmt::format("/apis/security.istio.io/v1/namespaces/{}/requestauthentications/{}", m_namespace, name),
        "RequestAuthentication " + name);
    if (ra) {
        set_issuer(t, at(*ra, {"spec", "jwtRules", std::size_t{0}}));
    }
    return t;
}

std::optional<ServiceTarget> ClusterResolver::from_ingress(const std::string& name)
{
    auto ing = m_client.get_optional(
        fmt::format("/apis/networking.k8s.io/v1/namespaces/{}/ingresses/{}", m_namespace, name), "Ingress " + name);
    std::string host = ing ? text(at(*ing, {"spec", "rules", std::size_t{0}, "host"})) : "";
    if (host.empty()) {
        return std::nullopt;
    }
    bool tls = false;
    const Json& entries = at(*ing, {"spec", "tls"});
    for (const auto& entry : entries.is_array() ? entries : Json::array()) {
        for (const auto& h : at(entry, {"hosts"}).is_array() ? at(entry, {"hosts"}) : Json::array()) {
            tls = tls || text(h) == host;
        }
    }
    ServiceTarget t;
    t.base_url =
        (tls ? "https://" : "http://") + host +
        prefix_path(text(at(*ing, {"spec", "rules", std::size_t{0}, "http", "paths", std::size_t{0}, "path"})));
    return t;
}

std::optional<ServiceTarget> ClusterResolver::find(const std::string& name)
{
    for (auto from :
         {&ClusterResolver::from_http_route, &ClusterResolver::from_virtual_service, &ClusterResolver::from_ingress}) {
        if (auto t = (this->*from)(name)) {
            return t;
        }
    }
    return std::nullopt;
}

ServiceTarget ClusterResolver::resolve(const std::string& name)
{
    if (auto t = find(name)) {
        return *t;
    }
    throw Error(fmt::format("service {} in namespace {} has no HTTPRoute, VirtualService or Ingress: it is not "
                            "exposed (use --internal to go through the API server, or call its URL)",
                            name, m_namespace));
}

std::string service_proxy_path(kube::Client& client, const std::string& namespace_, const std::string& name,
                               const std::string& path)
{
    auto svc =
        client.get_optional(fmt::format("/api/v1/namespaces/{}/services/{}", namespace_, name), "Service " + name);
    if (!svc) {
        throw Error(fmt::format("service {} not found in namespace {}", name, namespace_));
    }
    const Json& port = at(*svc, {"spec", "ports", std::size_t{0}});
    std::string port_ref = text(at(port, {"name"}));
    if (port_ref.empty() && at(port, {"port"}).is_number_integer()) {
        port_ref = std::to_string(at(port, {"port"}).get<int>());
    }
    std::string base = fmt::format("/api/v1/namespaces/{}/services/{}{}/proxy", namespace_, name,
                                   port_ref.empty() ? "" : ":" + port_ref);
    return join_url(base, path.empty() ? "/" : path);
}

CallResult perform_internal_call(kube::Client& client, const CallRequest& req, const std::string& proxy_path,
                                 util::Clock& clock)
{
    kube::Call c;
    c.method = req.method;
    c.path = proxy_path;
    c.body = req.body;
    c.timeout = req.timeout;
    c.accept = "*/*";
    for (const auto& [k, v] : req.headers) {
        if (::strcasecmp(k.c_str(), "Content-Type") == 0) {
            c.content_type = v;
        } else if (::strcasecmp(k.c_str(), "Accept") == 0) {
            c.accept = v;
        } else {
            throw Error(fmt::format("--internal cannot send header {}: the API server's proxy request carries only "
                                    "Content-Type and Accept",
                                    k),
                        ExitCode::usage);
        }
    }
    CallResult result;
    auto start = clock.now();
    try {
        result.response = client.send(c);
    } catch (const Error& e) {
        result.transport_error = e.what();
    }
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start);
    if (req.max_body != 0 && result.response.body.size() > req.max_body) {
        throw Error(fmt::format("the response body of {} is larger than --max-body ({} bytes): raise --max-body "
                                "(0: no limit)",
                                proxy_path, req.max_body));
    }
    return result;
}

} // namespace kms::oidc
