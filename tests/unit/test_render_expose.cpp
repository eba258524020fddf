#include <render/render.hpp>
#include <spec/config.hpp>
#include <spec/load.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace kms;

namespace {

const char* k_config = R"(domain: example.com
gateway: {name: eg, namespace: envoy-gateway-system}
ingressClass: nginx-internal
)";

std::vector<Json> render_yaml(const std::string& yaml)
{
    util::MemoryFs fs;
    fs.files["service.yaml"] = yaml;
    fs.files["config.yaml"] = k_config;
    spec::LoadInput li;
    li.files = {"service.yaml"};
    li.cwd = "/work/app";
    spec::Config config = spec::load_config("config.yaml", fs);
    return render::render_all(spec::load_services(li, config, fs).services, config).objects;
}

Json only(const std::vector<Json>& objects, const std::string& kind)
{
    std::vector<Json> found;
    for (const auto& o : objects) {
        if (o["kind"] == kind) {
            found.push_back(o);
        }
    }
    REQUIRE_MESSAGE(found.size() == 1, kind << ": " << found.size());
    return found.front();
}

std::vector<std::string> kinds(const std::vector<Json>& objects)
{
    std::vector<std::string> out;
    for (const auto& o : objects) {
        out.push_back(o["kind"]);
    }
    return out;
}

std::string service(const std::string& extra)
{
    return "name: web\nimage: nginx:1.27\n" + extra;
}

} // namespace

