#include <doctest/doctest.h>
#include <kube/diff.hpp>
#include <util/unified_diff.hpp>

using namespace kms;

TEST_SUITE_BEGIN("kube");

TEST_CASE("util::unified_diff")
{
    CHECK(util::unified_diff("a\nb\n", "a\nb\n", "x", "y").empty());
    CHECK(util::unified_diff("a\nb\nc\n", "a\nB\nc\n", "live/x", "merged/x") ==
          "--- live/x\n+++ merged/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
    CHECK(util::unified_diff("", "a\nb\n", "l", "m") == "--- l\n+++ m\n@@ -0,0 +1,2 @@\n+a\n+b\n");
    CHECK(util::unified_diff("a\n", "", "l", "m") == "--- l\n+++ m\n@@ -1 +0,0 @@\n-a\n");
    // Two changes far apart make two hunks with three lines of context each.
    std::string before;
    std::string after;
    for (int i = 1; i <= 20; ++i) {
        before += std::to_string(i) + "\n";
        after += (i == 2 ? std::string("two") : i == 18 ? std::string("eighteen") : std::to_string(i)) + "\n";
    }
    CHECK(util::unified_diff(before, after, "l", "m") == "--- l\n+++ m\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ "
                                                         "-15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n");
}

TEST_CASE("kube::strip_for_diff and diff_name")
{
    Json o = Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","uid":"u",
        "resourceVersion":"7","generation":3,"creationTimestamp":"t","managedFields":[],"labels":{"a":"b"}},
        "spec":{"replicas":1},"status":{"replicas":1}})");
    CHECK(kube::strip_for_diff(o) == Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
        "metadata":{"name":"web","labels":{"a":"b"}},"spec":{"replicas":1}})"));
    kube::ResourceInfo r{ "apps", "v1", "Deployment", "deployments", true };
    CHECK(kube::diff_name(r, "demo", "web") == "apps.v1.Deployment.demo.web");
    kube::ResourceInfo ns{ "", "v1", "Namespace", "namespaces", false };
    CHECK(kube::diff_name(ns, "", "demo") == "v1.Namespace.demo");
}

TEST_CASE("kube::mask_secret_data like kubectl diff")
{
    Json before =
      Json::parse(R"({"apiVersion":"v1","kind":"Secret","data":{"same":"eA==","changed":"b2xk","gone":"Zw=="}})");
    Json after =
      Json::parse(R"({"apiVersion":"v1","kind":"Secret","data":{"same":"eA==","changed":"bmV3","added":"YQ=="}})");
    kube::mask_secret_data(before, after);
    CHECK(before["data"] == Json::parse(R"j({"same":"***","changed":"*** (before)","gone":"***"})j"));
    CHECK(after["data"] == Json::parse(R"j({"same":"***","changed":"*** (after)","added":"***"})j"));
    Json none;
    Json created = Json::parse(R"({"apiVersion":"v1","kind":"Secret","stringData":{"k":"plain"}})");
    kube::mask_secret_data(none, created);
    CHECK(created["stringData"]["k"] == "***");
}

TEST_CASE("kube::mask_secret_data hides a Secret whatever the server's answer claims it is")
{
    // The caller decides (it planned a Secret); an answer saying another kind changes nothing.
    Json before = Json::parse(R"({"kind":"ConfigMap","data":{"k":"b2xk"}})");
    Json after = Json::parse(R"({"kind":42,"data":"c2VjcmV0","stringData":["plain"]})");
    kube::mask_secret_data(before, after);
    CHECK(before["data"]["k"] == "***");
    CHECK(after["data"] == "***");
    CHECK(after["stringData"] == "***");
    CHECK(after.dump().find("c2VjcmV0") == std::string::npos);
}

TEST_SUITE_END();
