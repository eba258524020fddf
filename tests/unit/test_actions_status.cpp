#include <doctest/doctest.h>

#include <regex>
#include <kube/actions_format.hpp>
#include <kube/actions_status.hpp>
#include <util/rfc3339.hpp>

using namespace kms;

namespace {

// A Deployment of `replicas` at revision 2, its status as given.
Json deployment(int replicas, const std::string& status)
{
    Json d = Json::parse(R"({"metadata": {"name": "web", "namespace": "demo", "uid": "d-uid", "generation": 2,
        "creationTimestamp": "2026-01-01T00:00:00Z",
        "labels": {"app.kubernetes.io/managed-by": "kubectl-microservice",
                   "applyset.kubernetes.io/part-of": "applyset-abc-v1"},
        "annotations": {"deployment.kubernetes.io/revision": "2"}},
      "spec": {"selector": {"matchLabels": {"app.kubernetes.io/instance": "web"}},
               "template": {"metadata": {"annotations": {"kubectl-microservice.dev/git-commit": "0123456789abcdef"}},
                            "spec": {"containers": [{"name": "web", "image": "web:2"}]}}}})");
    d["spec"]["replicas"] = replicas;
    d["status"] = Json::parse(status);
    return d;
}

const char* k_rolled_out = R"({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2,
                               "availableReplicas": 2})";

// The current ReplicaSet and one crash-looping pod of it.
actions::Observed crash_looping(const std::string& status)
{
    actions::Observed o;
    o.deployment = deployment(2, status);
    o.replicasets = Json::parse(R"([{"metadata": {"name": "web-2", "namespace": "demo", "uid": "rs-uid",
        "labels": {"pod-template-hash": "2"}, "annotations": {"deployment.kubernetes.io/revision": "2"},
        "ownerReferences": [{"uid": "d-uid", "controller": true}]}}])");
    o.pods = Json::parse(R"([{"metadata": {"name": "web-2-a", "namespace": "demo",
        "ownerReferences": [{"uid": "rs-uid"}]},
      "status": {"containerStatuses": [{"name": "web", "restartCount": 4,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"exitCode": 1}}}]}}])");
    return o;
}

} // namespace

