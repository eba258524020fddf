#include "service_fixture.hpp"

#include <kube/actions_record.hpp>
#include <render/render.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>

#include <filesystem>

using namespace kms;

namespace {

const char* k_rich = R"(
name: infer
namespace: ml
image: ghcr.io/acme/infer:1.4
ports:
  - {name: http, port: 8001, protocol: http, servicePort: 80}
  - {name: grpc, port: 9000, protocol: grpc}
replicas: {min: 2, max: 5}
autoscaling: {cpu: 70, memory: 90}
resources: {cpu: 500m, memory: 1Gi, limits: {memory: 3Gi}}
git: {repo: "https://git.example.com/acme/infer.git", branch: main, secret: git-creds}
run: {script: start.sh}
workingDir: svc
parameters: {model-name: small, max.batch: 8}
legacyParameterNames: false
env: {FLAG: "true", MODE: fast}
secrets: [openai, {name: hf, keys: [token]}]
health: {liveness: {path: /live, periodSeconds: 5}, readiness: {path: /ready, failureThreshold: 6}}
session: {hashBy: "header:x-user"}
nodeSelector: {pool: gpu}
tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
serviceAccount: infer-sa
expose:
  host: infer.example.com
  path: /api
  rewrite: /
  via: istio
  gateway: {name: mesh-gw, namespace: istio-system}
  auth: {type: jwt, issuer: "https://sso.example.com/realms/acme", jwks: "https://sso.example.com/jwks",
         audiences: [api], claimToHeaders: {preferred_username: x-user}}
)";

// Loads `in`, records the service, loads the record again (with `config`) and returns both.
std::pair<spec::Service, actions::Recorded> round_trip(const test::ServiceInput& in, const spec::Config& config)
{
    spec::Service s = test::load_one(in);
    actions::Reload r;
    r.text = actions::record_text(s, actions::follows_branch(s));
    r.origin = "test";
    actions::Recorded back = actions::load_record(r, config);
    return {s, back};
}

void check_same_render(const spec::Service& a, const spec::Service& b, const spec::Config& ca, const spec::Config& cb)
{
    auto ra = render::render(a, ca);
    auto rb = render::render(b, cb);
    CHECK(Json(ra.objects).dump(2) == Json(rb.objects).dump(2));
}

} // namespace

