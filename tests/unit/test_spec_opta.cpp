#include "formats_fixture.hpp"

#include <spec/opta.hpp>

#include <doctest/doctest.h>

using kms::test::FormatsInput;
using kms::test::has_warning;
using kms::test::load_formats_error;
using kms::test::load_formats_ok;
using namespace kms::spec;

namespace {

// An Opta layer "shop" with one k8s-service module "web" whose fields are `fields` (indented by 4).
std::string layer(const std::string& fields, const std::string& environments = "")
{
    return "name: shop\n" + environments + "modules:\n  - name: web\n    type: k8s-service\n" + fields;
}

FormatsInput opta(const std::string& text, Overrides o = {}, std::optional<std::string> domain = std::nullopt)
{
    Config c;
    c.domain = domain;
    return FormatsInput{{{"service.yaml", text}}, o, c};
}

Service one(const FormatsInput& in)
{
    auto loaded = load_formats_ok(in);
    REQUIRE(loaded.services.size() == 1);
    return loaded.services[0];
}

Service one(const std::string& fields)
{
    return one(opta(layer(fields)));
}

std::string error_of(const std::string& fields, Overrides o = {})
{
    return load_formats_error(opta(layer(fields), o));
}

constexpr const char* k_image = "    image: nginx:1.27\n    port: {http: 8080}\n";

} // namespace

