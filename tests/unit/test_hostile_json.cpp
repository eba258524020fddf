// Server answers and stored files read with every member retyped or missing: each reader works or
// reports a user error, never an internal exception (and, in the sanitizer build with assertions
// on, never a const operator[] on a missing key).
#include "hostile_json.hpp"
#include "service_fixture.hpp"

#include <kube/actions_history.hpp>
#include <kube/actions_record.hpp>
#include <kube/actions_status.hpp>
#include <kube/actions_target.hpp>
#include <kube/applyset.hpp>
#include <kube/apply.hpp>
#include <kube/credentials.hpp>
#include <oidc/cache.hpp>
#include <oidc/history.hpp>
#include <render/output.hpp>
#include <util/rfc3339.hpp>

#include <doctest/doctest.h>

using namespace kms;

namespace {

const char* k_deployment = R"({"apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "demo", "uid": "d-uid", "generation": 2,
    "creationTimestamp": "2026-01-01T00:00:00Z",
    "labels": {"app.kubernetes.io/managed-by": "kubectl-microservice", "applyset.kubernetes.io/part-of": "applyset-abc-v1"},
    "annotations": {"deployment.kubernetes.io/revision": "2", "kubectl-microservice.dev/service": "{}"},
    "managedFields": [{"manager": "kubectl-microservice", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]},
  "spec": {"replicas": 2, "paused": false, "selector": {"matchLabels": {"app.kubernetes.io/instance": "web"}},
    "template": {"metadata": {"labels": {"app.kubernetes.io/instance": "web"},
                              "annotations": {"kubectl-microservice.dev/git-commit": "0123456789abcdef"}},
                 "spec": {"containers": [{"name": "web", "image": "web:2"}]}}},
  "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "readyReplicas": 1,
    "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "m"}]}})";

const char* k_replicaset = R"({"metadata": {"name": "web-2", "namespace": "demo", "uid": "rs-uid",
    "creationTimestamp": "2026-01-01T00:00:00Z",
    "labels": {"pod-template-hash": "2"},
    "annotations": {"deployment.kubernetes.io/revision": "2", "deployment.kubernetes.io/desired-replicas": "2"},
    "ownerReferences": [{"uid": "d-uid", "controller": true}]},
  "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app.kubernetes.io/instance": "web", "pod-template-hash": "2"}},
                                      "spec": {"containers": [{"name": "web", "image": "web:1"}]}}},
  "status": {"replicas": 2, "readyReplicas": 1}})";

