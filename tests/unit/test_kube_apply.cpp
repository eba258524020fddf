#include "fake_http.hpp"

#include <doctest/doctest.h>
#include <kube/apply.hpp>
#include <kube/applyset.hpp>
#include <kube/plan.hpp>
#include <map>
#include <mutex>
#include <util/error.hpp>

using namespace kms;
using test::FakeHttp;

namespace {

Json object(const char* api_version, const char* kind, const char* name, Json spec = Json::object())
{
    return Json{
        { "apiVersion", api_version }, { "kind", kind }, { "metadata", { { "name", name } } }, { "spec", spec }
    };
}

std::vector<Json> service_objects(bool hpa)
{
    std::vector<Json> v;
    v.push_back(object("v1", "Service", "web"));
    v.push_back(object("apps/v1", "Deployment", "web", hpa ? Json::object() : Json{ { "replicas", 2 } }));
    v.push_back(object("v1", "ConfigMap", "web-config"));
    if (hpa) {
        v.push_back(object(
          "autoscaling/v2",
          "HorizontalPodAutoscaler",
          "web",
          Json{ { "scaleTargetRef", { { "apiVersion", "apps/v1" }, { "kind", "Deployment" }, { "name", "web" } } } }));
    }
    return v;
}

// A small in-memory API server: answers discovery, SSA (with dry runs), GET, LIST and DELETE.
struct Cluster
{
    FakeHttp http;
    std::map<std::string, Json> objects;  // path → object
    std::map<std::string, int> conflicts; // path → answer 409 to applies there
    int rv = 100;
    std::mutex mutex;

    Cluster()
    {
        http.handler = [this](const http::Request& r) { return handle(r); };
    }

    static std::string path_of(const std::string& url)
    {
        auto start = url.find('/', url.find("://") + 3);
        auto q = url.find('?');
        return url.substr(start, q == std::string::npos ? std::string::npos : q - start);
    }

    http::Response handle(const http::Request& r)
    {
        std::lock_guard<std::mutex> lock(mutex);
        std::string path = path_of(r.url);
        bool dry = r.url.find("dryRun=All") != std::string::npos;
        if (path == "/api" || path == "/apis") {
            return FakeHttp::answer(200, path == "/api" ? core() : groups());
        }
        if (r.method == "PATCH") {
            if (conflicts.count(path) != 0) {
                return FakeHttp::answer(
                  409,
                  R"({"kind":"Status","code":409,"reason":"Conflict","message":"Apply failed",)"
                  R"("details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"other\"","field":".spec.x"}]}})");
            }
            Json body = Json::parse(r.body);
            bool created = objects.count(path) == 0;
            Json stored = created ? body : objects[path];
            if (!created && stored["spec"] != body["spec"]) {
                stored["spec"] = body["spec"];
                stored["metadata"]["resourceVersion"] = std::to_string(++rv);
            } else if (created) {
                stored["metadata"]["resourceVersion"] = std::to_string(++rv);
            }
            stored["metadata"]["labels"] = body["metadata"].value("labels", Json::object());
            stored["metadata"]["annotations"] = body["metadata"].value("annotations", Json::object());
            if (!dry) {
                objects[path] = stored;
            } else if (!created) {
                stored["metadata"]["resourceVersion"] = objects[path]["metadata"]["resourceVersion"];
            }
            return FakeHttp::answer(created ? 201 : 200, stored.dump());
        }
        if (r.method == "DELETE") {
            if (!dry) {
                objects.erase(path);
            }
            return FakeHttp::answer(200, "{}");
        }
        if (auto it = objects.find(path); it != objects.end()) {
            return FakeHttp::answer(200, it->second.dump());
        }
        if (r.url.find("labelSelector=") != std::string::npos) {
            Json items = Json::array();
            for (const auto& [p, o] : objects) {
                if (p.rfind(path + "/", 0) == 0 && p.find('/', path.size() + 1) == std::string::npos) {
                    items.push_back(o);
                }
            }
            return FakeHttp::answer(200, Json{ { "items", items } }.dump());
        }
        return FakeHttp::answer(404, R"({"kind":"Status","code":404,"reason":"NotFound","message":"not found"})");
    }

    static std::string core()
    {
        return R"({"kind":"APIGroupDiscoveryList","items":[{"metadata":{"name":""},"versions":[{"version":"v1","resources":[
            {"resource":"services","responseKind":{"kind":"Service"},"scope":"Namespaced"},
            {"resource":"configmaps","responseKind":{"kind":"ConfigMap"},"scope":"Namespaced"},
            {"resource":"secrets","responseKind":{"kind":"Secret"},"scope":"Namespaced"},
            {"resource":"namespaces","responseKind":{"kind":"Namespace"},"scope":"Cluster"}]}]}]})";
    }
    static std::string groups()
    {
        return R"({"kind":"APIGroupDiscoveryList","items":[
            {"metadata":{"name":"apps"},"versions":[{"version":"v1","resources":[{"resource":"deployments","responseKind":{"kind":"Deployment"},"scope":"Namespaced"}]}]},
            {"metadata":{"name":"autoscaling"},"versions":[{"version":"v2","resources":[{"resource":"horizontalpodautoscalers","responseKind":{"kind":"HorizontalPodAutoscaler"},"scope":"Namespaced"}]}]},
            {"metadata":{"name":"policy"},"versions":[{"version":"v1","resources":[{"resource":"poddisruptionbudgets","responseKind":{"kind":"PodDisruptionBudget"},"scope":"Namespaced"}]}]}]})";
    }

    std::vector<std::string> writes()
    {
        std::vector<std::string> out;
        for (const auto& r : http.requests) {
            if (r.method != "GET" && r.url.find("dryRun=All") == std::string::npos) {
                out.push_back(r.method + " " + path_of(r.url));
            }
        }
        return out;
    }
};

