#include "fake_http.hpp"

#include <kube/actions_history.hpp>
#include <kube/actions_logs.hpp>
#include <kube/actions_rollout.hpp>
#include <kube/actions_target.hpp>
#include <util/clock.hpp>
#include <util/error.hpp>
#include <util/rfc3339.hpp>

#include <doctest/doctest.h>

#include <map>

using namespace kms;
using test::FakeHttp;

namespace {

// A cluster of canned answers by path (query included); anything else is 404.
struct FakeCluster
{
    FakeHttp http;
    std::map<std::string, std::pair<int, std::string>> answers;
    std::unique_ptr<kube::Client> client;

    FakeCluster()
    {
        http.handler = [this](const http::Request& r) {
            std::string path = r.url.substr(std::string("https://api.test").size());
            auto it = answers.find(path);
            if (it == answers.end()) {
                return FakeHttp::answer(404, R"({"kind":"Status","code":404,"reason":"NotFound","message":"not found"})");
            }
            return FakeHttp::answer(it->second.first, it->second.second);
        };
        kube::RestConfig rc;
        rc.server = "https://api.test";
        kube::ClientDeps deps;
        deps.http = http.factory();
        client = std::make_unique<kube::Client>(rc, deps);
    }
};

const char* k_managed_list = R"({"items": [
    {"metadata": {"name": "web", "namespace": "demo"}}, {"metadata": {"name": "api", "namespace": "demo"}}]})";

Json web_deployment()
{
    return Json::parse(R"({"metadata": {"name": "web", "namespace": "demo", "uid": "d-uid",
        "labels": {"app.kubernetes.io/managed-by": "kubectl-microservice"},
        "annotations": {"deployment.kubernetes.io/revision": "2"}},
      "spec": {"selector": {"matchLabels": {"app.kubernetes.io/instance": "web"}},
               "template": {"spec": {"containers": [{"name": "web", "image": "web:2"}]}}}})");
}

std::string body_of(const FakeHttp& http, const std::string& method)
{
    for (const auto& r : http.requests) {
        if (r.method == method) {
            return r.body;
        }
    }
    return {};
}

std::string content_type_of(const FakeHttp& http, const std::string& method)
{
    for (const auto& r : http.requests) {
        for (const auto& [k, v] : r.headers) {
            if (r.method == method && k == "Content-Type") {
                return v;
            }
        }
    }
    return {};
}

} // namespace

