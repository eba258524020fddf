#include <kube/actions_history.hpp>
#include <util/error.hpp>

#include <doctest/doctest.h>

using namespace kms;

namespace {

Json deployment(const std::string& revision, bool paused = false)
{
    return Json::parse(R"({"metadata": {"name": "web", "uid": "d-uid", "annotations": {
        "deployment.kubernetes.io/revision": ")" + revision + R"(", "kubectl-microservice.dev/source": "now",
        "deployment.kubernetes.io/desired-replicas": "3"}},
      "spec": {"paused": )" + (paused ? std::string("true") : std::string("false")) + R"(,
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "web:3"}]}}}})");
}

Json replicaset(const std::string& name, const std::string& revision, const std::string& image,
                const std::string& owner = "d-uid")
{
    return Json::parse(R"({"metadata": {"name": ")" + name + R"(", "creationTimestamp": "2026-01-01T00:00:00Z",
        "annotations": {"deployment.kubernetes.io/revision": ")" + revision + R"(",
          "deployment.kubernetes.io/desired-replicas": "1", "kubectl-microservice.dev/source": "rev)" + revision + R"("},
        "ownerReferences": [{"uid": ")" + owner + R"(", "controller": true}]},
      "spec": {"replicas": 0, "template": {"metadata": {"labels": {"app": "web", "pod-template-hash": "h)" + revision + R"("},
        "annotations": {"kubectl-microservice.dev/git-commit": "c)" + revision + R"("}},
        "spec": {"containers": [{"name": "web", "image": ")" + image + R"("}]}}}})");
}

} // namespace

TEST_SUITE("actions::history")
{
    TEST_CASE("revisions: only the Deployment's own ReplicaSets, oldest first, current marked")
    {
        auto revs = actions::revisions(deployment("3"), {replicaset("web-c", "3", "web:3"), replicaset("web-a", "1", "web:1"),
                                                          replicaset("other", "2", "x:1", "someone-else"),
                                                          replicaset("web-b", "2", "web:2")});
        REQUIRE(revs.size() == 3);
        CHECK(revs[0].number == 1);
        CHECK(revs[1].image == "web:2");
        CHECK(revs[1].commit == "c2");
        CHECK(revs[2].current);
        CHECK_FALSE(revs[0].current);
    }

    TEST_CASE("pick_revision follows kubectl rollout undo")
    {
        auto revs = actions::revisions(deployment("3"), {replicaset("a", "1", "web:1"), replicaset("b", "2", "web:2"),
                                                          replicaset("c", "3", "web:3")});
        CHECK(actions::pick_revision(revs, 0, "web").number == 2);
        CHECK(actions::pick_revision(revs, 1, "web").number == 1);
        CHECK_THROWS_WITH(actions::pick_revision(revs, 7, "web"),
                          doctest::Contains("unable to find specified revision 7 in history of service \"web\""));
        auto one = actions::revisions(deployment("1"), {replicaset("a", "1", "web:1")});
        CHECK_THROWS_WITH(actions::pick_revision(one, 0, "web"), doctest::Contains("no rollout history found"));
    }

    TEST_CASE("template_matches ignores pod-template-hash only")
    {
        Json d = deployment("2");
        Json rs = replicaset("b", "2", "web:3");
        rs["spec"]["template"]["metadata"].erase("annotations");
        CHECK(actions::template_matches(d, rs));
        rs["spec"]["template"]["spec"]["containers"][0]["image"] = "web:4";
        CHECK_FALSE(actions::template_matches(d, rs));
    }

    TEST_CASE("undo_patch: the ReplicaSet's template and annotations, the Deployment's own kept")
    {
        Json p = actions::undo_patch(deployment("3"), replicaset("a", "1", "web:1"));
        REQUIRE(p.size() == 2);
        CHECK(p[0]["path"] == "/spec/template");
        CHECK_FALSE(p[0]["value"]["metadata"]["labels"].contains("pod-template-hash"));
        CHECK(p[0]["value"]["spec"]["containers"][0]["image"] == "web:1");
        const Json& ann = p[1]["value"];
        CHECK(p[1]["path"] == "/metadata/annotations");
        CHECK(ann["deployment.kubernetes.io/revision"] == "3");
        CHECK(ann["deployment.kubernetes.io/desired-replicas"] == "3");
        CHECK(ann["kubectl-microservice.dev/source"] == "rev1"); // the revision's own description
    }

    TEST_CASE("a paused Deployment is refused")
    {
        CHECK_THROWS_WITH(actions::require_not_paused(deployment("1", true), "roll back"),
                          doctest::Contains("you cannot roll back a paused deployment (web)"));
        CHECK_NOTHROW(actions::require_not_paused(deployment("1"), "restart"));
    }
}
