#include <doctest/doctest.h>
#include <kube/rollout.hpp>

using namespace kms;

namespace {

Json deployment(const std::string& status, int generation = 2, const std::string& spec = R"({"replicas":3})")
{
    return Json::parse(R"({"metadata":{"name":"web","uid":"d1","generation":)" + std::to_string(generation) +
                       R"(,"annotations":{"deployment.kubernetes.io/revision":"2"}},"spec":)" + spec + R"(,"status":)" +
                       status + "}");
}

// The ReplicaSets of revisions 1 and 2, and one pod of each with the given container status.
struct Fixture
{
    Json rs = Json::parse(R"([
        {"metadata":{"name":"web-old","uid":"rs1","labels":{"pod-template-hash":"old"},
          "annotations":{"deployment.kubernetes.io/revision":"1"},"ownerReferences":[{"uid":"d1"}]}},
        {"metadata":{"name":"web-new","uid":"rs2","labels":{"pod-template-hash":"new"},
          "annotations":{"deployment.kubernetes.io/revision":"2"},"ownerReferences":[{"uid":"d1"}]}}])");

    Json pods(const std::string& new_status, const std::string& old_status = R"({"containerStatuses":[]})") const
    {
        return Json::parse(R"([
            {"metadata":{"name":"web-old-a","labels":{"pod-template-hash":"old"},"ownerReferences":[{"uid":"rs1"}]},
             "status":)" + old_status +
                           R"(},
            {"metadata":{"name":"web-new-b","labels":{"pod-template-hash":"new"},"ownerReferences":[{"uid":"rs2"}]},
             "status":)" + new_status +
                           "}]");
    }
};

} // namespace

TEST_SUITE_BEGIN("kube");

TEST_CASE("kube::rollout_status follows kubectl")
{
    auto msg = [](const Json& d) { return kube::rollout_status(d).message; };
    CHECK(msg(deployment(R"({"observedGeneration":1})")) == "Waiting for deployment spec update to be observed...");
    CHECK(msg(deployment(R"({"observedGeneration":2,"updatedReplicas":1,"replicas":3})")) ==
          "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...");
    CHECK(msg(deployment(R"({"observedGeneration":2,"updatedReplicas":3,"replicas":4,"availableReplicas":3})")) ==
          "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...");
    CHECK(msg(deployment(R"({"observedGeneration":2,"updatedReplicas":3,"replicas":3,"availableReplicas":2})")) ==
          "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available...");
    auto done = kube::rollout_status(
      deployment(R"({"observedGeneration":2,"updatedReplicas":3,"replicas":3,"availableReplicas":3})"));
    CHECK(done.done);
    CHECK(done.message == "deployment \"web\" successfully rolled out");
    // No spec.replicas (an HPA owns it): only the other checks apply.
    CHECK(kube::rollout_status(
            deployment(R"({"observedGeneration":2,"updatedReplicas":2,"replicas":2,"availableReplicas":2})", 2, "{}"))
            .done);
    auto failed = kube::rollout_status(deployment(
      R"({"observedGeneration":2,"conditions":[{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded"}]})"));
    CHECK(failed.failed);
    CHECK(failed.message == "deployment \"web\" exceeded its progress deadline");
}

TEST_CASE("kube::diagnose looks only at the current ReplicaSet's pods")
{
    Fixture f;
    Json d = deployment(R"({"observedGeneration":2})");
    REQUIRE(kube::current_replicaset(d, f.rs));
    CHECK((*kube::current_replicaset(d, f.rs))["metadata"]["name"] == "web-new");

    // An old pod crash-looping does not fail the new rollout.
    std::string crash = R"({"containerStatuses":[{"name":"web","restartCount":4,
        "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 40s"}},
        "lastState":{"terminated":{"exitCode":3,"reason":"Error"}}}]})";
    CHECK_FALSE(kube::diagnose(d, f.rs, f.pods(R"({"containerStatuses":[]})", crash), Json::array()));

    // Until the controller has observed the new spec, the "current" pods are the previous revision's.
    CHECK_FALSE(kube::diagnose(deployment(R"({"observedGeneration":1})"), f.rs, f.pods(crash), Json::array()));
    auto c = kube::diagnose(d, f.rs, f.pods(crash), Json::array());
    REQUIRE(c);
    CHECK(c->summary ==
          "pod web-new-b: container \"web\" is crash-looping (CrashLoopBackOff, exit code 3, 4 restarts)");
    CHECK(c->want_logs);
    CHECK(c->pod == "web-new-b");
    CHECK(c->container == "web");

    auto pull = kube::diagnose(d,
                               f.rs,
                               f.pods(R"({"containerStatuses":[{"name":"web","image":"x:1",
        "state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image \"x:1\""}}}]})"),
                               Json::array());
    REQUIRE(pull);
    CHECK(
      pull->summary ==
      "pod web-new-b: container \"web\" cannot pull image \"x:1\" (ImagePullBackOff): Back-off pulling image \"x:1\"");

    std::string pending = R"({"conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable",
        "message":"0/3 nodes are available: 3 Insufficient cpu."}]})";
    auto unsched = kube::diagnose(d, f.rs, f.pods(pending), Json::array());
    REQUIRE(unsched);
    CHECK(unsched->summary == "pod web-new-b cannot be scheduled: 0/3 nodes are available: 3 Insufficient cpu.");
    Json scale_up = Json::parse(R"([{"involvedObject":{"name":"web-new-b"},"reason":"TriggeredScaleUp"}])");
    CHECK_FALSE(kube::diagnose(d, f.rs, f.pods(pending), scale_up));

    Json probes = Json::parse(R"([{"involvedObject":{"name":"web-new-b"},"reason":"Unhealthy","count":2,
        "message":"Readiness probe failed: HTTP probe failed with statuscode: 503"}])");
    CHECK_FALSE(kube::diagnose(d, f.rs, f.pods("{}"), probes));
    probes[0]["count"] = 5;
    auto probe = kube::diagnose(d, f.rs, f.pods("{}"), probes);
    REQUIRE(probe);
    CHECK(
      probe->summary ==
      "pod web-new-b: probes keep failing (5 times): Readiness probe failed: HTTP probe failed with statuscode: 503");

    Json quota = deployment(R"({"observedGeneration":2,"conditions":[{"type":"ReplicaFailure","status":"True",
        "reason":"FailedCreate","message":"pods \"web-new-x\" is forbidden: exceeded quota"}]})");
    CHECK(kube::diagnose(quota, f.rs, Json::array(), Json::array())->summary ==
          "the deployment cannot create pods (FailedCreate): pods \"web-new-x\" is forbidden: exceeded quota");
}

TEST_SUITE_END();