TEST_SUITE("render::expose")
{
    TEST_CASE("an internal service renders no exposure objects")
    {
        CHECK(kinds(render_yaml(service(""))) == std::vector<std::string>{"Service", "Deployment"});
    }

    TEST_CASE("gateway-api: the objects follow the core ones, policies only when needed")
    {
        CHECK(kinds(render_yaml(service("expose: true\n"))) ==
              std::vector<std::string>{"Service", "Deployment", "HTTPRoute"});
        CHECK(kinds(render_yaml(service("session: {hashBy: source-ip}\nexpose: {auth: {type: basic, secret: u}}\n"))) ==
              std::vector<std::string>{"Service", "Deployment", "HTTPRoute", "SecurityPolicy", "BackendTrafficPolicy"});
        // A session without sticky or hashBy changes nothing.
        CHECK(kinds(render_yaml(service("session: {maxAge: 60}\nexpose: true\n"))) ==
              std::vector<std::string>{"Service", "Deployment", "HTTPRoute"});
    }

    TEST_CASE("gateway-api: the sticky cookie's ttl is a Gateway API duration (at most 5 digits a unit)")
    {
        auto ttl = [](int max_age) {
            auto objects = render_yaml(service(fmt::format("session: {{sticky: true, maxAge: {}}}\nexpose: true\n",
                                                           max_age)));
            return only(objects, "BackendTrafficPolicy")["spec"]["loadBalancer"]["consistentHash"]["cookie"]["ttl"]
                .get<std::string>();
        };
        CHECK(ttl(45) == "45s");
        CHECK(ttl(90) == "1m30s");
        CHECK(ttl(86400) == "24h");
        CHECK(ttl(90061) == "25h1m1s");
        CHECK(ttl(31536000) == "8760h");
    }

    TEST_CASE("gateway-api: the route goes to the exposed port's service port")
    {
        auto objects = render_yaml(service("ports:\n  - {name: raw, port: 7000, protocol: tcp}\n"
                                           "  - {name: web, port: 8080, servicePort: 80}\nexpose: true\n"));
        CHECK(only(objects, "HTTPRoute")["spec"]["rules"][0]["backendRefs"][0] == Json{{"name", "web"}, {"port", 80}});
    }

    TEST_CASE("istio: a path is matched per segment, and a rewrite keeps the rest of the path")
    {
        auto http = [](const std::string& expose) {
            auto objects = render_yaml(service("expose: {via: istio, gateway: istio-system/gw, " + expose + "}\n"));
            return only(objects, "VirtualService")["spec"]["http"];
        };
        Json plain = http("path: /api");
        REQUIRE(plain.size() == 1);
        CHECK(plain[0]["match"] == Json::parse(R"([{"uri": {"exact": "/api"}}, {"uri": {"prefix": "/api/"}}])"));
        Json rewritten = http("path: /api, rewrite: /");
        REQUIRE(rewritten.size() == 2);
        CHECK(rewritten[0]["match"][0]["uri"]["exact"] == "/api");
        CHECK(rewritten[0]["rewrite"]["uri"] == "/");
        CHECK(rewritten[1]["match"][0]["uri"]["prefix"] == "/api/");
        CHECK(rewritten[1]["rewrite"]["uri"] == "/"); // "/api/x" → "/x", not "//x"
        Json deeper = http("path: /api, rewrite: /v2");
        CHECK(deeper[0]["rewrite"]["uri"] == "/v2");
        CHECK(deeper[1]["rewrite"]["uri"] == "/v2/");
        CHECK(only(render_yaml(service("expose: {via: istio, gateway: gw}\n")), "VirtualService")["spec"]["gateways"] ==
              Json::array({"gw"}));
    }

    TEST_CASE("istio: JWT adds RequestAuthentication and an AuthorizationPolicy requiring a principal on the host")
    {
        auto objects = render_yaml(service("expose:\n  host: \"*.apps.example.com\"\n  via: istio\n  gateway: gw\n"
                                           "  auth: {type: jwt, issuer: \"https://i.example.com\"}\n"));
        Json ra = only(objects, "RequestAuthentication");
        CHECK(ra["spec"]["selector"]["matchLabels"] == Json{{"app.kubernetes.io/instance", "web"}});
        CHECK(ra["spec"]["jwtRules"][0] == Json{{"issuer", "https://i.example.com"}});
        Json ap = only(objects, "AuthorizationPolicy");
        CHECK(ap["metadata"]["name"] == "web-require-jwt");
        CHECK(ap["spec"]["action"] == "ALLOW");
        // A wildcard host takes no ":*" port form.
        CHECK(ap["spec"]["rules"][0]["to"][0]["operation"]["hosts"] == Json::array({"*.apps.example.com"}));
        CHECK(ap["spec"]["rules"][0]["from"][0]["source"]["requestPrincipals"] == Json::array({"*"}));
        CHECK(ap["spec"]["rules"][1]["to"][0]["operation"]["notHosts"] == Json::array({"*.apps.example.com"}));
        CHECK_FALSE(ap["spec"]["rules"][1].contains("from"));
    }

    TEST_CASE("ingress: rewrites become ingress-nginx regex captures with the path escaped")
    {
        auto ingress = [](const std::string& expose) {
            return only(render_yaml(service("expose: {via: ingress, " + expose + "}\n")), "Ingress");
        };
        Json i = ingress("path: /v1.0, rewrite: /api");
        CHECK(i["spec"]["ingressClassName"] == "nginx-internal");
        Json path = i["spec"]["rules"][0]["http"]["paths"][0];
        CHECK(path["path"] == "/v1\\.0(/|$)(.*)");
        CHECK(path["pathType"] == "ImplementationSpecific");
        CHECK(i["metadata"]["annotations"]["nginx.ingress.kubernetes.io/rewrite-target"] == "/api$1$2");
        CHECK(i["metadata"]["annotations"]["nginx.ingress.kubernetes.io/use-regex"] == "true");
        Json root = ingress("path: /, rewrite: /app");
        CHECK(root["spec"]["rules"][0]["http"]["paths"][0]["path"] == "/(.*)");
        CHECK(root["metadata"]["annotations"]["nginx.ingress.kubernetes.io/rewrite-target"] == "/app/$1");
        Json plain = ingress("path: /docs");
        CHECK(plain["spec"]["rules"][0]["http"]["paths"][0]["pathType"] == "Prefix");
        CHECK_FALSE(plain["metadata"].contains("annotations"));
    }

    TEST_CASE("ingress: hash-by maps to nginx variables")
    {
        auto hash_by = [](const char* by) {
            std::string yaml = fmt::format("session: {{hashBy: \"{}\"}}\nexpose: {{via: ingress}}\n", by);
            auto i = only(render_yaml(service(yaml)), "Ingress");
            return i["metadata"]["annotations"]["nginx.ingress.kubernetes.io/upstream-hash-by"].get<std::string>();
        };
        CHECK(hash_by("header:X-User-Id") == "$http_x_user_id");
        CHECK(hash_by("cookie:sid") == "$cookie_sid");
        CHECK(hash_by("source-ip") == "$remote_addr");
    }

    TEST_CASE("a Service that skipped the loader cannot render an unresolved exposure")
    {
        spec::Service s;
        s.name = "web";
        s.image = "nginx:1.27";
        s.ports.push_back(spec::Port{});
        s.expose = spec::Expose{};
        CHECK_THROWS_WITH_AS(render::render(s, spec::Config{}),
                             "render: the exposure of service \"web\" was not resolved (no host or via)", Error);
    }
}
