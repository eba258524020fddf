#include "service_fixture.hpp"

#include <spec/parse.hpp>
#include <spec/yaml_reader.hpp>

#include <doctest/doctest.h>

using kms::test::load_error;
using kms::test::load_one;
using namespace kms::spec;

TEST_SUITE("spec::parse")
{
    TEST_CASE("every field of a full service file lands in the model")
    {
        Service s = load_one(R"(name: ml-inference
namespace: ml
image: ghcr.io/acme/infer:1.4
ports:
  - {name: http, port: 8001, servicePort: 80, nodePort: 30080}
  - {port: 9090, protocol: grpc}
replicas: {min: 2, max: 5}
autoscaling: {cpu: 70, memory: 90}
resources: {cpu: 500m, memory: 1Gi, gpu: 1, limits: {cpu: "2"}}
git: {repo: https://github.com/acme/infer.git, branch: main, commit: 3f2c1a9, secret: git-creds}
run: {script: start.sh}
workingDir: app
parameters: {model-name: small, batch: "8"}
legacyParameterNames: false
env: {LOG_LEVEL: info}
secrets: [openai, {name: hf, keys: [token]}]
service: {type: NodePort}
nodeSelector: {pool: gpu}
tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
serviceAccount: infer
)");
        CHECK(s.name == "ml-inference");
        CHECK(s.namespace_ == "ml");
        REQUIRE(s.ports.size() == 2);
        CHECK(s.ports[0].name == "http");
        CHECK(s.ports[0].port == 8001);
        CHECK(s.ports[0].service_port == 80);
        CHECK(s.ports[0].node_port == 30080);
        CHECK(s.ports[1].name == "grpc-9090");
        CHECK(s.ports[1].protocol == Protocol::grpc);
        CHECK(s.replicas.min == 2);
        CHECK(s.replicas.max == 5);
        CHECK(s.autoscaling.cpu == 70);
        CHECK(s.autoscaling.memory == 90);
        CHECK(s.resources.cpu == "500m");
        CHECK(s.resources.memory == "1Gi");
        CHECK(s.resources.gpu == 1);
        CHECK(s.resources.cpu_limit == "2");
        CHECK_FALSE(s.resources.memory_limit.has_value());
        REQUIRE(s.git.has_value());
        CHECK(s.git->repo == "https://github.com/acme/infer.git");
        CHECK(s.git->branch == "main");
        CHECK(s.git->commit == "3f2c1a9");
        CHECK(s.git->secret == "git-creds");
        CHECK(s.run.script == "start.sh");
        CHECK(s.working_dir == "app");
        CHECK(s.parameters == KeyValues{{"model-name", "small"}, {"batch", "8"}});
        CHECK_FALSE(s.legacy_parameter_names);
        CHECK(s.env == KeyValues{{"LOG_LEVEL", "info"}});
        REQUIRE(s.secrets.size() == 2);
        CHECK(s.secrets[0].name == "openai");
        CHECK(s.secrets[0].keys.empty());
        CHECK(s.secrets[1].keys == std::vector<std::string>{"token"});
        CHECK(s.service_type == "NodePort");
        CHECK(s.node_selector.at("pool") == "gpu");
        REQUIRE(s.tolerations.size() == 1);
        CHECK(s.tolerations[0].op == "Exists");
        CHECK(s.service_account == "infer");
    }

    TEST_CASE("defaults: port 8787 named http, one replica, 100m/128Mi, 80 % targets, ClusterIP")
    {
        Service s = load_one("name: a\nimage: x\n");
        REQUIRE(s.ports.size() == 1);
        CHECK(s.ports[0].name == "http");
        CHECK(s.ports[0].port == 8787);
        CHECK(s.replicas.min == 1);
        CHECK(s.replicas.max == 1);
        CHECK(s.resources.cpu == "100m");
        CHECK(s.resources.memory == "128Mi");
        CHECK(s.autoscaling.cpu == 80);
        CHECK(s.autoscaling.memory == 80);
        CHECK(s.service_type == "ClusterIP");
        CHECK(s.legacy_parameter_names);
    }

    TEST_CASE("replicas: a number fixes min = max; a map fills the missing bound")
    {
        CHECK(load_one("name: a\nimage: x\nreplicas: 3\n").replicas.max == 3);
        CHECK(load_one("name: a\nimage: x\nreplicas: 3\n").replicas.min == 3);
        Service only_max = load_one("name: a\nimage: x\nreplicas: {max: 4}\n");
        CHECK(only_max.replicas.min == 1);
        CHECK(only_max.replicas.max == 4);
        Service only_min = load_one("name: a\nimage: x\nreplicas: {min: 2}\n");
        CHECK(only_min.replicas.min == 2);
        CHECK(only_min.replicas.max == 2);
        Service off = load_one("name: a\nimage: x\nreplicas: 0\n");
        CHECK(off.replicas.min == 0);
        CHECK(off.replicas.max == 0);
    }

    TEST_CASE("default port names: the protocol for a single port, <protocol>-<port> for several")
    {
        Port p{"", 8080, Protocol::websocket, {}, {}};
        CHECK(default_port_name(p, 1) == "ws");
        CHECK(default_port_name(p, 2) == "ws-8080");
        p.protocol = Protocol::tcp;
        CHECK(default_port_name(p, 1) == "tcp");
        Service s = load_one("name: a\nimage: x\nports: [{port: 7000, protocol: tcp}]\n");
        CHECK(s.ports[0].name == "tcp");
    }

    TEST_CASE("health: shared settings apply to both probes, liveness/readiness override them")
    {
        Service s = load_one("name: a\nimage: x\nhealth: {path: /healthz, periodSeconds: 5}\n");
        REQUIRE(s.health.liveness);
        REQUIRE(s.health.readiness);
        CHECK(s.health.liveness->path == "/healthz");
        CHECK(s.health.readiness->period == 5);
        Service split = load_one("name: a\nimage: x\nhealth:\n  readiness: {path: /ready}\n  liveness: {command: [true]}\n");
        CHECK(split.health.readiness->path == "/ready");
        CHECK(split.health.liveness->command == std::vector<std::string>{"true"});
        CHECK_FALSE(split.health.liveness->path.has_value());
        Service none = load_one("name: a\nimage: x\n");
        CHECK_FALSE(none.health.liveness.has_value());
        CHECK_FALSE(none.health.readiness.has_value());
    }

    TEST_CASE("parameters and env keep the order written, in map or Opta list form")
    {
        Service s = load_one("name: a\nimage: x\nparameters: {zeta: 1, alpha: 2, mid: 3}\n"
                             "env: [{name: B, value: b}, {name: A}]\n");
        CHECK(s.parameters == KeyValues{{"zeta", "1"}, {"alpha", "2"}, {"mid", "3"}});
        CHECK(s.env == KeyValues{{"B", "b"}, {"A", ""}});
    }

    TEST_CASE("scalars of other YAML types are read as the text written")
    {
        Service s = load_one("name: a\nimage: x\nparameters: {debug: true, ratio: 0.50, count: 010, empty: }\n");
        CHECK(s.parameters == KeyValues{{"debug", "true"}, {"ratio", "0.50"}, {"count", "010"}, {"empty", ""}});
    }

    TEST_CASE("errors point at the offending node as file:line:col")
    {
        CHECK(load_error("name: a\nimage: x\nport: 0\n") ==
              "service.yaml:3:7: port: expected an integer from 1 to 65535, got 0");
        CHECK(load_error("name: a\nimage: x\nports:\n  - port: 80\n    name: web\n  - port: 70000\n") ==
              "service.yaml:6:11: ports[1].port: expected an integer from 1 to 65535, got 70000");
        CHECK(load_error("name: a\nimage: x\nresources:\n  cpu: lots\n") ==
              "service.yaml:4:8: resources.cpu: \"lots\" is not a Kubernetes quantity (e.g. 500m, 2, 128Mi, 1Gi)");
        CHECK(load_error("name: a\nimage: x\nenv: [A=1]\n") == "service.yaml:3:7: env[0]: expected a map, got a scalar");
    }

    TEST_CASE("unknown keys name their full path and suggest the closest known key")
    {
        CHECK(load_error("name: a\nimage: x\nreplics: 2\n") ==
              "service.yaml:3:1: unknown key 'replics' (did you mean 'replicas'?)");
        CHECK(load_error("name: a\nimage: x\nresources:\n  memroy: 1Gi\n") ==
              "service.yaml:4:3: unknown key 'resources.memroy' (did you mean 'memory'?)");
        CHECK(load_error("name: a\nimage: x\nhealth:\n  liveness: {path: /a, periodSecond: 3}\n") ==
              "service.yaml:4:24: unknown key 'health.liveness.periodSecond' (did you mean 'periodSeconds'?)");
        CHECK(load_error("name: a\nimage: x\ncolour: blue\n") == "service.yaml:3:1: unknown key 'colour'");
    }

    TEST_CASE("duplicate keys are reported at the second occurrence")
    {
        CHECK(load_error("name: a\nimage: x\nname: b\n") == "service.yaml:3:1: duplicate key 'name'");
        CHECK(load_error("name: a\nimage: x\nenv:\n  A: 1\n  A: 2\n") == "service.yaml:5:3: duplicate key 'env.A'");
    }

    TEST_CASE("every problem of a file is reported, one line each, in document order")
    {
        CHECK(load_error("name: a\nimage: x\nport: 0\nreplicas: {min: 1, max: many}\nautoscaling: {cpu: 101}\n") ==
              "service.yaml:3:7: port: expected an integer from 1 to 65535, got 0\n"
              "service.yaml:4:25: replicas.max: expected an integer from 0 to 1000, got many\n"
              "service.yaml:5:20: autoscaling.cpu: expected an integer from 1 to 100, got 101");
    }

    TEST_CASE("conflicting fields are refused")
    {
        CHECK(load_error("name: a\nimage: x\nport: 80\nports: [{port: 81}]\n") ==
              "service.yaml:4:8: 'port' and 'ports' are mutually exclusive: use 'ports' for several ports");
        CHECK(load_error("name: a\nimage: x\nrun: {script: a.sh, command: [x]}\n") ==
              "service.yaml:3:6: run: give only one of 'script', 'pipeline' and 'command'");
        CHECK(load_error("name: a\nimage: x\nhealth: {path: /a, tcp: true}\n") ==
              "service.yaml:3:9: health: give only one of 'path', 'command' and 'tcp'");
        CHECK(load_error("name: a\nimage: x\nsession: {sticky: true, hashBy: source-ip}\n") ==
              "service.yaml:3:10: session: 'sticky' and 'hashBy' are mutually exclusive");
    }

    TEST_CASE("empty command lists are refused rather than rendered")
    {
        CHECK(load_error("name: a\nimage: x\nrun: {command: []}\n") ==
              "service.yaml:3:16: run.command: must not be empty (omit it to run the image's entrypoint)");
        CHECK(load_error("name: a\nimage: x\nhealth: {command: []}\n") ==
              "service.yaml:3:19: health.command: must not be empty");
    }

    TEST_CASE("a toleration without a key needs operator Exists")
    {
        CHECK(load_error("name: a\nimage: x\ntolerations: [{effect: NoSchedule}]\n") ==
              "service.yaml:3:15: tolerations[0]: 'key' is required unless operator is Exists");
        CHECK(load_one("name: a\nimage: x\ntolerations: [{operator: Exists}]\n").tolerations.size() == 1);
    }

    TEST_CASE("non-string map keys are refused where names are expected")
    {
        CHECK(load_error("name: a\nimage: x\nparameters: {[a]: x}\n") ==
              "service.yaml:3:14: parameters: keys must be strings");
        CHECK(load_error("[a]: x\nname: a\nimage: x\n") == "service.yaml:1:1: document: keys must be strings");
    }

    TEST_CASE("YAML syntax errors carry the parser's position")
    {
        // An unclosed flow collection is noticed where the input ends.
        CHECK(load_error("name: a\nimage: x\nenv: {A: 1\n") ==
              "service.yaml:4:1: invalid YAML: end of map flow not found");
        CHECK(load_error("name: a\nimage: [x\n") == "service.yaml:3:1: invalid YAML: end of sequence flow not found");
        CHECK(load_error("name: a\nimage: x\nresources:\n\tcpu: 1\n") ==
              "service.yaml:4:5: invalid YAML: illegal map value");
    }

    TEST_CASE("a ',' outside a flow collection is a syntax error, not an endless parse")
    {
        // yaml-cpp 0.7's LoadAll alone would loop forever on each of these.
        CHECK(load_error(", x\nname: a\n") == "service.yaml:1:1: invalid YAML: unexpected ',' outside a flow collection");
        CHECK(load_error("[a], b\n") == "service.yaml:1:4: invalid YAML: unexpected ',' outside a flow collection");
        CHECK(load_error("&a , x\n") == "service.yaml:1:4: invalid YAML: unexpected ',' outside a flow collection");
        CHECK(load_error("name: a\nimage: x\n---\n\"x\", y\n") ==
              "service.yaml:4:4: invalid YAML: unexpected ',' outside a flow collection");
        // Commas inside flow collections and plain scalars are fine.
        CHECK(load_one("name: a\nimage: x\nenv: {A: \"1\", B: \"2\"}\nparameters: {p: a, b}\n").env.size() == 2);
    }

    TEST_CASE("a document that is not a map is one error, not a cascade")
    {
        CHECK(load_error("- a\n- b\n") == "service.yaml:1:1: document: expected a map, got a list");
        CHECK(load_error("just text\n") == "service.yaml:1:1: document: expected a map, got a scalar");
    }

    TEST_CASE("an empty input is an error, not an empty render")
    {
        for (const char* text : {"", "# only a comment\n", "---\n---\n", "~\n"}) {
            CAPTURE(text);
            kms::util::MemoryFs fs;
            fs.files["service.yaml"] = text;
            LoadInput li;
            li.files = {"service.yaml"};
            try {
                load_services(li, Config{}, fs);
                FAIL("no error");
            } catch (const kms::Error& e) {
                CHECK(std::string(e.what()) ==
                      "service.yaml: no service in this input (it is empty or holds only comments)");
                CHECK(e.code() == kms::ExitCode::usage);
            }
        }
    }

    TEST_CASE("aliases are followed and self-referencing anchors do not hang")
    {
        Service s = load_one("name: a\nimage: x\nenv: &e {A: \"1\"}\nparameters: *e\n");
        CHECK(s.parameters == KeyValues{{"A", "1"}});
        CHECK(load_error("name: a\nimage: x\nenv: &e {A: *e}\n") == "service.yaml:3:6: env.A: expected a string, got a map");
    }

    TEST_CASE("huge numbers are range errors, not overflows")
    {
        CHECK(load_error("name: a\nimage: x\nport: 99999999999999999999\n") ==
              "service.yaml:3:7: port: expected an integer from 1 to 65535, got 99999999999999999999");
        CHECK(load_error("name: a\nimage: x\nreplicas: -9223372036854775809\n") ==
              "service.yaml:3:11: replicas: expected an integer from 0 to 1000, got -9223372036854775809");
    }
}
