// via gateway-api: a Gateway API HTTPRoute plus Envoy Gateway's policies attached to it. Field
// names follow envoyproxy/gateway api/v1alpha1 (securitypolicy, jwt, basic_auth, api_key_auth and
// loadbalancer types) and its security and load-balancing task pages.
#include <render/expose.hpp>
#include <render/render.hpp>
#include <spec/expose.hpp>

namespace kms::render {

namespace {

constexpr const char* k_eg_api = "gateway.envoyproxy.io/v1alpha1";

// A Gateway API Duration ("24h", "1h30m"): at most five digits per unit, so whole seconds
// beyond 99999 have to be written in larger units.
std::string gateway_duration(int seconds)
{
    std::string out;
    for (auto [unit, size] : {std::pair{"h", 3600}, std::pair{"m", 60}, std::pair{"s", 1}}) {
        if (seconds >= size) {
            out += fmt::format("{}{}", seconds / size, unit);
            seconds %= size;
        }
    }
    return out.empty() ? "0s" : out;
}

Json target_refs(const spec::Service& s)
{
    return Json::array({Json{{"group", "gateway.networking.k8s.io"}, {"kind", "HTTPRoute"}, {"name", s.name}}});
}

Json http_route(const spec::Service& s)
{
    const spec::Expose& e = *s.expose;
    Json o = object_head(s, "gateway.networking.k8s.io/v1", "HTTPRoute", s.name);
    Json parent = Json{{"name", e.gateway->name}};
    if (e.gateway->namespace_) {
        parent["namespace"] = *e.gateway->namespace_;
    }
    if (e.gateway->section_name) {
        parent["sectionName"] = *e.gateway->section_name;
    }
    Json rule = Json::object();
    rule["matches"] = Json::array({Json{{"path", {{"type", "PathPrefix"}, {"value", e.path.value_or("/")}}}}});
    if (e.rewrite) {
        Json path = {{"type", "ReplacePrefixMatch"}, {"replacePrefixMatch", *e.rewrite}};
        rule["filters"] = Json::array({Json{{"type", "URLRewrite"}, {"urlRewrite", {{"path", path}}}}});
    }
    rule["backendRefs"] = Json::array({Json{{"name", s.name}, {"port", exposed_port_number(s)}}});
    o["spec"] = Json{{"parentRefs", Json::array({parent})},
                     {"hostnames", Json::array({*e.host})},
                     {"rules", Json::array({rule})}};
    return o;
}

Json jwt_provider(const spec::Service& s)
{
    const spec::Auth& a = s.expose->auth;
    Json p = Json::object();
    p["name"] = a.type == spec::AuthType::keycloak ? "keycloak" : "jwt";
    p["issuer"] = *a.issuer;
    if (!a.audiences.empty()) {
        p["audiences"] = a.audiences;
    }
    p["remoteJWKS"] = Json{{"uri", *a.jwks}};
    if (!a.claim_to_headers.empty()) {
        Json headers = Json::array();
        for (const auto& [claim, header] : a.claim_to_headers) {
            headers.push_back(Json{{"header", header}, {"claim", claim}});
        }
        p["claimToHeaders"] = headers;
    }
    return p;
}

// The SecurityPolicy <name>-sp, or null when the route needs no authentication.
Json security_policy(const spec::Service& s)
{
    const spec::Auth& a = s.expose->auth;
    Json spec = Json{{"targetRefs", target_refs(s)}};
    switch (a.type) {
    case spec::AuthType::none:
        return nullptr;
    case spec::AuthType::basic:
        // Envoy Gateway reads htpasswd lines (SHA hashes only) from the Secret's key ".htpasswd".
        spec["basicAuth"] = Json{{"users", {{"name", *a.secret}}}};
        break;
    case spec::AuthType::apikey:
        spec["apiKeyAuth"] =
            Json{{"credentialRefs", Json::array({Json{{"group", ""}, {"kind", "Secret"}, {"name", *a.secret}}})},
                 {"extractFrom", Json::array({Json{{"headers", Json::array({a.header.value_or("x-api-key")})}}})}};
        break;
    case spec::AuthType::jwt:
    case spec::AuthType::keycloak:
        spec["jwt"] = Json{{"providers", Json::array({jwt_provider(s)})}};
        break;
    }
    Json o = object_head(s, k_eg_api, "SecurityPolicy", s.name + "-sp");
    o["spec"] = spec;
    return o;
}

// The BackendTrafficPolicy <name>-btp for sticky sessions and consistent hashing, or null.
Json traffic_policy(const spec::Service& s)
{
    if (!s.session || (!s.session->sticky && !s.session->hash_by)) {
        return nullptr;
    }
    Json hash = Json::object();
    if (s.session->sticky) {
        // Envoy sets the cookie itself when the request has none, for `ttl`.
        hash["type"] = "Cookie";
        hash["cookie"] = Json{{"name", spec::affinity_cookie_name(s)}, {"ttl", gateway_duration(s.session->max_age)}};
    } else {
        auto h = spec::parse_hash_by(*s.session->hash_by);
        switch (h->kind) {
        case spec::HashBy::Kind::header:
            hash["type"] = "Header";
            hash["header"] = Json{{"name", h->name}};
            break;
        case spec::HashBy::Kind::cookie:
            hash["type"] = "Cookie";
            hash["cookie"] = Json{{"name", h->name}};
            break;
        case spec::HashBy::Kind::source_ip:
            hash["type"] = "SourceIP";
            break;
        }
    }
    Json o = object_head(s, k_eg_api, "BackendTrafficPolicy", s.name + "-btp");
    o["spec"] = Json{{"targetRefs", target_refs(s)},
                     {"loadBalancer", {{"type", "ConsistentHash"}, {"consistentHash", hash}}}};
    return o;
}

} // namespace

void render_gateway_api(const spec::Service& s, std::vector<Json>& out)
{
    out.push_back(http_route(s));
    for (Json policy : {security_policy(s), traffic_policy(s)}) {
        if (!policy.is_null()) {
            out.push_back(std::move(policy));
        }
    }
}

} // namespace kms::render