TEST_SUITE("actions::cluster")
{
    TEST_CASE("find_service: found, unknown with close matches, forbidden")
    {
        FakeCluster fc;
        fc.answers["/apis/apps/v1/namespaces/demo/deployments/web"] = {200, web_deployment().dump()};
        fc.answers["/apis/apps/v1/namespaces/demo/deployments?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkubectl-"
                   "microservice"] = {200, k_managed_list};
        auto t = actions::find_service(*fc.client, "demo", "web", "scale", actions::Need::deployment);
        CHECK(t.name == "web");
        CHECK(t.namespace_ == "demo");
        CHECK_THROWS_WITH(actions::find_service(*fc.client, "demo", "webb", "scale", actions::Need::deployment),
                          "service \"webb\" not found in namespace \"demo\" (did you mean \"web\"?)");
        fc.answers["/apis/apps/v1/namespaces/demo/deployments/locked"] = {
            403, R"({"kind":"Status","code":403,"reason":"Forbidden","message":"deployments.apps \"locked\" is forbidden: User \"u\" cannot get resource \"deployments\""})"};
        CHECK_THROWS_WITH(actions::find_service(*fc.client, "demo", "locked", "scale", actions::Need::deployment),
                          doctest::Contains("forbidden: deployments.apps \"locked\" is forbidden"));
    }

    TEST_CASE("managed_names: a denied cluster-wide list is no error, a denied namespace list is")
    {
        FakeCluster fc;
        const std::string denied = R"({"kind":"Status","code":403,"reason":"Forbidden","message":"no"})";
        fc.answers["/apis/apps/v1/deployments?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkubectl-microservice"] = {
            403, denied};
        CHECK(actions::managed_names(*fc.client, "").empty());
        fc.answers["/apis/apps/v1/namespaces/demo/deployments?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkubectl-"
                   "microservice"] = {403, denied};
        CHECK_THROWS_AS(actions::managed_names(*fc.client, "demo"), Error);
    }

    TEST_CASE("logs: every pod's lines prefixed, oldest pod first, a pod without a log is a note")
    {
        FakeCluster fc;
        fc.answers["/api/v1/namespaces/demo/pods?labelSelector=app.kubernetes.io%2Finstance%3Dweb"] = {
            200, R"({"items": [
              {"metadata": {"name": "web-b", "creationTimestamp": "2026-01-01T00:00:02Z"},
               "spec": {"containers": [{"name": "web"}]}},
              {"metadata": {"name": "web-a", "creationTimestamp": "2026-01-01T00:00:01Z"},
               "spec": {"containers": [{"name": "web"}]}}]})"};
        fc.answers["/api/v1/namespaces/demo/pods/web-a/log?container=web&tailLines=2"] = {200, "one\ntwo\n"};
        fc.answers["/api/v1/namespaces/demo/pods/web-b/log?container=web&tailLines=2"] = {
            400, R"({"kind":"Status","code":400,"reason":"BadRequest","message":"container \"web\" in pod \"web-b\" is waiting to start: ContainerCreating"})"};
        auto t = actions::to_target(web_deployment(), "logs", actions::Need::deployment);
        actions::LogOptions o;
        o.tail = 2;
        std::vector<std::string> lines;
        std::vector<std::string> notes;
        actions::LogSink sink{[&](const std::string& l) { lines.push_back(l); },
                              [&](const std::string& n) { notes.push_back(n); }};
        util::FakeClock clock;
        actions::show_logs(*fc.client, t, o, sink, clock);
        CHECK(lines == std::vector<std::string>{"[pod/web-a/web] one", "[pod/web-a/web] two"});
        REQUIRE(notes.size() == 1);
        CHECK(notes[0] == "pod/web-b: container \"web\" in pod \"web-b\" is waiting to start: ContainerCreating");
    }

    TEST_CASE("restart_pods: kubectl's strategic merge patch of restartedAt")
    {
        FakeCluster fc;
        fc.answers["/apis/apps/v1/namespaces/demo/deployments/web?fieldManager=kubectl-microservice-rollout"] = {
            200, web_deployment().dump()};
        auto t = actions::to_target(web_deployment(), "restart", actions::Need::deployment);
        actions::restart_pods(*fc.client, t, *util::parse_rfc3339("2026-11-21T23:48:52Z"));
        CHECK(Json::parse(body_of(fc.http, "PATCH")) ==
              Json::parse(R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-21T23:48:52Z"}}}}})"));
        CHECK(content_type_of(fc.http, "PATCH") == "application/strategic-merge-patch+json");
        Json paused = web_deployment();
        paused["spec"]["paused"] = true;
        CHECK_THROWS_WITH(actions::restart_pods(*fc.client, actions::to_target(paused, "restart", actions::Need::deployment),
                                                util::real_clock().now()),
                          doctest::Contains("you cannot restart a paused deployment"));
    }

    TEST_CASE("undo_to and load_revisions: the revisions the Deployment owns, kubectl's JSON patch")
    {
        FakeCluster fc;
        fc.answers["/apis/apps/v1/namespaces/demo/replicasets?labelSelector=app.kubernetes.io%2Finstance%3Dweb"] = {
            200, R"({"items": [
              {"metadata": {"name": "web-1", "uid": "r1", "annotations": {"deployment.kubernetes.io/revision": "1"},
                            "ownerReferences": [{"uid": "d-uid", "controller": true}]},
               "spec": {"template": {"metadata": {"labels": {"pod-template-hash": "1"}},
                                     "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}},
              {"metadata": {"name": "web-2", "uid": "r2", "annotations": {"deployment.kubernetes.io/revision": "2"},
                            "ownerReferences": [{"uid": "d-uid", "controller": true}]},
               "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web:2"}]}}}}]})"};
        fc.answers["/apis/apps/v1/namespaces/demo/deployments/web?fieldManager=kubectl-microservice-rollout"] = {
            200, web_deployment().dump()};
        auto t = actions::to_target(web_deployment(), "roll back", actions::Need::deployment);
        auto revs = actions::load_revisions(*fc.client, t);
        REQUIRE(revs.size() == 2);
        const auto& prev = actions::pick_revision(revs, 0, "web");
        CHECK(prev.image == "web:1");
        actions::undo_to(*fc.client, t, prev);
        CHECK(content_type_of(fc.http, "PATCH") == "application/json-patch+json");
        Json patch = Json::parse(body_of(fc.http, "PATCH"));
        CHECK(patch[0]["value"]["spec"]["containers"][0]["image"] == "web:1");
    }
}