TEST_SUITE("actions::status")
{
    TEST_CASE("assess: the five health states, with reasons")
    {
        actions::Observed o;
        o.deployment = deployment(2, k_rolled_out);
        CHECK(actions::assess(o).health == actions::Health::healthy);
        CHECK(actions::assess(o).reason.empty());

        o.deployment = deployment(0, R"({"observedGeneration": 2})");
        CHECK(actions::assess(o).health == actions::Health::off);
        o.deployment = deployment(0, R"({"observedGeneration": 2, "replicas": 1})");
        CHECK(actions::assess(o).health == actions::Health::progressing);
        CHECK(actions::assess(o).reason == "switching off: 1 pods left");

        o.deployment = deployment(2, R"({"observedGeneration": 1})");
        CHECK(actions::assess(o).health == actions::Health::progressing);
        CHECK(actions::assess(o).reason == "Waiting for deployment spec update to be observed...");

        auto failing = crash_looping(R"({"observedGeneration": 2, "replicas": 1, "updatedReplicas": 1})");
        CHECK(actions::assess(failing).health == actions::Health::failed);
        REQUIRE(actions::assess(failing).diagnosis);
        CHECK(actions::assess(failing).diagnosis->want_logs);
        CHECK(actions::assess(failing).diagnosis->pod == "web-2-a");
        CHECK(actions::assess(failing).reason ==
              "pod web-2-a: container \"web\" is crash-looping (CrashLoopBackOff, exit code 1, 4 restarts)");
        // The previous revision still serves: degraded, same reason.
        auto serving = crash_looping(R"({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1,
                                         "availableReplicas": 2})");
        CHECK(actions::assess(serving).health == actions::Health::degraded);
        CHECK(actions::assess(serving).reason == actions::assess(failing).reason);

        o.deployment = deployment(2, R"({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2,
            "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]})");
        CHECK(actions::assess(o).health == actions::Health::failed);
        CHECK(actions::assess(o).reason == "deployment \"web\" exceeded its progress deadline");
        CHECK(actions::health_name(actions::Health::degraded) == "degraded");
    }

    TEST_CASE("an HPA decides the desired replicas and shows its bounds and metrics")
    {
        actions::Observed o;
        o.deployment = deployment(3, R"({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3,
                                         "readyReplicas": 3, "availableReplicas": 3})");
        o.deployment["spec"].erase("replicas");
        o.hpa = Json::parse(R"({"spec": {"minReplicas": 2, "maxReplicas": 5, "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 80}}}]},
          "status": {"currentReplicas": 3, "desiredReplicas": 3, "currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 45}}}]}})");
        CHECK(actions::desired_replicas(o) == 3);
        Json doc = actions::status_document(o, {});
        CHECK(doc["health"] == "healthy");
        CHECK(doc["autoscaling"] == Json::parse(R"({"min": 2, "max": 5, "current": 3, "desired": 3,
            "cpu": {"target": 70, "current": 45}, "memory": {"target": 80}})"));
        CHECK(doc["commit"] == "0123456789abcdef");
        CHECK(doc["revision"] == 2);
        CHECK(doc["applyset"] == "applyset-abc-v1");
        auto now = *util::parse_rfc3339("2026-01-01T00:05:00Z");
        std::string text = actions::status_text(doc, now, util::Palette(false));
        CHECK(text.find("Autoscaling:   2-5 replicas (now 3), cpu 45%/70%, memory <unknown>/80%\n") !=
              std::string::npos);
        CHECK(text.find("Age:           5m\n") != std::string::npos);
        CHECK(text.find("Service:       <none> (no Service object)\n") != std::string::npos);
    }

    TEST_CASE("service block: DigitalHub's fields, in-cluster names, external URLs")
    {
        Json svc = Json::parse(R"({"metadata": {"name": "web", "namespace": "demo"},
          "spec": {"type": "LoadBalancer", "clusterIP": "10.0.0.7", "ports": [
            {"name": "http", "port": 80, "targetPort": 8787, "protocol": "TCP", "nodePort": 30080},
            {"name": "grpc", "port": 9000, "targetPort": "grpc", "protocol": "TCP"}]},
          "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}]}}})");
        auto lb = actions::load_balancer_urls(svc);
        CHECK(lb == std::vector<std::string>{ "203.0.113.9:80", "203.0.113.9:9000" });
        Json block = actions::service_block(svc, lb);
        CHECK(block == Json::parse(R"({"name": "web", "type": "LoadBalancer", "clusterIP": "10.0.0.7",
          "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8787, "nodePort": 30080},
                    {"name": "grpc", "port": 9000, "protocol": "TCP", "targetPort": "grpc"}],
          "url": "web.demo:80", "urls": ["web.demo:80", "web.demo:9000"],
          "dns": ["web", "web.demo", "web.demo.svc", "web.demo.svc.cluster.local"],
          "external": ["203.0.113.9:80", "203.0.113.9:9000"]})"));
        svc["spec"]["type"] = "ClusterIP";
        CHECK(actions::load_balancer_urls(svc).empty());
    }

    TEST_CASE("list rows: narrow, all namespaces, wide")
    {
        auto now = *util::parse_rfc3339("2026-01-01T03:00:00Z");
        actions::Observed o = crash_looping(R"({"observedGeneration": 2, "replicas": 1, "updatedReplicas": 1})");
        Json doc = actions::status_document(o, {});
        CHECK(actions::list_row(doc, false, false, now) ==
              std::vector<std::string>{ "web", "failed", "0/2", "<none>", "3h" });
        CHECK(actions::list_headers(true, true).size() == actions::list_row(doc, true, true, now).size());
        auto wide = actions::list_row(doc, true, true, now);
        CHECK(wide[0] == "demo");
        CHECK(wide[6] == "web:2");
        CHECK(wide[7] == "2");
        CHECK(wide[8] == "0123456789ab");
        CHECK(wide[9].find("crash-looping") != std::string::npos);
        // On a terminal the health is coloured, and the table stays aligned.
        auto red = actions::list_row(doc, false, false, now, util::Palette(true));
        CHECK(red[1] == util::Palette(true).paint(util::Colour::red, "failed"));
        std::string table = actions::format_table({ "NAME", "HEALTH", "REPLICAS", "URL", "AGE" }, { red });
        std::string plain = std::regex_replace(table, std::regex("\x1b\\[[0-9;]*m"), "");
        CHECK(plain == "NAME   HEALTH   REPLICAS   URL      AGE\nweb    failed   0/2        <none>   3h\n");
    }
}
