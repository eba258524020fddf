// via istio: VirtualService on the ingress gateway, DestinationRule for session affinity, and for
// JWT a RequestAuthentication plus the AuthorizationPolicy that makes a token mandatory
// (RequestAuthentication alone lets requests without a token through).
#include <render/expose.hpp>
#include <render/render.hpp>
#include <spec/expose.hpp>

namespace kms::render {

namespace {

// One VirtualService http route: `matches` → the service, optionally rewriting the prefix.
Json http_route(const spec::Service& s, Json matches, const std::optional<std::string>& rewrite)
{
    Json r = Json::object();
    if (!matches.is_null()) {
        r["match"] = std::move(matches);
    }
    if (rewrite) {
        r["rewrite"] = Json{{"uri", *rewrite}};
    }
    Json dest = {{"host", s.name}, {"port", {{"number", exposed_port_number(s)}}}};
    r["route"] = Json::array({Json{{"destination", dest}}});
    return r;
}

Json uri(const char* how, const std::string& value)
{
    return Json{{"uri", {{how, value}}}};
}

// Istio's `prefix` is a string prefix ("/api" also matches "/apix") and its rewrite replaces the
// matched characters, so a path prefix P becomes the exact P and the prefix "P/"; with a rewrite R
// each gets its own route so that "P" → "R" and "P/x" → "R/x", as Gateway API's PathPrefix and
// ReplacePrefixMatch do.
Json http_routes(const spec::Service& s)
{
    const spec::Expose& e = *s.expose;
    std::string path = e.path.value_or("/");
    std::string with_slash = path == "/" ? path : path + "/";
    Json routes = Json::array();
    if (e.rewrite) {
        std::string rewrite_slash = *e.rewrite == "/" ? *e.rewrite : *e.rewrite + "/";
        routes.push_back(http_route(s, Json::array({uri("exact", path)}), *e.rewrite));
        routes.push_back(http_route(s, Json::array({uri("prefix", with_slash)}), rewrite_slash));
    } else if (path == "/") {
        routes.push_back(http_route(s, Json::array({uri("prefix", "/")}), std::nullopt));
    } else {
        routes.push_back(http_route(s, Json::array({uri("exact", path), uri("prefix", with_slash)}), std::nullopt));
    }
    return routes;
}

Json virtual_service(const spec::Service& s)
{
    const spec::Expose& e = *s.expose;
    const spec::GatewayRef& g = *e.gateway;
    Json o = object_head(s, "networking.istio.io/v1", "VirtualService", s.name);
    o["spec"] = Json{{"hosts", Json::array({*e.host})},
                     {"gateways", Json::array({g.namespace_ ? *g.namespace_ + "/" + g.name : g.name})},
                     {"http", http_routes(s)}};
    return o;
}

// The DestinationRule for sticky sessions and consistent hashing, or null.
Json destination_rule(const spec::Service& s)
{
    if (!s.session || (!s.session->sticky && !s.session->hash_by)) {
        return nullptr;
    }
    Json hash = Json::object();
    if (s.session->sticky) {
        // With a ttl, Envoy sets the cookie when the request has none.
        hash["httpCookie"] =
            Json{{"name", spec::affinity_cookie_name(s)}, {"ttl", fmt::format("{}s", s.session->max_age)}};
    } else {
        auto h = spec::parse_hash_by(*s.session->hash_by);
        switch (h->kind) {
        case spec::HashBy::Kind::header:
            hash["httpHeaderName"] = h->name;
            break;
        case spec::HashBy::Kind::cookie:
            hash["httpCookie"] = Json{{"name", h->name}};
            break;
        case spec::HashBy::Kind::source_ip:
            hash["useSourceIp"] = true;
            break;
        }
    }
    Json o = object_head(s, "networking.istio.io/v1", "DestinationRule", s.name);
    o["spec"] = Json{{"host", s.name}, {"trafficPolicy", {{"loadBalancer", {{"consistentHash", hash}}}}}};
    return o;
}

Json request_authentication(const spec::Service& s)
{
    const spec::Auth& a = s.expose->auth;
    Json rule = Json::object();
    rule["issuer"] = *a.issuer;
    if (a.jwks) {
        rule["jwksUri"] = *a.jwks; // without it istiod reads jwks_uri from the issuer's discovery document
    }
    if (!a.audiences.empty()) {
        rule["audiences"] = a.audiences;
    }
    if (!a.claim_to_headers.empty()) {
        Json headers = Json::array();
        for (const auto& [claim, header] : a.claim_to_headers) {
            headers.push_back(Json{{"header", header}, {"claim", claim}});
        }
        rule["outputClaimToHeaders"] = headers;
    }
    Json o = object_head(s, "security.istio.io/v1", "RequestAuthentication", s.name);
    o["spec"] = Json{{"selector", {{"matchLabels", selector_labels(s)}}}, {"jwtRules", Json::array({rule})}};
    return o;
}

// Requests for the exposed host need a valid token (a request principal); in-cluster requests,
// which name the service by its cluster DNS name, stay open as for a service that is not exposed.
Json authorization_policy(const spec::Service& s)
{
    const std::string& host = *s.expose->host;
    Json hosts = Json::array({host});
    if (host.front() != '*') {
        hosts.push_back(host + ":*"); // the Host header may carry a port
    }
    Json require = {{"to", Json::array({Json{{"operation", {{"hosts", hosts}}}}})},
                    {"from", Json::array({Json{{"source", {{"requestPrincipals", Json::array({"*"})}}}}})}};
    Json internal = {{"to", Json::array({Json{{"operation", {{"notHosts", hosts}}}}})}};
    Json o = object_head(s, "security.istio.io/v1", "AuthorizationPolicy", s.name + "-require-jwt");
    o["spec"] = Json{{"selector", {{"matchLabels", selector_labels(s)}}},
                     {"action", "ALLOW"},
                     {"rules", Json::array({require, internal})}};
    return o;
}

} // namespace

void render_istio(const spec::Service& s, std::vector<Json>& out)
{
    out.push_back(virtual_service(s));
    if (Json dr = destination_rule(s); !dr.is_null()) {
        out.push_back(std::move(dr));
    }
    spec::AuthType t = s.expose->auth.type;
    if (t == spec::AuthType::jwt || t == spec::AuthType::keycloak) {
        out.push_back(request_authentication(s));
        out.push_back(authorization_policy(s));
    }
}

} // namespace kms::render