TEST_SUITE("spec::opta")
{
    TEST_CASE("a minimal module gets Opta's defaults")
    {
        Service s = one(k_image);
        CHECK(s.name == "web");
        CHECK(s.namespace_ == "shop"); // Opta deploys into a namespace named after the layer
        CHECK(s.image == "nginx:1.27");
        REQUIRE(s.ports.size() == 1);
        CHECK(s.ports[0].name == "main");
        CHECK(s.ports[0].port == 8080);
        CHECK(s.ports[0].service_port == 80);
        CHECK(s.ports[0].protocol == Protocol::http);
        CHECK(s.replicas.min == 1);
        CHECK(s.replicas.max == 3);
        CHECK(s.autoscaling.cpu == 80);
        CHECK(s.autoscaling.memory == 80);
        CHECK(s.resources.cpu == "100m");
        CHECK(s.resources.memory == "128Mi");
        CHECK_FALSE(s.health.liveness.has_value());
        CHECK_FALSE(s.health.readiness.has_value());
        CHECK_FALSE(s.expose.has_value());
        CHECK_FALSE(s.session.has_value());
    }

    TEST_CASE("every mapped field lands in the model")
    {
        Service s = one(R"(    image: ghcr.io/acme/web:2
    port: {http: 8000}
    min_containers: 2
    max_containers: "5"
    autoscaling_target_cpu_percentage: 60
    autoscaling_target_mem_percentage: "70"
    secrets: [API_KEY, DB_PASSWORD]
    env_vars: [{name: MODE, value: prod}, {name: EMPTY}]
    liveness_probe_path: /live
    readiness_probe_command: [cat, /tmp/ready]
    initial_liveness_delay: 5
    initial_readiness_delay: 7
    sticky_session: true
    sticky_session_max_age: 600
    resource_request: {cpu: 250, memory: "1Gi"}
    resource_limits: {memory: 2048}
    public_uri: "web.example.com/api"
    keep_path_prefix: true
    commands: [gunicorn]
    args: ["-b", "0.0.0.0:8000"]
    tolerations: [{key: dedicated}, {key: gpu, value: "yes", effect: NoExecute}]
)");
        CHECK(s.replicas.min == 2);
        CHECK(s.replicas.max == 5);
        CHECK(s.autoscaling.cpu == 60);
        CHECK(s.autoscaling.memory == 70);
        REQUIRE(s.secrets.size() == 1);
        CHECK(s.secrets[0].name == "manual-secrets");
        CHECK(s.secrets[0].keys == std::vector<std::string>{"API_KEY", "DB_PASSWORD"});
        CHECK(s.env == KeyValues{{"MODE", "prod"}, {"EMPTY", ""}});
        REQUIRE(s.health.liveness.has_value());
        CHECK(s.health.liveness->path == "/live");
        CHECK(s.health.liveness->initial_delay == 5);
        REQUIRE(s.health.readiness.has_value());
        CHECK(s.health.readiness->command == std::vector<std::string>{"cat", "/tmp/ready"});
        CHECK(s.health.readiness->initial_delay == 7);
        CHECK(s.health.readiness->period == 10);
        REQUIRE(s.session.has_value());
        CHECK(s.session->sticky);
        CHECK(s.session->max_age == 600);
        CHECK(s.resources.cpu == "250m");
        CHECK(s.resources.memory == "1Gi");
        CHECK(s.resources.memory_limit == "2048Mi");
        CHECK_FALSE(s.resources.cpu_limit.has_value());
        REQUIRE(s.expose.has_value());
        CHECK(s.expose->host == "web.example.com");
        CHECK(s.expose->path == "/api");
        CHECK_FALSE(s.expose->rewrite.has_value()); // keep_path_prefix
        CHECK(s.expose->port == "main");
        CHECK(s.expose->via == ExposeVia::ingress);
        CHECK(s.run.command == std::vector<std::string>{"gunicorn"});
        CHECK(s.run.args == std::vector<std::string>{"-b", "0.0.0.0:8000"});
        REQUIRE(s.tolerations.size() == 2);
        CHECK(s.tolerations[0].key == "dedicated");
        CHECK(s.tolerations[0].value == "opta");
        CHECK(s.tolerations[0].effect == "NoSchedule");
        CHECK(s.tolerations[1].value == "yes");
        CHECK(s.tolerations[1].effect == "NoExecute");
    }

    TEST_CASE("legacy port kinds: tcp means websocket, and only plain http gets an HTTP probe")
    {
        Service ws = one("    image: x\n    port: {tcp: 7000}\n    healthcheck_path: /\n");
        CHECK(ws.ports[0].protocol == Protocol::websocket);
        REQUIRE(ws.health.liveness.has_value());
        CHECK(ws.health.liveness->tcp);
        CHECK_FALSE(ws.health.liveness->path.has_value());
        CHECK(ws.health.liveness->initial_delay == 30);
        Service grpc = one("    image: x\n    port: {grpc: 9000}\n    healthcheck_path: /\n");
        CHECK(grpc.ports[0].protocol == Protocol::grpc);
        CHECK(grpc.health.readiness->tcp);
        Service http = one("    image: x\n    port: {http: 80}\n    healthcheck_path: /healthz\n");
        CHECK(http.health.readiness->path == "/healthz");
        CHECK_FALSE(http.health.readiness->tcp);
    }

    TEST_CASE("the ports list: service port defaults, protocols and probe_port")
    {
        Service s = one(R"(    image: x
    ports:
      - {name: api, type: http, port: 8000, protocol: grpc}
      - {name: raw, type: tcp, port: 9000}
      - {name: admin, type: tcp, port: 9001, service_port: 19001}
    probe_port: raw
    healthcheck_path: /ready
)");
        REQUIRE(s.ports.size() == 3);
        CHECK(s.ports[0].service_port == 80);
        CHECK(s.ports[0].protocol == Protocol::grpc);
        CHECK(s.ports[1].service_port == 9000);
        CHECK(s.ports[1].protocol == Protocol::tcp);
        CHECK(s.ports[2].service_port == 19001);
        CHECK(s.health.liveness->port == "raw");
        CHECK(s.health.liveness->tcp);
        CHECK(error_of(R"(    image: x
    ports:
      - {name: a, type: http, port: 8000}
      - {name: b, type: http, port: 8001}
)") == "service.yaml:8:9: ports[1]: only one port may have type http");
        CHECK(error_of(R"(    image: x
    ports:
      - {name: a, type: tcp, port: 8000, protocol: grpc}
)") == "service.yaml:7:52: ports[0].protocol: must be grpc or websocket, on a type http port");
        CHECK(error_of("    image: x\n    port: {http: 80}\n    probe_port: nope\n    healthcheck_path: /\n") ==
              "service.yaml:7:17: probe_port: no port named \"nope\"");
    }

    TEST_CASE("port takes exactly one kind")
    {
        CHECK(error_of("    image: x\n    port: {http: 80, grpc: 9000}\n") ==
              "service.yaml:6:11: port: give one kind (http, tcp, grpc or websocket), got 2: http, grpc; use 'ports' "
              "for several ports");
        CHECK(error_of("    image: x\n    port: {htp: 80}\n") ==
              "service.yaml:6:12: unknown key 'port.htp' (did you mean 'http'?)");
        CHECK(error_of("    image: x\n") == "service.yaml:3:5: port: required, e.g. port: {http: 8080}");
    }

    TEST_CASE("min and max containers follow Opta's rules, in Opta's words")
    {
        CHECK(error_of(std::string(k_image) + "    min_containers: 4\n    max_containers: 2\n") ==
              "service.yaml:7:21: min_containers (4) must not exceed max_containers (2)");
        CHECK(error_of(std::string(k_image) + "    min_containers: 0\n") ==
              "service.yaml:7:21: min_containers may be 0 only when max_containers is 0 too (got max_containers 3)");
        Service off = one(std::string(k_image) + "    min_containers: 0\n    max_containers: 0\n");
        CHECK(off.replicas.max == 0);
    }

    TEST_CASE("image AUTO needs --image")
    {
        CHECK(error_of("    image: AUTO\n    port: {http: 80}\n") ==
              "service.yaml:5:12: image: AUTO asks Opta to create a private ECR repository, which kubectl-microservice "
              "cannot do; pass --image with the image you pushed");
        Overrides o;
        o.image = "ghcr.io/acme/web:1";
        CHECK(one(opta(layer("    image: AUTO\n    port: {http: 80}\n"), o)).image == "ghcr.io/acme/web:1");
    }

    TEST_CASE("a probe path without '/' is probed with one; path plus command is an error")
    {
        auto loaded = load_formats_ok(opta(layer("    image: x\n    port: {http: 80}\n    healthcheck_path: ht/\n")));
        CHECK(loaded.services[0].health.liveness->path == "/ht/");
        CHECK(has_warning(loaded.warnings, "warning: service.yaml:7:23: healthcheck_path: \"ht/\" does not start with "
                                           "'/'; probing \"/ht/\""));
        CHECK(error_of(std::string(k_image) + "    liveness_probe_path: /a\n    liveness_probe_command: [true]\n") ==
              "service.yaml:7:26: liveness: give a probe path or a probe command, not both");
    }

    TEST_CASE("consistent_hash maps the nginx variables that have an equivalent")
    {
        CHECK(one(std::string(k_image) + "    consistent_hash: $remote_addr\n").session->hash_by == "source-ip");
        CHECK(one(std::string(k_image) + "    consistent_hash: $http_x_user_id\n").session->hash_by ==
              "header:x-user-id");
        CHECK(one(std::string(k_image) + "    consistent_hash: $cookie_sid\n").session->hash_by == "cookie:sid");
        auto loaded = load_formats_ok(opta(layer(std::string(k_image) + "    consistent_hash: $request_uri\n")));
        CHECK_FALSE(loaded.services[0].session.has_value());
        CHECK(has_warning(loaded.warnings, "consistent_hash: \"$request_uri\" has no equivalent here"));
        CHECK(error_of(std::string(k_image) + "    sticky_session: true\n    consistent_hash: $remote_addr\n") ==
              "service.yaml:8:22: consistent_hash: cannot be combined with sticky_session; keep one");
    }

    TEST_CASE("{vars.X} comes from the chosen environment; quoted numbers read as numbers")
    {
        std::string envs = R"(environments:
  - name: staging
    variables: {max: 2, tag: "1.0"}
  - name: prod
    variables: {max: 9, tag: "2.0"}
)";
        std::string fields = "    image: \"web:{vars.tag}\"\n    port: {http: 80}\n    max_containers: \"{vars.max}\"\n"
                             "    env_vars: {WHERE: \"{env}/{layer_name}/{module_name}\", "
                             "FMT: \"%({Content-Type}i)s\"}\n";
        auto loaded = load_formats_ok(opta(layer(fields, envs)));
        const Service& s = loaded.services[0];
        CHECK(s.image == "web:1.0");
        CHECK(s.replicas.max == 2);
        CHECK(s.env == KeyValues{{"WHERE", "staging/shop/web"}, {"FMT", "%({Content-Type}i)s"}});
        CHECK(has_warning(loaded.warnings, "warning: service.yaml:3:3: environments: using \"staging\", the first of "
                                           "2, for {vars.*}; choose another with --opta-env"));
        Overrides o;
        o.opta_env = "prod";
        auto prod = load_formats_ok(opta(layer(fields, envs), o));
        CHECK(prod.services[0].image == "web:2.0");
        CHECK(prod.services[0].replicas.max == 9);
        CHECK_FALSE(has_warning(prod.warnings, "environments:"));
    }

    TEST_CASE("unresolvable references are errors at the value")
    {
        std::string envs = "environments:\n  - name: dev\n    variables: {max_containers: 2}\n";
        CHECK(load_formats_error(opta(layer(std::string(k_image) + "    max_containers: \"{vars.max_container}\"\n",
                                            envs))) ==
              "service.yaml:10:21: max_containers: {vars.max_container} is not defined: environment \"dev\" has "
              "variables max_containers (did you mean {vars.max_containers}?)");
        CHECK(error_of(std::string(k_image) + "    image: x\n") != "");
        CHECK(load_formats_error(opta(layer(std::string(k_image) + "    max_containers: \"{vars.n}\"\n"))) ==
              "service.yaml:7:21: max_containers: {vars.n} needs an environment's variables, but the file declares no "
              "environments");
        CHECK(load_formats_error(opta(layer(std::string(k_image) + "    public_uri: \"app.{parent.domain}\"\n"))) ==
              "service.yaml:7:17: public_uri: {parent.domain} is the domain of Opta's environment; set 'domain' in "
              "the user config file to resolve it");
        CHECK(load_formats_error(opta(layer(std::string(k_image) + "    public_uri: \"{parent.zone}\"\n"))) ==
              "service.yaml:7:17: public_uri: {parent.zone} cannot be resolved: of the parent environment only "
              "{parent.domain} is known");
        Overrides o;
        o.opta_env = "prd";
        CHECK(load_formats_error(opta(layer(k_image, envs), o)) ==
              "flag --opta-env: service.yaml has no environment \"prd\"; it has dev");
    }

    TEST_CASE("{parent.domain} comes from the user config's domain")
    {
        Service s = one(opta(layer(std::string(k_image) + "    public_uri: [\"app.{parent[domain]}/v1\", /other]\n"),
                             {}, "example.com"));
        REQUIRE(s.expose.has_value());
        CHECK(s.expose->host == "app.example.com");
        CHECK(s.expose->path == "/v1");
        CHECK(s.expose->rewrite == "/"); // Opta strips the prefix unless keep_path_prefix
    }

    TEST_CASE("a public_uri for every host says where it is exposed instead")
    {
        auto loaded = load_formats_ok(opta(layer(std::string(k_image) + "    public_uri: \"/hello\"\n"), {},
                                           "example.com"));
        CHECK(loaded.services[0].expose->host == "web.services.example.com"); // the exposure default
        CHECK(loaded.services[0].expose->path == "/hello");
        CHECK(has_warning(loaded.warnings, "public_uri: \"/hello\" matched every host under Opta; here it is exposed "
                                           "on the default host (<name>.services.<domain>)"));
    }

    TEST_CASE("fields a plain cluster cannot honour are one warning each")
    {
        auto loaded = load_formats_ok(opta(R"(name: shop
modules:
  - name: db
    type: postgres
  - name: web
    type: aws-k8s-service
    image: x
    port: {http: 80}
    links: [db, {cache: [{cache_host: REDIS_HOST}]}, bucket]
    additional_iam_policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
    persistent_storage: [{size: 10, path: /data}]
    cron_jobs: [{commands: [echo], schedule: "* * * * *"}]
    pod_labels: {team: a}
    pod_annotations: {}
    timeout: 600
  - name: bucket
    type: aws-s3
)"));
        const auto& w = loaded.warnings;
        CHECK(has_warning(w, "warning: service.yaml:4:11: modules[0]: \"db\" (postgres) is not a k8s-service module; "
                             "skipped"));
        CHECK(has_warning(w, "warning: service.yaml:9:13: links: \"db\" (postgres) is a cloud database, not created "
                             "here; provide db_db_user, db_db_name, db_db_password, db_db_host as a Secret and list it "
                             "under secrets"));
        CHECK(has_warning(w, "links: \"cache\" is a cloud database, not created here; provide REDIS_HOST as a Secret"));
        CHECK(has_warning(w, "links: \"bucket\" (aws-s3) is a cloud resource, not created here; provide its "
                             "credentials as a Secret and list it under secrets"));
        CHECK(has_warning(w, "additional_iam_policies: cloud IAM policies are not managed on a plain cluster"));
        CHECK(has_warning(w, "persistent_storage: persistent volumes (Opta's StatefulSet) are not rendered"));
        CHECK(has_warning(w, "cron_jobs: cron jobs are not rendered"));
        CHECK(has_warning(w, "pod_labels: the service model has no extra pod labels"));
        CHECK(has_warning(w, "timeout: Helm's release timeout does not apply; use apply --wait --timeout"));
        CHECK_FALSE(has_warning(w, "pod_annotations")); // empty: nothing asked
        REQUIRE(loaded.services.size() == 1);
        CHECK(loaded.services[0].name == "web");
    }

    TEST_CASE("every k8s-service module is a service; a file without one is an error")
    {
        auto loaded = load_formats_ok(opta(R"(name: shop
modules:
  - {name: api, type: k8s-service, image: a, port: {http: 80}}
  - {name: worker, type: gcp-k8s-service, image: b, port: {http: 81}}
)"));
        REQUIRE(loaded.services.size() == 2);
        CHECK(loaded.services[1].name == "worker");
        CHECK(load_formats_error(opta("name: env\nmodules:\n  - {name: base, type: base}\n")) ==
              "service.yaml:3:3: modules: no k8s-service module in this Opta file (it has: base)");
        CHECK(load_formats_error(opta(layer(std::string(k_image) + "    replicas: 2\n"))) ==
              "service.yaml:7:5: unknown key 'replicas'");
    }

    TEST_CASE("--opta-env needs an Opta file")
    {
        Overrides o;
        o.opta_env = "prod";
        CHECK(load_formats_error(FormatsInput{{{"service.yaml", "image: x\n"}}, o}) ==
              "flag --opta-env: none of the inputs is an Opta file (a file with 'modules')");
    }

    TEST_CASE("is_opta_file looks for modules")
    {
        CHECK(is_opta_file(YAML::Load("modules: []")));
        CHECK_FALSE(is_opta_file(YAML::Load("image: x")));
        CHECK_FALSE(is_opta_file(YAML::Load("[modules]")));
    }
}
