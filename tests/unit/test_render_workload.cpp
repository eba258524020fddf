#include "service_fixture.hpp"

#include <render/render.hpp>
#include <util/strings.hpp>

#include <doctest/doctest.h>

#include <set>

using kms::Json;
using kms::test::env_entry;
using kms::test::has_kind;
using kms::test::main_container;
using kms::test::object_of_kind;
using kms::test::render_text;

namespace {

const char* const k_base = "name: web\nimage: ghcr.io/acme/web:1.4\n";

std::vector<Json> objects(const std::string& extra)
{
    return render_text(std::string(k_base) + extra).objects;
}

Json pod_spec(const std::vector<Json>& objs)
{
    return object_of_kind(objs, "Deployment")["spec"]["template"]["spec"];
}

std::string config_hash(const std::string& yaml)
{
    auto objs = render_text(yaml).objects;
    return object_of_kind(objs, "Deployment")["spec"]["template"]["metadata"]["annotations"]
        ["kubectl-microservice.dev/config-hash"];
}

} // namespace

TEST_SUITE("render::rules")
{
    TEST_CASE("every object carries the app.kubernetes.io labels; selectors use the instance label only")
    {
        auto objs = objects("replicas: {min: 2, max: 4}\n");
        REQUIRE(objs.size() == 4);
        Json want = {{"app.kubernetes.io/name", "web"},
                     {"app.kubernetes.io/instance", "web"},
                     {"app.kubernetes.io/managed-by", "kubectl-microservice"},
                     {"app.kubernetes.io/version", "1.4"}};
        for (const auto& o : objs) {
            CAPTURE(o["kind"]);
            CHECK(o["metadata"]["labels"] == want);
        }
        Json selector = {{"app.kubernetes.io/instance", "web"}};
        CHECK(object_of_kind(objs, "Service")["spec"]["selector"] == selector);
        Json dep = object_of_kind(objs, "Deployment");
        CHECK(dep["spec"]["selector"]["matchLabels"] == selector);
        CHECK(dep["spec"]["template"]["metadata"]["labels"] == want);
        CHECK(object_of_kind(objs, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"] == selector);
    }

    TEST_CASE("the version label is the image tag, else the short pinned commit, never 'latest' or a digest")
    {
        auto version = [](const std::string& yaml) {
            auto objs = render_text(yaml).objects;
            return object_of_kind(objs, "Service")["metadata"]["labels"].value("app.kubernetes.io/version", "");
        };
        CHECK(version("name: a\nimage: reg:5000/acme/x:2.0\n") == "2.0");
        CHECK(version("name: a\nimage: reg:5000/acme/x\n").empty()); // the colon is the registry port
        CHECK(version("name: a\nimage: x:latest\n").empty());
        CHECK(version("name: a\nimage: x@sha256:abcd\n").empty());
        CHECK(version("name: a\nimage: x\ngit: {repo: https://g/r.git, commit: 3f2c1a9b8e7d6c5b4a39}\n") ==
              "3f2c1a9b8e7d");
    }

    TEST_CASE("objects come in apply order and share the service's namespace")
    {
        auto objs = objects("namespace: ml\nreplicas: {min: 2, max: 3}\n");
        std::vector<std::string> kinds;
        for (const auto& o : objs) {
            kinds.push_back(o["kind"]);
            CHECK(o["metadata"]["namespace"] == "ml");
            CHECK(o["metadata"]["name"] == "web");
        }
        CHECK(kinds == std::vector<std::string>{"Service", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"});
        for (const auto& o : objects("")) {
            CHECK_FALSE(o["metadata"].contains("namespace"));
        }
    }

    TEST_CASE("replicas: omitted under an HPA, = min when fixed, 0 when switched off")
    {
        auto hpa = objects("replicas: {min: 1, max: 3}\n");
        CHECK_FALSE(object_of_kind(hpa, "Deployment")["spec"].contains("replicas"));
        CHECK(has_kind(hpa, "HorizontalPodAutoscaler"));
        auto fixed = objects("replicas: 1\n");
        CHECK(object_of_kind(fixed, "Deployment")["spec"]["replicas"] == 1);
        CHECK_FALSE(has_kind(fixed, "HorizontalPodAutoscaler"));
        auto off = objects("replicas: {min: 0, max: 0}\n");
        CHECK(object_of_kind(off, "Deployment")["spec"]["replicas"] == 0);
        CHECK_FALSE(has_kind(off, "HorizontalPodAutoscaler"));
        CHECK_FALSE(has_kind(off, "PodDisruptionBudget"));
    }

    TEST_CASE("HPA: autoscaling/v2 on the Deployment, CPU and memory utilisation targets (default 80/80)")
    {
        Json h = object_of_kind(objects("replicas: {min: 1, max: 5}\n"), "HorizontalPodAutoscaler");
        CHECK(h["apiVersion"] == "autoscaling/v2");
        CHECK(h["spec"]["scaleTargetRef"] == Json{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}});
        CHECK(h["spec"]["minReplicas"] == 1);
        CHECK(h["spec"]["maxReplicas"] == 5);
        REQUIRE(h["spec"]["metrics"].size() == 2);
        CHECK(h["spec"]["metrics"][0]["resource"]["name"] == "cpu");
        CHECK(h["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 80);
        CHECK(h["spec"]["metrics"][1]["resource"]["name"] == "memory");
        CHECK(h["spec"]["metrics"][1]["resource"]["target"]["averageUtilization"] == 80);
        Json custom = object_of_kind(objects("replicas: {min: 1, max: 5}\nautoscaling: {cpu: 55, memory: 90}\n"),
                                     "HorizontalPodAutoscaler");
        CHECK(custom["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 55);
        CHECK(custom["spec"]["metrics"][1]["resource"]["target"]["averageUtilization"] == 90);
    }

    TEST_CASE("PDB policy/v1 with maxUnavailable 1 exactly when min ≥ 2")
    {
        CHECK_FALSE(has_kind(objects("replicas: {min: 1, max: 9}\n"), "PodDisruptionBudget"));
        Json p = object_of_kind(objects("replicas: 2\n"), "PodDisruptionBudget");
        CHECK(p["apiVersion"] == "policy/v1");
        CHECK(p["spec"]["maxUnavailable"] == 1);
    }

    TEST_CASE("resources: limits are twice the requests unless given; GPUs go to requests and limits")
    {
        Json r = main_container(objects("resources: {cpu: 250m, memory: 512Mi}\n"))["resources"];
        CHECK(r == Json{{"requests", {{"cpu", "250m"}, {"memory", "512Mi"}}},
                        {"limits", {{"cpu", "500m"}, {"memory", "1Gi"}}}});
        Json given = main_container(objects("resources: {cpu: 1, memory: 1Gi, limits: {cpu: 3}}\n"))["resources"];
        CHECK(given["limits"]["cpu"] == "3");
        CHECK(given["limits"]["memory"] == "2Gi");
        Json gpu = main_container(objects("resources: {gpu: 2}\n"))["resources"];
        CHECK(gpu["requests"]["nvidia.com/gpu"] == 2);
        CHECK(gpu["limits"]["nvidia.com/gpu"] == 2);
        CHECK_FALSE(main_container(objects(""))["resources"]["limits"].contains("nvidia.com/gpu"));
    }

    TEST_CASE("container ports are named; the Service targets them by name with servicePort and nodePort")
    {
        auto objs = objects("service: {type: LoadBalancer}\nports:\n"
                            "  - {name: http, port: 8001, servicePort: 80, nodePort: 30080}\n"
                            "  - {name: rpc, port: 9000, protocol: grpc}\n  - {name: raw, port: 7000, protocol: tcp}\n");
        Json cports = main_container(objs)["ports"];
        CHECK(cports[0] == Json{{"name", "http"}, {"containerPort", 8001}, {"protocol", "TCP"}});
        Json svc = object_of_kind(objs, "Service")["spec"];
        CHECK(svc["type"] == "LoadBalancer");
        CHECK(svc["ports"][0] == Json{{"name", "http"}, {"port", 80}, {"targetPort", "http"}, {"protocol", "TCP"},
                                      {"appProtocol", "http"}, {"nodePort", 30080}});
        CHECK(svc["ports"][1]["port"] == 9000);
        CHECK(svc["ports"][1]["appProtocol"] == "kubernetes.io/h2c");
        CHECK_FALSE(svc["ports"][2].contains("appProtocol"));
    }

    TEST_CASE("probes: httpGet on the named port, separate paths, exec, tcpSocket on tcp ports, none by default")
    {
        Json c = main_container(objects("health: {path: /healthz}\n"));
        CHECK(c["readinessProbe"]["httpGet"] == Json{{"path", "/healthz"}, {"port", "http"}});
        CHECK(c["livenessProbe"]["httpGet"] == Json{{"path", "/healthz"}, {"port", "http"}});
        Json split = main_container(objects("health: {readiness: {path: /ready}, liveness: {path: /live}}\n"));
        CHECK(split["readinessProbe"]["httpGet"]["path"] == "/ready");
        CHECK(split["livenessProbe"]["httpGet"]["path"] == "/live");
        Json exec = main_container(objects("health: {command: [cat, /tmp/ok]}\n"));
        CHECK(exec["livenessProbe"]["exec"]["command"] == Json::array({"cat", "/tmp/ok"}));
        // A path on a tcp or websocket port cannot be an HTTP check: the connection is the check.
        Json tcp = main_container(objects("ports: [{name: redis, port: 6379, protocol: tcp}]\nhealth: {path: /x}\n"));
        CHECK(tcp["readinessProbe"]["tcpSocket"] == Json{{"port", "redis"}});
        CHECK_FALSE(tcp["readinessProbe"].contains("httpGet"));
        Json on_port = main_container(objects("ports: [{name: http, port: 80}, {name: admin, port: 81}]\n"
                                              "health: {path: /h, port: admin}\n"));
        CHECK(on_port["livenessProbe"]["httpGet"]["port"] == "admin");
        Json none = main_container(objects(""));
        CHECK_FALSE(none.contains("readinessProbe"));
        CHECK_FALSE(none.contains("livenessProbe"));
    }

    TEST_CASE("parameters: NAME and HYPERPLANE_JOB_PARAMETER_NAME, in order; the legacy names can be switched off")
    {
        Json c = main_container(objects("parameters: {model-name: small, batch.size: \"8\"}\n"));
        std::vector<std::string> names;
        for (const auto& e : c["env"]) {
            names.push_back(e["name"]);
        }
        CHECK(names == std::vector<std::string>{"MODEL_NAME", "HYPERPLANE_JOB_PARAMETER_MODEL_NAME", "BATCH_SIZE",
                                                "HYPERPLANE_JOB_PARAMETER_BATCH_SIZE"});
        CHECK(env_entry(c, "BATCH_SIZE")["value"] == "8");
        Json off = main_container(objects("parameters: {model-name: small}\nlegacyParameterNames: false\n"));
        CHECK(off["env"].size() == 1);
        CHECK(env_entry(off, "HYPERPLANE_JOB_PARAMETER_MODEL_NAME").is_null());
    }

    TEST_CASE("secrets: HYPERPLANE_CUSTOM_SECRET_KEY_<KEY> from secretKeyRef and a read-only volume per secret")
    {
        auto r = render_text(std::string(k_base) + "secrets: [{name: openai, keys: [openai-key]}, huggingface]\n");
        Json c = main_container(r.objects);
        CHECK(env_entry(c, "HYPERPLANE_CUSTOM_SECRET_KEY_OPENAI_KEY")["valueFrom"] ==
              Json{{"secretKeyRef", {{"name", "openai"}, {"key", "openai-key"}}}});
        CHECK(c["volumeMounts"][0] == Json{{"name", "secret-openai"},
                                           {"mountPath", "/etc/hyperplane/secrets/openai"},
                                           {"readOnly", true}});
        CHECK(c["volumeMounts"][1]["mountPath"] == "/etc/hyperplane/secrets/huggingface");
        Json vols = pod_spec(r.objects)["volumes"];
        CHECK(vols[0] == Json{{"name", "secret-openai"}, {"secret", {{"secretName", "openai"}}}});
        // The keyless secret is mounted; its variables need the key names, which render says on stderr.
        REQUIRE(r.warnings.size() == 1);
        CHECK(r.warnings[0].find("secret \"huggingface\" is listed without keys") != std::string::npos);
        for (const auto& e : c["env"]) {
            CHECK(e.value("valueFrom", Json::object()).dump().find("huggingface") == std::string::npos);
        }
    }

    TEST_CASE("secret volume names are valid and distinct even when Secret names are not labels")
    {
        std::string long_a = std::string(60, 'a') + ".one";
        std::string long_b = std::string(60, 'a') + ".two";
        Json pod = pod_spec(objects("secrets: [a.b, a-b, " + long_a + ", " + long_b + "]\n"));
        std::set<std::string> names;
        for (const auto& v : pod["volumes"]) {
            std::string n = v["name"];
            CAPTURE(n);
            CHECK(kms::util::is_dns1123_label(n));
            CHECK(names.insert(n).second);
        }
        CHECK(names.size() == 4);
        CHECK(names.count("secret-a-b") == 1); // a plain label keeps its readable name
    }

    TEST_CASE("git: an init container clones into the shared workspace; only it sees the credentials Secret")
    {
        auto objs = objects("git: {repo: https://github.com/acme/web.git, branch: main, commit: 3f2c1a9, secret: creds}\n"
                            "run: {script: start.sh}\nworkingDir: svc\n");
        Json pod = pod_spec(objs);
        REQUIRE(pod["initContainers"].size() == 1);
        Json init = pod["initContainers"][0];
        CHECK(init["name"] == "git-clone");
        CHECK(env_entry(init, "GIT_REPO")["value"] == "https://github.com/acme/web.git");
        CHECK(env_entry(init, "GIT_BRANCH")["value"] == "main");
        CHECK(env_entry(init, "GIT_COMMIT")["value"] == "3f2c1a9");
        auto mounts_of = [](const Json& c) {
            std::set<std::string> m;
            for (const auto& v : c.value("volumeMounts", Json::array())) {
                m.insert(v["name"].get<std::string>());
            }
            return m;
        };
        CHECK(mounts_of(init) == std::set<std::string>{"workspace", "git-credentials"});
        Json c = main_container(objs);
        CHECK(mounts_of(c) == std::set<std::string>{"workspace"});
        CHECK(c["command"] == Json::array({"bash", "start.sh"}));
        CHECK(c["workingDir"] == "/workspace/repo/svc");
        CHECK(env_entry(c, "GIT_REPO").is_null());
        Json annotations = object_of_kind(objs, "Deployment")["spec"]["template"]["metadata"]["annotations"];
        CHECK(annotations["kubectl-microservice.dev/git-commit"] == "3f2c1a9");
        CHECK(annotations["kubectl-microservice.dev/git-branch"] == "main");
        bool creds_volume = false;
        for (const auto& v : pod["volumes"]) {
            creds_volume = creds_volume || (v["name"] == "git-credentials" && v["secret"]["secretName"] == "creds");
        }
        CHECK(creds_volume);
    }

    TEST_CASE("without git there is no init container, no workspace and no working directory")
    {
        auto objs = objects("run: {command: [python, app.py], args: [--port, \"8787\"]}\n");
        Json pod = pod_spec(objs);
        CHECK_FALSE(pod.contains("initContainers"));
        CHECK_FALSE(pod.contains("volumes"));
        Json c = main_container(objs);
        CHECK(c["command"] == Json::array({"python", "app.py"}));
        CHECK(c["args"] == Json::array({"--port", "8787"}));
        CHECK_FALSE(c.contains("workingDir"));
    }

    TEST_CASE("the config hash changes when the pod changes and only then")
    {
        std::string base = std::string(k_base) + "replicas: {min: 1, max: 3}\nenv: {A: \"1\"}\n";
        std::string h = config_hash(base);
        CHECK(h.size() == 16);
        CHECK(config_hash(base) == h);
        // Pod changes roll the pods.
        CHECK(config_hash(base + "parameters: {p: x}\n") != h);
        CHECK(config_hash(base + "resources: {cpu: 200m}\n") != h);
        CHECK(config_hash(base + "secrets: [s]\n") != h);
        CHECK(config_hash("name: web\nimage: ghcr.io/acme/web:1.5\nreplicas: {min: 1, max: 3}\nenv: {A: \"1\"}\n") != h);
        // Scaling and Service changes do not.
        CHECK(config_hash("name: web\nimage: ghcr.io/acme/web:1.4\nreplicas: {min: 1, max: 9}\nenv: {A: \"1\"}\n") == h);
        CHECK(config_hash(base + "autoscaling: {cpu: 50}\n") == h);
        CHECK(config_hash(base + "service: {type: LoadBalancer}\n") == h);
        CHECK(config_hash(base + "ports: [{name: http, port: 8787, servicePort: 80}]\n") == h);
    }

    TEST_CASE("an environment preset supplies image, resources, env, nodeSelector, tolerations and GPU")
    {
        kms::test::ServiceInput in;
        in.yaml = "name: web\nenvironment: gpu\nenv: {B: own}\n";
        in.config_yaml = "environments:\n  gpu:\n    image: ghcr.io/acme/torch:2.3\n"
                         "    resources: {cpu: \"2\", memory: 8Gi, gpu: 1}\n    env: {A: preset, B: preset}\n"
                         "    nodeSelector: {accelerator: t4}\n"
                         "    tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]\n";
        auto objs = render_text(in).objects;
        Json c = main_container(objs);
        CHECK(c["image"] == "ghcr.io/acme/torch:2.3");
        CHECK(c["resources"]["requests"] == Json{{"cpu", "2"}, {"memory", "8Gi"}, {"nvidia.com/gpu", 1}});
        CHECK(c["resources"]["limits"]["memory"] == "16Gi");
        CHECK(env_entry(c, "A")["value"] == "preset");
        CHECK(env_entry(c, "B")["value"] == "own");
        Json pod = pod_spec(objs);
        CHECK(pod["nodeSelector"] == Json{{"accelerator", "t4"}});
        CHECK(pod["tolerations"][0]["key"] == "nvidia.com/gpu");
    }
}