struct Env
{
    Cluster cluster;
    std::unique_ptr<kube::Client> client;
    std::unique_ptr<kube::Discovery> discovery;

    explicit Env(const char* server)
    {
        kube::RestConfig rc;
        rc.server = server; // a server name per test: discovery is cached per server
        kube::ClientDeps deps;
        deps.http = cluster.http.factory();
        client = std::make_unique<kube::Client>(rc, deps);
        discovery = std::make_unique<kube::Discovery>(*client);
    }

    kube::ApplyResult apply(const std::vector<Json>& objects, bool prune = true, bool dry = false)
    {
        auto plan = kube::make_plan(objects, "demo", false, discovery.get());
        auto set = kube::ApplySetParent::for_service("web", "demo", Json::object());
        kube::ApplyOptions o;
        o.prune = prune;
        o.server_dry_run = dry;
        return kube::apply_plan(*client, *discovery, plan, set, o);
    }
};

} // namespace

TEST_SUITE_BEGIN("kube");

TEST_CASE("kube::applyset_id matches kubectl's test vectors")
{
    CHECK(kube::applyset_id("my-set", "test", "Secret", "") ==
          "applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1");
    CHECK(kube::applyset_id("my-set", "", "ApplySet", "company.com") ==
          "applyset-rhp1a-HVAVT_dFgyEygyA1BEB82HPp2o10UiFTpqtAs-v1");
}

TEST_CASE("kube::make_plan orders tiers, fills namespaces, builds SSA paths")
{
    Env env("https://plan");
    auto plan = kube::make_plan(service_objects(true), "demo", false, env.discovery.get());
    REQUIRE(plan.items.size() == 4);
    CHECK(plan.items[0].ref() == "ConfigMap/web-config"); // tier 1 first
    CHECK(plan.items[1].ref() == "Service/web");
    CHECK(plan.items[0].object["metadata"]["namespace"] == "demo");
    kube::ApplyFlags f;
    CHECK(kube::apply_path(plan.items[2], f) ==
          "/apis/apps/v1/namespaces/demo/deployments/"
          "web?fieldManager=kubectl-microservice&fieldValidation=Strict&force=false");
    f.dry_run = true;
    f.force = true;
    CHECK(kube::apply_path(plan.items[1], f) ==
          "/api/v1/namespaces/demo/services/"
          "web?dryRun=All&fieldManager=kubectl-microservice&fieldValidation=Strict&force=true");
    auto targets = kube::hpa_targets(plan);
    REQUIRE(targets.size() == 1);
    CHECK(targets[0]->ref() == "Deployment/web");

    std::vector<Json> route{ object("gateway.networking.k8s.io/v1", "HTTPRoute", "web") };
    CHECK_THROWS_WITH_AS(kube::make_plan(route, "demo", false, env.discovery.get()),
                         "HTTPRoute/web: the cluster does not serve HTTPRoute in gateway.networking.k8s.io/v1: the "
                         "Gateway API is not installed; install its CRDs (and a gateway such as Envoy Gateway), or "
                         "expose the service another way: expose.via: istio or ingress (--via). Nothing was applied.",
                         Error);
    CHECK(env.cluster.writes().empty());

    auto offline = kube::make_plan(
      { object("networking.k8s.io/v1", "Ingress", "web"), object("v1", "Namespace", "x") }, "ns", false, nullptr);
    CHECK(offline.items[0].resource.resource == "namespaces");
    CHECK_FALSE(offline.items[0].object["metadata"].contains("namespace"));
    CHECK(offline.items[1].resource.object_path("ns", "web") ==
          "/apis/networking.k8s.io/v1/namespaces/ns/ingresses/web");
    Json other = object("v1", "Service", "web");
    other["metadata"]["namespace"] = "a";
    CHECK_THROWS_AS(kube::make_plan({ other }, "b", true, nullptr), Error);
}

