#include "fake_http.hpp"

#include <doctest/doctest.h>
#include <kube/discovery.hpp>

using namespace kms;
using test::FakeHttp;

namespace {

std::string path_of(const std::string& url)
{
    return url.substr(url.find('/', url.find("://") + 3));
}

} // namespace

TEST_SUITE_BEGIN("kube");

TEST_CASE("kube::discovery: legacy fallback fetches only the group versions asked about")
{
    FakeHttp fake;
    fake.handler = [](const http::Request& r) {
        std::string p = path_of(r.url);
        if (p == "/api") {
            return FakeHttp::answer(200, R"({"kind":"APIVersions","versions":["v1"]})");
        }
        if (p == "/apis") {
            return FakeHttp::answer(200, R"({"kind":"APIGroupList","groups":[{"name":"apps","versions":[
                {"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1"}}]})");
        }
        if (p == "/apis/apps/v1") {
            return FakeHttp::answer(200, R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
                {"name":"deployments","kind":"Deployment","namespaced":true},
                {"name":"deployments/scale","kind":"Scale","namespaced":true}]})");
        }
        return FakeHttp::answer(404, "{}");
    };
    kube::RestConfig rc;
    rc.server = "https://legacy";
    kube::ClientDeps deps;
    deps.http = fake.factory();
    kube::Client client(rc, deps);
    kube::Discovery d(client);
    auto dep = d.find("apps/v1", "Deployment");
    REQUIRE(dep);
    CHECK(dep->resource == "deployments");
    CHECK(dep->group_kind() == "Deployment.apps");
    CHECK_FALSE(d.find("apps/v1", "Scale")); // subresources are not kinds
    CHECK_FALSE(d.find("batch/v1", "Job"));
    CHECK(d.find_group_kind("apps", "Deployment")->version == "v1");
    std::vector<std::string> paths;
    for (const auto& r : fake.requests) {
        paths.push_back(path_of(r.url));
    }
    std::sort(paths.begin(), paths.end());
    CHECK(paths == std::vector<std::string>{ "/api", "/apis", "/apis/apps/v1" });
    CHECK(fake.requests[0].headers.back().second.find("as=APIGroupDiscoveryList") != std::string::npos);
}

TEST_CASE("kube::discovery: aggregated answers are cached on disk and a miss asks again")
{
    FakeHttp fake;
    bool with_routes = false;
    fake.handler = [&](const http::Request& r) {
        std::string p = path_of(r.url);
        if (p == "/api") {
            return FakeHttp::answer(200, R"({"kind":"APIGroupDiscoveryList","items":[{"metadata":{"name":""},
                "versions":[{"version":"v1","resources":[{"resource":"namespaces","responseKind":{"kind":"Namespace"},
                "scope":"Cluster"}]}]}]})");
        }
        std::string routes = with_routes ? R"(,{"metadata":{"name":"gateway.networking.k8s.io"},"versions":[
            {"version":"v1","resources":[{"resource":"httproutes","responseKind":{"kind":"HTTPRoute"},"scope":"Namespaced"}]}]})"
                                         : "";
        return FakeHttp::answer(200,
                                R"({"kind":"APIGroupDiscoveryList","items":[{"metadata":{"name":"apps"},
            "versions":[{"version":"v1","resources":[{"resource":"deployments","responseKind":{"kind":"Deployment"},
            "scope":"Namespaced"}]}]})" +
                                  routes + "]}");
    };
    util::MemoryFs fs;
    util::FakeClock clock;
    kube::DiscoveryCacheOptions cache{ "/cache", &fs, &clock, [](const std::string&) {} };
    kube::RestConfig rc;
    rc.server = "https://aggregated:6443";
    kube::ClientDeps deps;
    deps.http = fake.factory();
    kube::Client client(rc, deps);
    {
        kube::Discovery d(client, cache);
        auto ns = d.find("v1", "Namespace");
        REQUIRE(ns);
        CHECK_FALSE(ns->namespaced);
        CHECK(ns->object_path("", "x") == "/api/v1/namespaces/x");
    }
    CHECK(fs.files.count("/cache/aggregated_6443.json") == 1);
    CHECK(fake.requests.size() == 2);

    // A new process (the in-process state is per server, so use another name with the same cache file).
    fs.files["/cache/aggregated2_6443.json"] = fs.files["/cache/aggregated_6443.json"];
    rc.server = "https://aggregated2:6443";
    kube::Client client2(rc, deps);
    kube::Discovery d2(client2, cache);
    CHECK(d2.find("apps/v1", "Deployment"));
    CHECK(fake.requests.size() == 2); // from disk
    with_routes = true;
    CHECK(d2.find("gateway.networking.k8s.io/v1", "HTTPRoute")); // a miss refreshes
    CHECK(fake.requests.size() == 4);

    clock.sleep_for(std::chrono::hours(7)); // stale cache: not used
    rc.server = "https://aggregated3:6443";
    fs.files["/cache/aggregated3_6443.json"] = fs.files["/cache/aggregated2_6443.json"];
    kube::Client client3(rc, deps);
    kube::Discovery d3(client3, cache);
    CHECK(d3.find("apps/v1", "Deployment"));
    CHECK(fake.requests.size() == 6);
}

TEST_SUITE_END();
