#include "error_of.hpp"

#include <spec/config.hpp>
#include <spec/expose.hpp>
#include <spec/load.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace kms::spec;

namespace {

const char* k_config = R"(domain: example.com
gateway: {name: eg, namespace: envoy-gateway-system}
keycloak: {url: "https://sso.example.com/auth/", realm: Hyperplane}
)";

struct Input
{
    std::string yaml;
    std::string config = k_config;
    Overrides flags{};
};

Loaded load(const Input& in)
{
    kms::util::MemoryFs fs;
    fs.files["service.yaml"] = in.yaml;
    fs.files["config.yaml"] = in.config;
    LoadInput li;
    li.files = {"service.yaml"};
    li.cwd = "/work/app";
    li.overrides = in.flags;
    return load_services(li, load_config("config.yaml", fs), fs);
}

Service load_one(const Input& in)
{
    Loaded l;
    try {
        l = load(in);
    } catch (const kms::Error& e) {
        FAIL("unexpected error: " << std::string(e.what()));
    }
    REQUIRE(l.services.size() == 1);
    return l.services.front();
}

// The message loading throws (exit code 2), or "" when the service loads.
std::string error_of(const Input& in)
{
    return kms::test::usage_error_of([&] { load(in); });
}

std::string with_expose(const std::string& expose_body)
{
    return "name: web\nimage: nginx:1.27\nexpose:\n" + expose_body;
}

} // namespace