const char* k_pod = R"({"metadata": {"name": "web-2-a", "namespace": "demo", "labels": {"app.kubernetes.io/instance": "web"},
    "ownerReferences": [{"uid": "rs-uid"}]},
  "status": {"phase": "Running", "containerStatuses": [{"name": "web", "restartCount": 4, "ready": false,
    "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}},
    "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}})";

const char* k_service = R"({"metadata": {"name": "web", "namespace": "demo"},
  "spec": {"type": "LoadBalancer", "clusterIP": "10.0.0.7", "selector": {"app.kubernetes.io/instance": "web"},
    "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8787, "nodePort": 30080},
              {"name": "grpc", "port": 9000, "protocol": "TCP", "targetPort": "grpc"}]},
  "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}, {"hostname": "lb.example.com"}]}}})";

const char* k_hpa = R"({"metadata": {"name": "web", "namespace": "demo"},
  "spec": {"minReplicas": 2, "maxReplicas": 5, "scaleTargetRef": {"kind": "Deployment", "name": "web"},
    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
  "status": {"currentReplicas": 2, "desiredReplicas": 3,
    "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 91}}}]}})";

// Everything `status` reads, as one document so one walk retypes each part.
Json observed_doc()
{
    return { { "deployment", Json::parse(k_deployment) },
             { "replicasets", Json::array({ Json::parse(k_replicaset) }) },
             { "pods", Json::array({ Json::parse(k_pod) }) },
             { "service", Json::parse(k_service) },
             { "hpa", Json::parse(k_hpa) } };
}

std::vector<Json> elements(const Json& j)
{
    return j.is_array() ? j.get<std::vector<Json>>() : std::vector<Json>{};
}

} // namespace

TEST_SUITE("hostile server JSON")
{
    TEST_CASE("status, list rows and load-balancer URLs read any Deployment, ReplicaSet, pod, Service and HPA")
    {
        auto now = *util::parse_rfc3339("2026-01-01T03:00:00Z");
        test::expect_only_user_errors(observed_doc(), [&](const Json& bad) {
            actions::Observed o;
            o.deployment = bad.value("deployment", Json());
            o.replicasets = elements(bad.value("replicasets", Json()));
            o.pods = elements(bad.value("pods", Json()));
            if (bad.contains("service")) {
                o.service = bad["service"];
            }
            if (bad.contains("hpa")) {
                o.hpa = bad["hpa"];
            }
            (void)actions::assess(o);
            Json doc = actions::status_document(o, actions::load_balancer_urls(o.service.value_or(Json())));
            (void)actions::status_text(doc, now, util::Palette(true));
            (void)actions::list_row(doc, true, true, now);
        });
    }

    TEST_CASE("history, undo and the paused check read any Deployment and ReplicaSet")
    {
        Json both = { { "deployment", Json::parse(k_deployment) }, { "replicaset", Json::parse(k_replicaset) } };
        test::expect_only_user_errors(both, [](const Json& bad) {
            Json d = bad.value("deployment", Json());
            Json rs = bad.value("replicaset", Json());
            auto revs = actions::revisions(d, { rs });
            if (!revs.empty()) {
                (void)actions::pick_revision(revs, 0, "web");
            }
            (void)actions::template_matches(d, rs);
            (void)actions::undo_patch(d, rs);
            actions::require_not_paused(d, "scale");
        });
    }

    TEST_CASE("the managed check, target and pod selector read any Deployment")
    {
        test::expect_only_user_errors(Json::parse(k_deployment), [](const Json& bad) {
            (void)actions::not_managed_reason(bad);
            (void)actions::pod_selector_query(bad);
            (void)actions::to_target(bad, "status", actions::Need::deployment);
            (void)actions::recorded_text(bad);
            (void)kube::owns_replicas(bad, "kubectl-microservice");
            (void)render::object_name(bad);
            (void)render::object_file_names({ bad });
        });
    }

    TEST_CASE("a recorded service description with any member retyped loads or is a user error")
    {
        spec::Service s = test::load_one(std::string("name: web\nimage: web:1\nports: [{port: 8001}]\n"
                                                             "secrets: [a, {name: b, keys: [k]}]\n"
                                                             "tolerations: [{key: gpu, operator: Exists}]\n"
                                                             "expose: {host: web.example.com, gateway: {name: gw, namespace: gw}}\n"));
        Json record = Json::parse(actions::record_text(s, false));
        test::expect_only_user_errors(record, [](const Json& bad) {
            actions::Reload r;
            r.text = bad.dump();
            r.origin = "service web in namespace demo";
            (void)actions::load_record(r, spec::Config{});
        });
    }

    TEST_CASE("an ApplySet parent with any member retyped is read or refused")
    {
        auto set = kube::ApplySetParent::for_service("web", "demo", Json::object());
        Json parent = { { "metadata",
                          { { "name", "microservice-web" },
                            { "labels", { { "applyset.kubernetes.io/id", set.id } } },
                            { "annotations",
                              { { "applyset.kubernetes.io/tooling", "kubectl-microservice/v0.1.0" },
                                { "applyset.kubernetes.io/contains-group-kinds", "Deployment.apps,Service" },
                                { "applyset.kubernetes.io/additional-namespaces", "a,b" } } } } } };
        test::expect_only_user_errors(parent, [&](const Json& bad) { (void)kube::read_applyset(bad, set); });
    }

    TEST_CASE("an exec plugin's ExecCredential with any member retyped is read or refused")
    {
        kube::ExecConfig e;
        e.api_version = "client.authentication.k8s.io/v1";
        e.command = "aws";
        Json cred = { { "apiVersion", "client.authentication.k8s.io/v1" },
                      { "kind", "ExecCredential" },
                      { "status",
                        { { "token", "t" },
                          { "expirationTimestamp", "2026-01-01T00:00:00Z" },
                          { "clientCertificateData", "C" },
                          { "clientKeyData", "K" } } } };
        test::expect_only_user_errors(cred, [&](const Json& bad) {
            (void)kube::parse_exec_credential(bad.dump(), e, "kubeconfig /k: users[\"eks\"]");
        });
    }

    TEST_CASE("token cache entries and history lines with any member retyped are read or skipped")
    {
        oidc::CachedToken entry;
        entry.key = { "https://sso/realms/a", "istio", "alice", "openid" };
        entry.provider.issuer = "https://sso/realms/a";
        entry.provider.token_endpoint = "https://sso/token";
        entry.provider.token_auth_methods = { "client_secret_basic" };
        entry.grant = "password";
        entry.tokens.access_token = "a";
        entry.tokens.refresh_token = "r";
        entry.tokens.expires_at = 100;
        test::expect_only_user_errors(entry.to_json(), [](const Json& bad) { (void)oidc::CachedToken::from_json(bad); });

        oidc::HistoryEntry h;
        h.time = "2026-01-01T00:00:00Z";
        h.method = "GET";
        h.url = "https://api/x";
        h.headers = { { "Accept", "application/json" } };
        h.request_body = "{}";
        h.status = 200;
        test::expect_only_user_errors(h.to_json(), [](const Json& bad) { (void)oidc::HistoryEntry::from_json(bad); });
    }
}
