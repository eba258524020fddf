#include "service_fixture.hpp"

#include <spec/overrides.hpp>

#include <doctest/doctest.h>

using kms::test::load_error;
using kms::test::load_one;
using kms::test::ServiceInput;
using namespace kms::spec;

namespace {

const char* const k_file = "name: web\nimage: ghcr.io/acme/web:1.0\nport: 8080\nreplicas: 2\n"
                           "resources: {cpu: 500m, memory: 1Gi}\nenv: {LOG_LEVEL: info, CACHE: /tmp}\n"
                           "parameters: {source: en}\n";

ServiceInput with_flags(const std::string& yaml, Overrides o)
{
    ServiceInput in;
    in.yaml = yaml;
    in.overrides = std::move(o);
    return in;
}

} // namespace

TEST_SUITE("spec::overrides")
{
    TEST_CASE("flags win over the file, field by field")
    {
        Overrides o;
        o.image = "ghcr.io/acme/web:2.0";
        o.port = 9000;
        o.min_replicas = 1;
        o.max_replicas = 4;
        o.cpu = "750m";
        o.service_type = "NodePort";
        o.namespace_ = "prod";
        Service s = load_one(with_flags(k_file, o));
        CHECK(s.image == "ghcr.io/acme/web:2.0");
        CHECK(s.ports[0].port == 9000);
        CHECK(s.replicas.min == 1);
        CHECK(s.replicas.max == 4);
        CHECK(s.resources.cpu == "750m");
        CHECK(s.resources.memory == "1Gi"); // not given as a flag: the file's value stays
        CHECK(s.service_type == "NodePort");
        CHECK(s.namespace_ == "prod");
        CHECK(s.pos_of("image").flag == "--image");
        CHECK(s.pos_of("replicas.max").flag == "--max-replicas");
    }

    TEST_CASE("--env replaces a variable of the same name in place and appends new ones")
    {
        Overrides o;
        o.env = {"CACHE=/var/cache", "NEW=1", "EQ=a=b"};
        Service s = load_one(with_flags(k_file, o));
        CHECK(s.env == KeyValues{{"LOG_LEVEL", "info"}, {"CACHE", "/var/cache"}, {"NEW", "1"}, {"EQ", "a=b"}});
    }

    TEST_CASE("--param adds parameters and --no-legacy-params switches the legacy names off")
    {
        Overrides o;
        o.params = {"target=de", "source=fr"};
        o.no_legacy_params = true;
        Service s = load_one(with_flags(k_file, o));
        CHECK(s.parameters == KeyValues{{"source", "fr"}, {"target", "de"}});
        CHECK_FALSE(s.legacy_parameter_names);
    }

    TEST_CASE("--secret NAME mounts a secret; NAME:k1,k2 also lists its keys")
    {
        Overrides o;
        o.secrets = {"db", "api:openai-key,hf_token"};
        Service s = load_one(with_flags(k_file, o));
        REQUIRE(s.secrets.size() == 2);
        CHECK(s.secrets[0].name == "db");
        CHECK(s.secrets[0].keys.empty());
        CHECK(s.secrets[1].name == "api");
        CHECK(s.secrets[1].keys == std::vector<std::string>{"openai-key", "hf_token"});
    }

    TEST_CASE("--min-replicas alone raises max with it unless the file set max")
    {
        Overrides o;
        o.min_replicas = 3;
        Service flags_only = load_one(with_flags("name: a\nimage: x\n", o));
        CHECK(flags_only.replicas.min == 3);
        CHECK(flags_only.replicas.max == 3);
        CHECK(load_error(with_flags("name: a\nimage: x\nreplicas: {min: 1, max: 2}\n", o)) ==
              "flag --min-replicas: replicas: min (3) must not exceed max (2)");
    }

    TEST_CASE("--git-repo, --branch, --commit, --script and --health-path describe a Shakudo service")
    {
        Overrides o;
        o.git_repo = "https://github.com/acme/web.git";
        o.branch = "main";
        o.commit = "3f2c1a9";
        o.git_secret = "creds";
        o.script = "start.sh";
        o.health_path = "/healthz";
        Service s = load_one(with_flags("name: a\nimage: x\n", o));
        REQUIRE(s.git);
        CHECK(s.git->repo == "https://github.com/acme/web.git");
        CHECK(s.git->branch == "main");
        CHECK(s.git->commit == "3f2c1a9");
        CHECK(s.git->secret == "creds");
        CHECK(s.run.script == "start.sh");
        REQUIRE(s.health.liveness);
        CHECK(s.health.liveness->path == "/healthz");
        CHECK(s.health.readiness->path == "/healthz");
    }

    TEST_CASE("--script replaces the file's run, and its position is the flag")
    {
        Overrides o;
        o.script = "../x.sh";
        o.git_repo = "https://g/r.git";
        CHECK(load_error(with_flags("name: a\nimage: x\nrun: {command: [python]}\n", o)) ==
              "flag --script: run.script: \"../x.sh\" must be a relative path inside the repository (no leading '/', "
              "no '..')");
    }

    TEST_CASE("bad flag values are errors naming the flag")
    {
        auto error_for = [](Overrides o) { return load_error(with_flags("name: a\nimage: x\n", std::move(o))); };
        Overrides env;
        env.env = {"FOO"};
        CHECK(error_for(env) == "flag --env: expected KEY=VALUE, got \"FOO\"");
        Overrides eq;
        eq.params = {"=x"};
        CHECK(error_for(eq) == "flag --param: expected KEY=VALUE, got \"=x\"");
        Overrides cpu;
        cpu.cpu = "lots";
        CHECK(error_for(cpu) == "flag --cpu: \"lots\" is not a Kubernetes quantity (e.g. 500m, 2, 128Mi, 1Gi)");
        Overrides port;
        port.port = 0;
        CHECK(error_for(port) == "flag --port: expected an integer from 1 to 65535, got 0");
        Overrides min;
        min.min_replicas = -1;
        CHECK(error_for(min) == "flag --min-replicas: expected an integer from 0 to 1000, got -1");
        Overrides max;
        max.max_replicas = 1001;
        CHECK(error_for(max) == "flag --max-replicas: expected an integer from 0 to 1000, got 1001");
        Overrides gpu;
        gpu.gpu = -2;
        CHECK(error_for(gpu) == "flag --gpu: expected an integer from 0 to 64, got -2");
        Overrides branch;
        branch.branch = "main";
        CHECK(error_for(branch) == "flag --branch: needs a repository: add --git-repo URL");
        Overrides health;
        health.health_path = "healthz";
        CHECK(error_for(health) == "flag --health-path: must start with '/', got \"healthz\"");
    }

    TEST_CASE("--port cannot choose among several ports of the file")
    {
        Overrides o;
        o.port = 9000;
        CHECK(load_error(with_flags("name: a\nimage: x\nports: [{port: 80}, {port: 81}]\n", o)) ==
              "flag --port: the service file declares several ports; change them in the file");
    }

    TEST_CASE("--name cannot name several services at once")
    {
        Overrides o;
        o.name = "x";
        CHECK(load_error(with_flags("name: a\nimage: x\n---\nname: b\nimage: y\n", o)) ==
              "flag --name: cannot name 2 services at once");
    }

    TEST_CASE("any() is false for no flags and true for each one")
    {
        CHECK_FALSE(Overrides{}.any());
        Overrides o;
        o.no_legacy_params = true;
        CHECK(o.any());
        Overrides e;
        e.env = {"A=1"};
        CHECK(e.any());
    }
}
