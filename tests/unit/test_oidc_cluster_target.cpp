#include "oidc_fixtures.hpp"

#include <oidc/cluster_target.hpp>
#include <util/clock.hpp>

#include <doctest/doctest.h>

#include <map>

using namespace kms;

namespace {

// An API server holding a fixed set of objects by path; everything else is 404.
struct FakeApi
{
    std::map<std::string, Json> objects;
    test::FakeHttp http;
    std::unique_ptr<kube::Client> client;

    FakeApi()
    {
        http.handler = [this](const http::Request& r) {
            std::string path = r.url.substr(std::string("https://api.test").size());
            if (path.starts_with("/api/v1/namespaces/ml/services/infer:http/proxy/")) {
                return test::json_answer(200, Json{{"proxied", path}, {"method", r.method}, {"body", r.body}});
            }
            auto it = objects.find(path);
            return it == objects.end() ? test::json_answer(404, Json{{"kind", "Status"}, {"code", 404}})
                                       : test::json_answer(200, it->second);
        };
        kube::RestConfig rc;
        rc.server = "https://api.test";
        kube::ClientDeps deps;
        deps.http = http.factory();
        client = std::make_unique<kube::Client>(rc, deps);
    }
};

const char* k_route = "/apis/gateway.networking.k8s.io/v1/namespaces/ml/httproutes/infer";

} // namespace

TEST_SUITE_BEGIN("oidc");

TEST_CASE("ClusterResolver: HTTPRoute host and prefix, the listener's scheme and port, the SecurityPolicy issuer")
{
    FakeApi api;
    api.objects[k_route] = Json{
        {"spec",
         {{"parentRefs", Json::array({Json{{"name", "eg"}, {"namespace", "gw"}, {"sectionName", "web"}}})},
          {"hostnames", Json::array({"infer.services.example.com"})},
          {"rules", Json::array({Json{
                        {"matches", Json::array({Json{{"path", {{"type", "PathPrefix"}, {"value", "/api"}}}}})}}})}}}};
    api.objects["/apis/gateway.networking.k8s.io/v1/namespaces/gw/gateways/eg"] =
        Json{{"spec",
              {{"listeners", Json::array({Json{{"name", "tls"}, {"protocol", "HTTPS"}, {"port", 443}},
                                          Json{{"name", "web"}, {"protocol", "HTTP"}, {"port", 8080}}})}}}};
    api.objects["/apis/gateway.envoyproxy.io/v1alpha1/namespaces/ml/securitypolicies/infer-sp"] =
        Json{{"spec",
              {{"jwt",
                {{"providers", Json::array({Json{{"name", "keycloak"},
                                                 {"issuer", "https://sso.example.com/realms/acme"},
                                                 {"audiences", Json::array({"api"})}}})}}}}}};
    oidc::ClusterResolver resolver(*api.client, "ml");
    auto t = resolver.resolve("infer");
    CHECK(t.base_url == "http://infer.services.example.com:8080/api");
    REQUIRE(t.issuer);
    CHECK(t.issuer->issuer == "https://sso.example.com/realms/acme");
    CHECK(t.audiences == std::vector<std::string>{"api"});
}

TEST_CASE("ClusterResolver: an HTTPRoute without a readable Gateway or policy is https without a token")
{
    FakeApi api;
    api.objects[k_route] = Json{{"spec", {{"hostnames", Json::array({"h.example.com"})}}}};
    auto t = oidc::ClusterResolver(*api.client, "ml").resolve("infer");
    CHECK(t.base_url == "https://h.example.com");
    CHECK_FALSE(t.issuer);
}

TEST_CASE("ClusterResolver: Istio VirtualService with RequestAuthentication, then Ingress")
{
    FakeApi api;
    api.objects["/apis/networking.istio.io/v1/namespaces/ml/virtualservices/infer"] =
        Json{{"spec",
              {{"hosts", Json::array({"vs.example.com"})},
               {"http", Json::array({Json{{"match", Json::array({Json{{"uri", {{"prefix", "/v1"}}}}})}}})}}}};
    api.objects["/apis/security.istio.io/v1/namespaces/ml/requestauthentications/infer"] =
        Json{{"spec", {{"jwtRules", Json::array({Json{{"issuer", "https://sso/realms/x"}}})}}}};
    auto vs = oidc::ClusterResolver(*api.client, "ml").resolve("infer");
    CHECK(vs.base_url == "https://vs.example.com/v1");
    CHECK(vs.issuer->issuer == "https://sso/realms/x");

    FakeApi ingress;
    ingress.objects["/apis/networking.k8s.io/v1/namespaces/ml/ingresses/infer"] = Json{
        {"spec",
         {{"rules",
           Json::array({Json{{"host", "ing.example.com"}, {"http", {{"paths", Json::array({Json{{"path", "/"}}})}}}}})},
          {"tls", Json::array({Json{{"hosts", Json::array({"ing.example.com"})}}})}}}};
    CHECK(oidc::ClusterResolver(*ingress.client, "ml").resolve("infer").base_url == "https://ing.example.com");
}

TEST_CASE("ClusterResolver: a service without routes is not exposed")
{
    FakeApi api;
    CHECK_THROWS_WITH(oidc::ClusterResolver(*api.client, "ml").resolve("infer"),
                      doctest::Contains("has no HTTPRoute, VirtualService or Ingress"));
}

TEST_CASE("--internal: the service proxy path with the Service's first port, and the call through it")
{
    FakeApi api;
    api.objects["/api/v1/namespaces/ml/services/infer"] =
        Json{{"spec", {{"ports", Json::array({Json{{"name", "http"}, {"port", 80}}})}}}};
    std::string path = oidc::service_proxy_path(*api.client, "ml", "infer", "/predict?x=1");
    CHECK(path == "/api/v1/namespaces/ml/services/infer:http/proxy/predict?x=1");
    CHECK_THROWS_WITH(oidc::service_proxy_path(*api.client, "ml", "nope", ""),
                      "service nope not found in namespace ml");

    util::FakeClock clock;
    oidc::CallRequest req;
    req.method = "POST";
    req.body = "{}";
    req.headers = {{"Content-Type", "application/json"}};
    auto result = oidc::perform_internal_call(*api.client, req, path, clock);
    CHECK(result.response.status == 200);
    CHECK(Json::parse(result.response.body)["proxied"] ==
          "/api/v1/namespaces/ml/services/infer:http/proxy/predict?x=1");
    CHECK(Json::parse(result.response.body)["method"] == "POST");
    req.headers.emplace_back("X-Trace", "1");
    CHECK_THROWS_WITH(oidc::perform_internal_call(*api.client, req, path, clock), doctest::Contains("X-Trace"));
}

TEST_SUITE_END();