TEST_SUITE("spec::expose")
{
    TEST_CASE("the whole section is read into the model")
    {
        Service s = load_one({with_expose(R"(  host: web.example.com
  path: /api/
  rewrite: /v2
  via: istio
  port: http
  gateway: istio-system/public
  auth:
    type: jwt
    issuer: https://sso.example.com/realms/acme
    audiences: [a, b]
    claimToHeaders: {preferred_username: x-user, email: x-email}
)")});
        REQUIRE(s.expose);
        const Expose& e = *s.expose;
        CHECK(e.host == "web.example.com");
        CHECK(e.path == "/api"); // a trailing '/' adds nothing to a prefix
        CHECK(e.rewrite == "/v2");
        CHECK(e.via == ExposeVia::istio);
        CHECK(e.port == "http");
        REQUIRE(e.gateway);
        CHECK(e.gateway->name == "public");
        CHECK(e.gateway->namespace_ == "istio-system");
        CHECK(e.auth.type == AuthType::jwt);
        CHECK(e.auth.issuer == "https://sso.example.com/realms/acme");
        CHECK_FALSE(e.auth.jwks); // via istio, istiod discovers it
        CHECK(e.auth.audiences == std::vector<std::string>{"a", "b"});
        REQUIRE(e.auth.claim_to_headers.size() == 2);
        CHECK(e.auth.claim_to_headers[0] == std::pair<std::string, std::string>{"preferred_username", "x-user"});
        CHECK(e.auth.claim_to_headers[1] == std::pair<std::string, std::string>{"email", "x-email"});
    }

    TEST_CASE("defaults: via gateway-api, host <name>.services.<domain>, the config's gateway")
    {
        Service s = load_one({with_expose("  path: /web\n")});
        REQUIRE(s.expose);
        CHECK(s.expose->via == ExposeVia::gateway_api);
        CHECK(s.expose->host == "web.services.example.com");
        REQUIRE(s.expose->gateway);
        CHECK(s.expose->gateway->name == "eg");
        CHECK(s.expose->gateway->namespace_ == "envoy-gateway-system");
        CHECK(s.expose->auth.type == AuthType::none);
    }

    TEST_CASE("expose: true takes every default, expose: false keeps the service internal")
    {
        CHECK(load_one({"name: web\nimage: nginx:1.27\nexpose: true\n"}).expose->host == "web.services.example.com");
        CHECK_FALSE(load_one({"name: web\nimage: nginx:1.27\nexpose: false\n"}).expose);
        CHECK_FALSE(load_one({"name: web\nimage: nginx:1.27\n"}).expose);
    }

    TEST_CASE("keycloak shorthand: issuer {url}/realms/{realm}, JWKS under protocol/openid-connect/certs")
    {
        for (const char* body : {"  auth: keycloak\n", "  auth: {type: keycloak}\n"}) {
            Service s = load_one({with_expose(body)});
            CHECK(s.expose->auth.type == AuthType::keycloak);
            // The config's url keeps its legacy /auth and loses its trailing '/'.
            CHECK(s.expose->auth.issuer == "https://sso.example.com/auth/realms/Hyperplane");
            CHECK(s.expose->auth.jwks ==
                  "https://sso.example.com/auth/realms/Hyperplane/protocol/openid-connect/certs");
        }
    }

    TEST_CASE("keycloak needs url and realm in the user config")
    {
        std::string err = error_of({with_expose("  auth: keycloak\n"), "domain: example.com\ngateway: {name: eg}\n"
                                                                      "keycloak: {url: https://sso.example.com}\n"});
        CHECK(err.find("service.yaml:4:9: expose.auth.type: auth type keycloak takes the issuer from the user config")
              == 0);
    }

    TEST_CASE("flags create the section and override the file; --auth replaces the whole auth section")
    {
        Input in{with_expose("  host: a.example.com\n  auth: {type: apikey, secret: keys, header: x-key}\n")};
        in.flags.expose.host = "b.example.com";
        in.flags.expose.auth = "jwt";
        in.flags.expose.jwt_issuer = "http://127.0.0.1:8080/realms/test"; // http is fine on loopback
        in.flags.expose.jwt_jwks = "http://localhost:8080/realms/test/protocol/openid-connect/certs";
        in.flags.expose.jwt_audiences = {"api"};
        in.flags.expose.claim_to_headers = {"sub=x-sub"};
        Service s = load_one(in);
        CHECK(s.expose->host == "b.example.com");
        CHECK(s.expose->auth.type == AuthType::jwt);
        CHECK_FALSE(s.expose->auth.secret);
        CHECK_FALSE(s.expose->auth.header);
        CHECK(s.expose->auth.audiences == std::vector<std::string>{"api"});
        CHECK(s.expose->auth.claim_to_headers == KeyValues{{"sub", "x-sub"}});

        Input flags_only{"name: web\nimage: nginx:1.27\n"};
        flags_only.flags.expose.via = "ingress";
        Service f = load_one(flags_only);
        REQUIRE(f.expose);
        CHECK(f.expose->via == ExposeVia::ingress);
        CHECK(f.expose->host == "web.services.example.com");
        CHECK_FALSE(f.expose->gateway); // ingress takes no gateway
    }

    TEST_CASE("host names: RFC 1123, lower case, a wildcard only as the whole first label")
    {
        CHECK(error_of({with_expose("  host: \"*.apps.example.com\"\n")}) == "");
        CHECK(error_of({with_expose("  host: web-1.example.com\n")}) == "");
        auto host_error = [](const char* host) {
            return error_of({with_expose(fmt::format("  host: \"{}\"\n", host))});
        };
        CHECK(host_error("Web.example.com").find("is not a valid host name") != std::string::npos);
        CHECK(host_error("web.*.example.com").find("a wildcard is allowed only as the whole first label") !=
              std::string::npos);
        CHECK(host_error("*").find("is not a valid host name") != std::string::npos);
        CHECK(host_error("*web.example.com").find("is not a valid host name") != std::string::npos);
        CHECK(host_error("-web.example.com").find("is not a valid host name") != std::string::npos);
        CHECK(host_error("web.example.com:8443") ==
              "service.yaml:4:9: expose.host: give only the host name, without scheme, port or path, got "
              "\"web.example.com:8443\"");
        CHECK(host_error("10.0.0.1") == "service.yaml:4:9: expose.host: \"10.0.0.1\" is an IP address; routes match "
                                        "host names");
    }

    TEST_CASE("the default host must be valid too, reported at the config's domain")
    {
        std::string err = error_of({with_expose("  path: /x\n"), "domain: Example.COM\ngateway: {name: eg}\n"});
        CHECK(err.find("config.yaml:1:9: domain: the default host \"web.services.Example.COM\" is not a valid host") ==
              0);
    }

    TEST_CASE("paths start with '/', hold URL path characters only, and a rewrite needs a path")
    {
        auto path_error = [](const char* path) {
            return error_of({with_expose(fmt::format("  path: \"{}\"\n", path))});
        };
        CHECK(path_error("/a/b-c_d.e~f/%20") == "");
        CHECK(path_error("api") == "service.yaml:4:9: expose.path: must start with '/', got \"api\"");
        CHECK(path_error("/a b").find("contains ' '") != std::string::npos);
        CHECK(path_error("/a?b").find("contains '?'") != std::string::npos);
        CHECK(path_error("/a//b").find("contains '//'") != std::string::npos);
        CHECK(path_error("/a/../b").find("'..' segment") != std::string::npos);
        CHECK(path_error("/a%2").find("'%' that is not followed by two hexadecimal digits") != std::string::npos);
        CHECK(error_of({with_expose("  rewrite: /v2\n")}) ==
              "service.yaml:4:12: expose.rewrite: a rewrite replaces the matched path prefix: set expose.path (or "
              "--path) too");
    }

    TEST_CASE("issuer and JWKS: absolute https, http only for loopback")
    {
        auto issuer_error = [](const char* url) {
            return error_of({with_expose(fmt::format("  auth: {{type: jwt, issuer: \"{}\", jwks: "
                                                     "\"https://sso.example.com/certs\"}}\n",
                                                     url))});
        };
        CHECK(issuer_error("https://sso.example.com/realms/acme") == "");
        CHECK(issuer_error("https://sso.example.com:8443") == "");
        CHECK(issuer_error("http://localhost:8080/realms/a") == "");
        CHECK(issuer_error("http://127.0.0.1/realms/a") == "");
        CHECK(issuer_error("http://[::1]:9000/") == "");
        CHECK(issuer_error("http://127.10.0.1:8080") == "");
        for (const char* bad : {"http://sso.example.com", "sso.example.com/realms/a", "https://",
                                "ftp://sso.example.com", "https:///realms/a", "http://127.0.0.1.example.com/",
                                "https://user@sso.example.com"}) {
            CAPTURE(bad);
            CHECK(issuer_error(bad).find("expose.auth.issuer: must be an absolute https URL") != std::string::npos);
        }
    }

    TEST_CASE("each auth type takes its own fields, and the secrets are valid names")
    {
        CHECK(error_of({with_expose("  auth: {type: basic, secret: web-users}\n")}) == "");
        CHECK(error_of({with_expose("  auth: {type: basic}\n")}) ==
              "service.yaml:4:9: expose.auth: basic auth needs the Secret holding the htpasswd lines: set "
              "expose.auth.secret (or --auth-secret)");
        CHECK(error_of({with_expose("  auth: {type: none, secret: x}\n")}) ==
              "service.yaml:4:30: expose.auth.secret: only for auth type basic or apikey (the type is none)");
        CHECK(error_of({with_expose("  auth: {type: apikey, secret: k, header: \"x key\"}\n")}) ==
              "service.yaml:4:43: expose.auth.header: \"x key\" is not a valid HTTP header name");
        CHECK(error_of({with_expose("  auth: {type: apikey, secret: Keys_1}\n")}) ==
              "service.yaml:4:32: expose.auth.secret: \"Keys_1\" is not a valid Secret name");
        CHECK(error_of({with_expose("  auth: {type: keycloak, audiences: [\" \"]}\n")}) ==
              "service.yaml:4:38: expose.auth.audiences[0]: an audience must be a non-empty string");
        CHECK(error_of({with_expose("  auth: {type: oidc}\n")}) ==
              "service.yaml:4:16: expose.auth.type: must be one of none, basic, apikey, jwt, keycloak, got \"oidc\"");
        CHECK(error_of({with_expose("  auth: {secret: x}\n")}).find("expose.auth: 'type' is required") !=
              std::string::npos);
    }

    TEST_CASE("each mode rejects the auth types it cannot enforce, naming the alternatives")
    {
        struct Row
        {
            const char* via;
            const char* auth;
            const char* wanted; // "" when valid
        };
        const Row rows[] = {
            {"gateway-api", "{type: basic, secret: s}", ""},
            {"gateway-api", "{type: apikey, secret: s}", ""},
            {"gateway-api", "{type: jwt, issuer: \"https://i.example.com\", jwks: \"https://i.example.com/k\"}", ""},
            {"gateway-api", "keycloak", ""},
            {"istio", "{type: jwt, issuer: \"https://i.example.com\"}", ""},
            {"istio", "keycloak", ""},
            {"istio", "{type: basic, secret: s}", "basic auth is not supported via istio"},
            {"istio", "{type: apikey, secret: s}", "apikey auth is not supported via istio"},
            {"ingress", "{type: basic, secret: s}", ""},
            {"ingress", "{type: apikey, secret: s}", "apikey auth is not supported via ingress"},
            {"ingress", "keycloak", "keycloak auth is not supported via ingress (ingress-nginx cannot validate JWTs); "
                                    "use via: gateway-api (Envoy Gateway SecurityPolicy) or via: istio"},
            {"ingress", "{type: jwt, issuer: \"https://i.example.com\"}", "jwt auth is not supported via ingress"},
        };
        for (const auto& row : rows) {
            CAPTURE(row.via);
            CAPTURE(row.auth);
            std::string err = error_of({with_expose(fmt::format("  via: {}\n  auth: {}\n", row.via, row.auth))});
            if (*row.wanted == '\0') {
                CHECK(err == "");
            } else {
                CHECK(err.find(row.wanted) != std::string::npos);
            }
        }
    }

    TEST_CASE("Envoy Gateway's bounds: at most 8 audiences, URLs of at most 253 characters")
    {
        CHECK(error_of({with_expose("  auth: {type: keycloak, audiences: [a, b, c, d, e, f, g, h]}\n")}) == "");
        CHECK(error_of({with_expose("  auth: {type: keycloak, audiences: [a, b, c, d, e, f, g, h, i]}\n")}) ==
              "service.yaml:4:37: expose.auth.audiences: Envoy Gateway accepts at most 8 audiences, got 9");
        // Istio has no such bound.
        std::string nine = "  auth: {type: keycloak, audiences: [a, b, c, d, e, f, g, h, i]}\n";
        CHECK(error_of({with_expose("  via: istio\n" + nine)}) == "");
        std::string long_issuer = "https://sso.example.com/" + std::string(240, 'a');
        std::string jwt = "  auth: {{type: jwt, issuer: \"{}\", jwks: \"https://k.example.com\"}}\n";
        CHECK(error_of({with_expose(fmt::format(fmt::runtime(jwt), long_issuer))})
                  .find("expose.auth.issuer: Envoy Gateway accepts at most 253 characters, got 264") !=
              std::string::npos);
    }

    TEST_CASE("gateway-api needs the JWKS; TLS only via ingress; a gateway only via gateway-api and istio")
    {
        CHECK(error_of({with_expose("  auth: {type: jwt, issuer: \"https://i.example.com\"}\n")})
                  .find("via gateway-api, auth type jwt needs the JWKS URL") != std::string::npos);
        CHECK(error_of({with_expose("  via: ingress\n  tls: {secret: web-tls}\n")}) == "");
        CHECK(error_of({with_expose("  tls: {secret: web-tls}\n")}).find("TLS ends at the Gateway's listener") !=
              std::string::npos);
        CHECK(error_of({with_expose("  via: istio\n  tls: {secret: web-tls}\n")})
                  .find("TLS ends at the Istio Gateway's server") != std::string::npos);
        CHECK(error_of({with_expose("  via: ingress\n  gateway: eg\n")})
                  .find("expose.gateway: only for via gateway-api and istio") != std::string::npos);
        CHECK(error_of({with_expose("  via: istio\n  gateway: {name: gw, sectionName: https}\n")})
                  .find("sectionName names a Gateway API listener; it is not used via istio") != std::string::npos);
        CHECK(error_of({with_expose("  host: web.example.com\n"), "domain: example.com\n"})
                  .find("via gateway-api needs a gateway to attach to") != std::string::npos);
    }

    TEST_CASE("the exposed port: by name or service port number, never a tcp port")
    {
        const char* ports = "name: web\nimage: nginx:1.27\nports:\n  - {name: metrics, port: 9090, protocol: tcp}\n"
                            "  - {name: api, port: 8080, servicePort: 80}\n";
        Service s = load_one({std::string(ports) + "expose: true\n"});
        REQUIRE(exposed_port(s));
        CHECK(exposed_port(s)->name == "api"); // the first port that is not plain tcp
        CHECK(exposed_port(load_one({std::string(ports) + "expose: {port: \"80\"}\n"}))->name == "api");
        CHECK(error_of({std::string(ports) + "expose: {port: metrics}\n"}) ==
              "service.yaml:6:16: expose.port: port \"metrics\" is tcp; routes need an http, grpc or websocket port");
    }

    TEST_CASE("session.hashBy forms, and a warning when nothing is exposed")
    {
        CHECK(parse_hash_by("source-ip")->kind == HashBy::Kind::source_ip);
        CHECK(parse_hash_by("header:x-user")->kind == HashBy::Kind::header);
        CHECK(parse_hash_by("header:x-user")->name == "x-user");
        CHECK(parse_hash_by("cookie:sid")->kind == HashBy::Kind::cookie);
        CHECK_FALSE(parse_hash_by("header:"));
        CHECK_FALSE(parse_hash_by("ip"));
        CHECK(error_of({"name: web\nimage: nginx:1.27\nsession: {hashBy: \"header:x user\"}\nexpose: true\n"}) ==
              "service.yaml:3:19: session.hashBy: \"x user\" is not a valid header name");
        CHECK(error_of({"name: web\nimage: nginx:1.27\nsession: {hashBy: \"cookie:my-sid\"}\nexpose: {via: ingress}\n"})
                  .find("via ingress, a cookie name may hold only letters, digits and '_'") != std::string::npos);
        Loaded l = load({"name: web\nimage: nginx:1.27\nsession: {sticky: true}\n"});
        REQUIRE(l.warnings.size() == 1);
        CHECK(l.warnings[0].find("session: has no effect without 'expose'") != std::string::npos);
    }

    TEST_CASE("flag errors name the flag")
    {
        Input in{"name: web\nimage: nginx:1.27\n"};
        in.flags.expose.jwt_issuer = "https://sso.example.com/realms/a";
        CHECK(error_of(in) == "flag --jwt-issuer: only for auth type jwt (the type is none)");
        Input via{"name: web\nimage: nginx:1.27\n"};
        via.flags.expose.via = "nginx";
        CHECK(error_of(via) == "flag --via: must be one of gateway-api, istio, ingress, got \"nginx\"");
        Input host{"name: web\nimage: nginx:1.27\n"};
        host.flags.expose.host = "Bad_Host";
        CHECK(error_of(host).find("flag --host: \"Bad_Host\" is not a valid host name") == 0);
    }
}