TEST_CASE("kube::apply_plan: create, unchanged, parent, prune")
{
    Env env("https://apply");
    auto first = env.apply(service_objects(false));
    REQUIRE(first.items.size() == 3);
    for (const auto& i : first.items) {
        CHECK(i.outcome == kube::Outcome::created);
    }
    const Json& parent = env.cluster.objects.at("/api/v1/namespaces/demo/secrets/microservice-web");
    CHECK(parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"] ==
          "ConfigMap,Deployment.apps,Service");
    CHECK(parent["metadata"]["annotations"]["applyset.kubernetes.io/tooling"] == kube::applyset_tooling());
    std::string id = parent["metadata"]["labels"]["applyset.kubernetes.io/id"];
    CHECK(env.cluster.objects.at(
            "/api/v1/namespaces/demo/services/web")["metadata"]["labels"]["applyset.kubernetes.io/part-of"] == id);

    auto again = env.apply(service_objects(false));
    for (const auto& i : again.items) {
        CHECK(i.outcome == kube::Outcome::unchanged);
    }

    // Without the ConfigMap, it is pruned and the parent narrowed.
    auto objects = service_objects(false);
    objects.erase(objects.begin() + 2);
    env.cluster.http.requests.clear();
    auto dry = env.apply(objects, true, true);
    CHECK(dry.pruned == std::vector<std::string>{ "ConfigMap/web-config in namespace demo" });
    CHECK(env.cluster.writes().empty());
    auto pruned = env.apply(objects);
    CHECK(pruned.pruned == std::vector<std::string>{ "ConfigMap/web-config in namespace demo" });
    CHECK(env.cluster.objects.count("/api/v1/namespaces/demo/configmaps/web-config") == 0);
    CHECK(env.cluster.objects.at(
            "/api/v1/namespaces/demo/secrets/microservice-web")["metadata"]["annotations"]
                                                               ["applyset.kubernetes.io/contains-group-kinds"] ==
          "Deployment.apps,Service");
}

TEST_CASE("kube::apply_plan: a conflict anywhere writes nothing")
{
    Env env("https://conflict");
    env.cluster.conflicts["/apis/apps/v1/namespaces/demo/deployments/web"] = 1;
    CHECK_THROWS_WITH_AS(env.apply(service_objects(false)),
                         "Deployment/web in namespace demo: conflict: .spec.x owned by \"other\" (another field "
                         "manager set this field; apply with --force-conflicts to take them over, or leave them out of "
                         "the service)\nNothing was applied.",
                         Error);
    CHECK(env.cluster.writes().empty());
}

TEST_CASE("kube::apply_plan hands replicas over to a new HPA")
{
    Env env("https://hpa");
    env.cluster.objects["/apis/apps/v1/namespaces/demo/deployments/web"] = Json::parse(R"({"apiVersion":"apps/v1",
        "kind":"Deployment","metadata":{"name":"web","namespace":"demo","resourceVersion":"5","managedFields":[
        {"manager":"kubectl-microservice","operation":"Apply","fieldsV1":{"f:spec":{"f:replicas":{}}}}]},
        "spec":{"replicas":4}})");
    env.apply(service_objects(true), false);
    bool handed = false;
    for (const auto& r : env.cluster.http.requests) {
        if (r.url.find("fieldManager=kubectl-microservice-handover-to-hpa") != std::string::npos) {
            handed = true;
            CHECK(Json::parse(r.body)["spec"] == Json{ { "replicas", 4 } });
        }
    }
    CHECK(handed);
    CHECK(kube::owns_replicas(
      Json::parse(R"({"metadata":{"managedFields":[{"manager":"m","fieldsV1":{"f:spec":{"f:replicas":{}}}}]}})"), "m"));
    CHECK_FALSE(kube::owns_replicas(
      Json::parse(R"({"metadata":{"managedFields":[{"manager":"m","fieldsV1":{"f:spec":{}}}]}})"), "m"));
}

TEST_CASE("kube::read_applyset refuses parents that are not ours")
{
    auto set = kube::ApplySetParent::for_service("web", "demo", Json::object());
    CHECK_FALSE(kube::read_applyset(std::nullopt, set).exists);
    Json foreign = Json::parse(R"({"metadata":{"name":"microservice-web"}})");
    CHECK_THROWS_WITH_AS(
      kube::read_applyset(foreign, set),
      "ApplySet parent Secret/microservice-web in namespace demo exists but is not an ApplySet parent "
      "(no applyset.kubernetes.io/id label): refusing to take it over; rename or delete that Secret",
      Error);
    foreign["metadata"]["labels"]["applyset.kubernetes.io/id"] = set.id;
    foreign["metadata"]["annotations"]["applyset.kubernetes.io/tooling"] = "kubectl/v1.33.1";
    CHECK_THROWS_WITH_AS(kube::read_applyset(foreign, set),
                         "ApplySet parent Secret/microservice-web in namespace demo is managed by \"kubectl/v1.33.1\", "
                         "not kubectl-microservice: refusing to change it",
                         Error);
    foreign["metadata"]["annotations"]["applyset.kubernetes.io/tooling"] = "kubectl-microservice/v0.0.1";
    foreign["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"] = "Service,Deployment.apps";
    foreign["metadata"]["annotations"]["applyset.kubernetes.io/additional-namespaces"] = "b,a";
    auto s = kube::read_applyset(foreign, set);
    CHECK(s.group_kinds == std::set<std::string>{ "Deployment.apps", "Service" });
    CHECK(s.additional_namespaces == std::set<std::string>{ "a", "b" });
}

TEST_SUITE_END();
