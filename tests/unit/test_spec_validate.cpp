#include "service_fixture.hpp"

#include <spec/validate.hpp>

#include <doctest/doctest.h>

using kms::test::load_error;
using namespace kms::spec;

namespace {

// A valid service built in code, positions set as a file would set them.
Service valid_service()
{
    Service s;
    s.name = "web";
    s.image = "ghcr.io/acme/web:1.0";
    s.ports.push_back(Port{"http", 8080, Protocol::http, {}, {}});
    s.positions["name"] = kms::SourcePos{"svc.yaml", 1, 7, {}};
    s.positions["replicas.min"] = kms::SourcePos{"svc.yaml", 4, 17, {}};
    s.positions["replicas"] = kms::SourcePos{"svc.yaml", 4, 11, {}};
    return s;
}

std::vector<std::string> errors_of(const Service& s)
{
    kms::Diagnostics d;
    validate(s, d);
    return d.errors();
}

} // namespace

TEST_SUITE("spec::validate")
{
    TEST_CASE("a valid service has no errors")
    {
        CHECK(errors_of(valid_service()).empty());
    }

    TEST_CASE("names must be DNS-1123 labels, reported at the name's position")
    {
        Service s = valid_service();
        s.name = "My_Service";
        CHECK(errors_of(s) == std::vector<std::string>{
                                  "svc.yaml:1:7: name: \"My_Service\" is not a valid name: use at most 63 lower-case "
                                  "letters, digits and '-', starting and ending with a letter or digit"});
        s.name = std::string(64, 'a');
        CHECK(errors_of(s).size() == 1);
        s.name = std::string(63, 'a');
        CHECK(errors_of(s).empty());
    }

    TEST_CASE("replica bounds: min ≤ max, and min 0 only when max is 0 (switched off)")
    {
        Service s = valid_service();
        s.replicas = {3, 2};
        CHECK(errors_of(s) == std::vector<std::string>{"svc.yaml:4:17: replicas: min (3) must not exceed max (2)"});
        s.replicas = {0, 2};
        CHECK(errors_of(s) == std::vector<std::string>{"svc.yaml:4:11: replicas: min may be 0 only when max is 0 too "
                                                       "(the service is off); got max 2"});
        s.replicas = {0, 0};
        CHECK(errors_of(s).empty());
        s.replicas = {2, 2};
        CHECK(errors_of(s).empty());
    }

    TEST_CASE("a missing image names where it could have come from")
    {
        Service s = valid_service();
        s.image.clear();
        CHECK(errors_of(s) == std::vector<std::string>{
                                  "image: required (set 'image', --image, or an 'environment' preset that supplies one)"});
        s.environment = "basic";
        CHECK(errors_of(s) ==
              std::vector<std::string>{"image: environment \"basic\" supplies no image; set 'image' or --image"});
    }

    TEST_CASE("port names: at most 15 characters, lower-case, with a letter, unique")
    {
        Service s = valid_service();
        s.ports[0].name = "http-metrics-endpoint";
        CHECK(errors_of(s).size() == 1);
        s.ports[0].name = "8080";
        CHECK(errors_of(s).size() == 1);
        s.ports[0].name = "HTTP";
        CHECK(errors_of(s).size() == 1);
        s.ports[0].name = "http";
        s.ports.push_back(Port{"http", 9090, Protocol::http, {}, {}});
        CHECK(errors_of(s) == std::vector<std::string>{"ports[1].name: duplicate port name \"http\""});
    }

    TEST_CASE("container and service ports must be unique; nodePort needs NodePort or LoadBalancer")
    {
        Service s = valid_service();
        s.ports.push_back(Port{"admin", 8080, Protocol::http, 81, {}});
        CHECK(errors_of(s) == std::vector<std::string>{"ports[1].port: container port 8080 is used twice"});
        s.ports[1].port = 8081;
        s.ports[1].service_port = 8080;
        CHECK(errors_of(s) == std::vector<std::string>{"ports[1].servicePort: service port 8080 is used twice"});
        s.ports[1].service_port.reset();
        s.ports[1].node_port = 30080;
        CHECK(errors_of(s) == std::vector<std::string>{
                                  "ports[1].nodePort: needs service.type NodePort or LoadBalancer (it is ClusterIP)"});
        s.service_type = "NodePort";
        CHECK(errors_of(s).empty());
    }

    TEST_CASE("limits may not be below the requests")
    {
        Service s = valid_service();
        s.resources.cpu = "1";
        s.resources.cpu_limit = "500m";
        CHECK(errors_of(s) == std::vector<std::string>{"resources.limits.cpu: 500m is below the request 1"});
        s.resources.cpu_limit = "1000m";
        CHECK(errors_of(s).empty());
        s.resources.memory = "1Gi";
        s.resources.memory_limit = "1000Mi";
        CHECK(errors_of(s) == std::vector<std::string>{"resources.limits.memory: 1000Mi is below the request 1Gi"});
    }

    TEST_CASE("git: commits are 7 to 64 hex digits; the credentials Secret name is checked")
    {
        Service s = valid_service();
        s.git = Git{"https://g/r.git", {}, "abc", {}};
        CHECK(errors_of(s) ==
              std::vector<std::string>{"git.commit: \"abc\" is not a commit id (7 to 40 hexadecimal digits)"});
        s.git->commit = "zzzzzzz";
        CHECK(errors_of(s).size() == 1);
        s.git->commit = "3f2c1a9";
        CHECK(errors_of(s).empty());
        s.git->commit = std::string(40, 'a');
        CHECK(errors_of(s).empty());
        s.git->secret = "Git_Creds";
        CHECK(errors_of(s) == std::vector<std::string>{"git.secret: \"Git_Creds\" is not a valid Secret name"});
    }

    TEST_CASE("paths inside the repository: relative, without '..'")
    {
        Service s = valid_service();
        s.working_dir = "/abs";
        CHECK(errors_of(s).size() == 1);
        s.working_dir = "a/../../b";
        CHECK(errors_of(s).size() == 1);
        s.working_dir = "a/b..c/d";
        CHECK(errors_of(s).empty());
        s.run.script = "../start.sh";
        CHECK(errors_of(s) == std::vector<std::string>{"run.script: \"../start.sh\" must be a relative path inside the "
                                                       "repository (no leading '/', no '..')"});
    }

    TEST_CASE("secrets: valid names, listed once, keys whose env names do not collide")
    {
        Service s = valid_service();
        s.secrets.push_back(SecretRef{"api_keys", {}, {}});
        CHECK(errors_of(s).size() == 1);
        s.secrets[0].name = "api-keys";
        s.secrets.push_back(SecretRef{"api-keys", {}, {}});
        CHECK(errors_of(s) == std::vector<std::string>{"secrets: \"api-keys\" is listed twice"});
        s.secrets.pop_back();
        s.secrets[0].keys = {"openai-key", "openai_key"};
        CHECK(errors_of(s) == std::vector<std::string>{
                                  "secrets: key \"openai_key\" of Secret \"api-keys\" maps to "
                                  "HYPERPLANE_CUSTOM_SECRET_KEY_OPENAI_KEY, which another key already uses"});
        s.secrets[0].keys = {"bad key"};
        CHECK(errors_of(s) == std::vector<std::string>{"secrets: \"bad key\" is not a valid key of Secret \"api-keys\""});
    }

    TEST_CASE("parameters whose env names collide are refused")
    {
        Service s = valid_service();
        s.parameters = {{"model-name", "a"}, {"model.name", "b"}};
        CHECK(errors_of(s) == std::vector<std::string>{
                                  "parameters: \"model.name\" maps to MODEL_NAME, which another parameter already uses"});
    }

    TEST_CASE("a probe's port must name a port of the service")
    {
        CHECK(load_error("name: a\nimage: x\nhealth: {path: /h, port: admin}\n") ==
              "service.yaml:3:9: health.liveness.port: no port named \"admin\"\n"
              "service.yaml:3:9: health.readiness.port: no port named \"admin\"");
        CHECK(load_error("name: a\nimage: x\nhealth:\n  liveness: {path: /h, port: admin}\n") ==
              "service.yaml:4:13: health.liveness.port: no port named \"admin\"");
    }

    TEST_CASE("the same service defined twice is refused at the second definition")
    {
        CHECK(load_error("name: a\nimage: x\n---\nname: a\nimage: y\n") ==
              "service.yaml:4:7: name: service \"a\" is defined twice");
        CHECK(load_error("name: a\nnamespace: one\nimage: x\n---\nname: a\nnamespace: two\nimage: y\n").empty());
    }
}