TEST_SUITE("actions::record")
{
    TEST_CASE("a recorded service renders exactly as the original")
    {
        test::ServiceInput in{k_rich};
        in.overrides.commit = "0123456789abcdef0123456789abcdef01234567";
        auto [s, back] = round_trip(in, spec::Config{});
        check_same_render(s, back.service, spec::Config{}, spec::Config{});
        CHECK(back.service.git->branch == "main");
        CHECK(back.service.expose->auth.claim_to_headers.size() == 1);
        CHECK_FALSE(back.follow); // the commit came from a flag
    }

    TEST_CASE("the record holds no git password and no preset reference")
    {
        test::ServiceInput in{k_rich};
        in.yaml += "environment: small\n";
        in.config_yaml = "environments: {small: {env: {PRESET: yes}}}\n";
        spec::Service s = test::load_one(in);
        // The loader refuses passwords in URLs; the record strips one all the same.
        spec::Service with_password = s;
        with_password.git->repo = "https://bot:s3cr3t-t0ken@git.example.com/acme/infer.git";
        std::string leaky = actions::record_text(with_password, true);
        CHECK(leaky.find("s3cr3t-t0ken") == std::string::npos);
        CHECK(leaky.find("https://bot@git.example.com/acme/infer.git") != std::string::npos);
        std::string text = actions::record_text(s, true);
        CHECK(text.find("\"environment\"") == std::string::npos);
        CHECK(text.find("PRESET") != std::string::npos);
        // The preset's values are folded in, so the record loads without the user config.
        actions::Reload r{text, "test", "", {}, false};
        auto back = actions::load_record(r, spec::Config{});
        auto config = test::load_test_config(in.config_yaml);
        check_same_render(s, back.service, config, config);
    }

    TEST_CASE("keycloak auth carries its Keycloak server: the record loads without the user config")
    {
        test::ServiceInput in{"name: web\nimage: nginx:1.27\nexpose: {host: web.example.com, gateway: eg, "
                              "auth: keycloak}\n"};
        in.config_yaml = "keycloak: {url: https://sso.example.com, realm: acme}\n";
        auto [s, back] = round_trip(in, spec::Config{});
        CHECK(back.service.expose->auth.type == spec::AuthType::keycloak);
        CHECK(back.service.expose->auth.issuer == "https://sso.example.com/realms/acme");
        // The record's server wins over another one configured today.
        auto other = test::load_test_config("keycloak: {url: https://other.example.com, realm: x}\n");
        actions::Reload r{actions::record_text(s, false), "test", "", {}, false};
        CHECK(actions::load_record(r, other).service.expose->auth.issuer == "https://sso.example.com/realms/acme");
        auto config = test::load_test_config(in.config_yaml);
        check_same_render(s, back.service, config, config);
    }

    TEST_CASE("a pipeline travels inside the record")
    {
        util::MemoryFs fs;
        fs.files["/src/service.yaml"] = "name: etl\nimage: python:3.12\ngit: {repo: https://g.example/etl.git, "
                                        "commit: abc1234}\nrun: {pipeline: flows/p.yaml}\n";
        fs.files["/src/flows/p.yaml"] = "pipeline:\n  name: etl\n  tasks:\n"
                                        "    - {name: a, type: bash script, bash_script_path: a.sh}\n"
                                        "    - {name: b, type: python script, py_path: b.py, depends_on: [a]}\n";
        spec::LoadInput li;
        li.files = {"/src/service.yaml"};
        li.cwd = "/src";
        auto loaded = spec::load_services(li, spec::Config{}, fs);
        REQUIRE(loaded.services.size() == 1);
        const auto& s = loaded.services.front();
        actions::Reload r{actions::record_text(s, false), "test", "", {}, false};
        auto back = actions::load_record(r, spec::Config{});
        REQUIRE(back.service.run.pipeline);
        CHECK(back.service.run.pipeline->tasks.size() == 2);
        check_same_render(s, back.service, spec::Config{}, spec::Config{});
    }

    TEST_CASE("every golden service file survives the record")
    {
        namespace fs = std::filesystem;
        int cases = 0;
        for (const auto& dir : fs::directory_iterator(fs::path(KMS_TEST_DATA_DIR) / "golden")) {
            fs::path file = dir.path() / "service.yaml";
            if (!fs::exists(file) || fs::exists(dir.path() / "args")) {
                continue;
            }
            CAPTURE(dir.path().string());
            spec::Config config;
            if (fs::exists(dir.path() / "config.yaml")) {
                config = spec::load_config((dir.path() / "config.yaml").string(), util::real_fs());
            }
            spec::LoadInput li;
            li.files = {file.string()};
            li.cwd = dir.path().string();
            auto loaded = spec::load_services(li, config, util::real_fs());
            for (const auto& s : loaded.services) {
                actions::Reload r{actions::record_text(s, false), "test", "", {}, false};
                auto back = actions::load_record(r, spec::Config{});
                // Loading needs no user config; rendering uses it (ingress class, git image) both times.
                check_same_render(s, back.service, config, config);
                ++cases;
            }
        }
        CHECK(cases >= 10);
    }

    TEST_CASE("reloading applies changes: replicas, name, namespace, exposure")
    {
        spec::Service s = test::load_one(test::ServiceInput{k_rich});
        actions::Reload r{actions::record_text(s, true), "test", "prod", {}, true};
        r.overrides.min_replicas = 0;
        r.overrides.max_replicas = 0;
        r.overrides.name = "infer-copy";
        auto back = actions::load_record(r, spec::Config{});
        CHECK(back.service.replicas.min == 0);
        CHECK(back.service.replicas.max == 0);
        CHECK(back.service.name == "infer-copy");
        CHECK(back.service.namespace_ == "prod");
        CHECK_FALSE(back.service.expose);
        CHECK(back.follow);
    }

    TEST_CASE("follows_branch: only commits the tool resolved")
    {
        spec::Service from_file = test::load_one("name: a\nimage: x:1\ngit: {repo: https://g/x.git, commit: abc1234}\n");
        CHECK_FALSE(actions::follows_branch(from_file));
        spec::Service pinned = test::load_one("name: a\nimage: x:1\ngit: {repo: https://g/x.git, branch: main}\n");
        pinned.git->commit = "0123456"; // as git::Sources::pin does
        CHECK(actions::follows_branch(pinned));
        CHECK_FALSE(actions::follows_branch(test::load_one("name: a\nimage: x:1\n")));
    }

    TEST_CASE("record_on annotates only the service's Deployment")
    {
        spec::Service s = test::load_one("name: web\nimage: nginx:1.27\nreplicas: {min: 2, max: 4}\n");
        auto objects = render::render(s, spec::Config{}).objects;
        actions::record_on(objects, s);
        int annotated = 0;
        for (const auto& o : objects) {
            if (auto text = actions::recorded_text(o)) {
                CHECK(o["kind"] == "Deployment");
                CHECK(Json::parse(*text)["service"]["name"] == "web");
                ++annotated;
            }
        }
        CHECK(annotated == 1);
    }

    TEST_CASE("unreadable records name where they came from")
    {
        actions::Reload r{"{not json", "service web in namespace demo", "", {}, false};
        CHECK_THROWS_WITH(actions::load_record(r, spec::Config{}),
                          doctest::Contains("service web in namespace demo: the recorded service description"));
        r.text = R"({"record":"kubectl-microservice.dev/v9","service":{}})";
        CHECK_THROWS_WITH(actions::load_record(r, spec::Config{}), doctest::Contains("has format \"kubectl-microservice.dev/v9\""));
    }

    TEST_CASE("without_password")
    {
        CHECK(actions::without_password("https://u:p@h/x.git") == "https://u@h/x.git");
        CHECK(actions::without_password("https://u@h/x.git") == "https://u@h/x.git");
        CHECK(actions::without_password("https://h:8443/x.git") == "https://h:8443/x.git");
        CHECK(actions::without_password("https://h/a@b.git") == "https://h/a@b.git");
        CHECK(actions::without_password("git@github.com:acme/x.git") == "git@github.com:acme/x.git");
        CHECK(actions::without_password("ssh://git:pw@h:22/x.git") == "ssh://git@h:22/x.git");
    }
}
