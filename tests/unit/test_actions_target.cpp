#include <kube/actions_format.hpp>
#include <kube/actions_logs.hpp>
#include <kube/actions_record.hpp>
#include <kube/actions_target.hpp>
#include <util/error.hpp>

#include <doctest/doctest.h>

using namespace kms;

namespace {

Json deployment(const std::string& managed_by, bool record)
{
    Json d = Json::parse(R"({"metadata": {"name": "web", "namespace": "demo", "labels": {}, "annotations": {}},
                             "spec": {"selector": {"matchLabels": {"app.kubernetes.io/instance": "web"}}}})");
    if (!managed_by.empty()) {
        d["metadata"]["labels"]["app.kubernetes.io/managed-by"] = managed_by;
        d["metadata"]["labels"]["applyset.kubernetes.io/part-of"] = "applyset-abc-v1";
    }
    if (record) {
        d["metadata"]["annotations"]["kubectl-microservice.dev/source"] = "{}";
    }
    return d;
}

Json pod(const std::string& containers_json, const std::string& annotations_json = "{}")
{
    return Json::parse(R"({"metadata": {"name": "web-1", "annotations": )" + annotations_json + R"(},
                           "spec": {"initContainers": [{"name": "git-clone"}], "containers": )" + containers_json + "}}");
}

} // namespace

TEST_SUITE("actions::target")
{
    TEST_CASE("services of other tools are refused with the reason")
    {
        CHECK_THROWS_WITH(actions::to_target(deployment("Helm", true), "restart", actions::Need::deployment),
                          "deployment \"web\" in namespace \"demo\" is not managed by kubectl-microservice: its "
                          "app.kubernetes.io/managed-by label says \"Helm\"; refusing to restart it");
        CHECK_THROWS_WITH(actions::to_target(deployment("", true), "scale", actions::Need::deployment),
                          doctest::Contains("it has no app.kubernetes.io/managed-by label"));
    }

    TEST_CASE("verbs that rebuild the service need its record")
    {
        auto t = actions::to_target(deployment("kubectl-microservice", false), "status", actions::Need::deployment);
        CHECK(t.applyset_id == "applyset-abc-v1");
        CHECK_FALSE(t.record);
        CHECK_THROWS_WITH(actions::to_target(deployment("kubectl-microservice", false), "clone", actions::Need::record),
                          doctest::Contains("has no recorded description (kubectl-microservice.dev/source)"));
        CHECK(actions::to_target(deployment("kubectl-microservice", true), "clone", actions::Need::record).record == "{}");
    }

    TEST_CASE("unknown services: close matches, other namespaces, or what is there")
    {
        CHECK(actions::unknown_service_message("webb", "demo", {"api", "web"}, {}) ==
              "service \"webb\" not found in namespace \"demo\" (did you mean \"web\"?)");
        CHECK(actions::unknown_service_message("web", "demo", {}, {{"prod", "web"}}) ==
              "service \"web\" not found in namespace \"demo\" (it exists in namespace \"prod\": add -n prod)");
        CHECK(actions::unknown_service_message("zzz", "demo", {"api", "web"}, {}) ==
              "service \"zzz\" not found in namespace \"demo\" (services there: \"api\", \"web\")");
        CHECK(actions::unknown_service_message("zzz", "demo", {}, {}).find("no service of kubectl-microservice") !=
              std::string::npos);
    }

    TEST_CASE("selectors are percent-encoded")
    {
        CHECK(actions::managed_selector_query() == "labelSelector=app.kubernetes.io%2Fmanaged-by%3Dkubectl-microservice");
        CHECK(actions::pod_selector_query(deployment("x", false)) ==
              "labelSelector=app.kubernetes.io%2Finstance%3Dweb");
    }
}

TEST_SUITE("actions::logs")
{
    TEST_CASE("pick_container: flag, default annotation, the service's own, first")
    {
        Json p = pod(R"([{"name": "sidecar"}, {"name": "web"}])");
        CHECK(actions::pick_container(p, "web", "") == "web");
        CHECK(actions::pick_container(p, "web", "git-clone") == "git-clone");
        CHECK(actions::pick_container(p, "other", "") == "sidecar");
        Json annotated = pod(R"([{"name": "a"}, {"name": "b"}])", R"({"kubectl.kubernetes.io/default-container": "b"})");
        CHECK(actions::pick_container(annotated, "web", "") == "b");
        CHECK_THROWS_WITH(actions::pick_container(p, "web", "nope"),
                          "container nope is not valid for pod web-1: choose one of: [sidecar web] or one of the init "
                          "containers: [git-clone]");
    }

    TEST_CASE("log_path: tail only for pods present at the start")
    {
        actions::LogOptions o;
        o.follow = true;
        o.tail = 5;
        o.since_seconds = 60;
        CHECK(actions::log_path("demo", "web-1", "web", o, true) ==
              "/api/v1/namespaces/demo/pods/web-1/log?container=web&follow=true&tailLines=5&sinceSeconds=60");
        CHECK(actions::log_path("demo", "web-2", "web", o, false) ==
              "/api/v1/namespaces/demo/pods/web-2/log?container=web&follow=true&sinceSeconds=60");
        CHECK(actions::log_prefix("web-1", "web") == "[pod/web-1/web] ");
    }

    TEST_CASE("container_started")
    {
        Json p = pod(R"([{"name": "web"}])");
        CHECK_FALSE(actions::container_started(p, "web"));
        p["status"]["containerStatuses"] = Json::parse(R"([{"name": "web", "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                                                           "lastState": {"terminated": {"exitCode": 1}}}])");
        CHECK(actions::container_started(p, "web"));
        p["status"]["containerStatuses"][0].erase("lastState");
        CHECK_FALSE(actions::container_started(p, "web"));
    }
}

TEST_SUITE("actions::format")
{
    TEST_CASE("human_age as kubectl prints it")
    {
        using std::chrono::seconds;
        CHECK(actions::human_age(seconds(45)) == "45s");
        CHECK(actions::human_age(seconds(192)) == "3m12s");
        CHECK(actions::human_age(seconds(180)) == "3m");
        CHECK(actions::human_age(seconds(45 * 60)) == "45m");
        CHECK(actions::human_age(seconds(3 * 3600 + 5 * 60)) == "3h5m");
        CHECK(actions::human_age(seconds(30 * 3600)) == "30h");
        CHECK(actions::human_age(seconds(3 * 86400 + 4 * 3600)) == "3d4h");
        CHECK(actions::human_age(seconds(45 * 86400)) == "45d");
        CHECK(actions::human_age(seconds((2 * 365 + 45) * 86400)) == "2y45d");
        CHECK(actions::human_age(seconds(-5)) == "<invalid>");
    }

    TEST_CASE("format_table aligns columns and trims trailing space")
    {
        CHECK(actions::format_table({"NAME", "HEALTH"}, {{"web", "healthy"}, {"inference", "off"}}) ==
              "NAME        HEALTH\nweb         healthy\ninference   off\n");
        CHECK(actions::format_table({}, {{"a", ""}}) == "a\n");
    }
}
