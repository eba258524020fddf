#include <doctest/doctest.h>
#include <kube/status.hpp>

using namespace kms;

namespace {

http::Response response(int code, const std::string& body)
{
    http::Response r;
    r.status = code;
    r.body = body;
    return r;
}

std::string describe(int code, const std::string& body, const std::string& what = "Deployment/web in namespace demo")
{
    return kube::describe_failure(kube::parse_status(response(code, body)), what, "kubeconfig /k: users[\"u\"]");
}

} // namespace

TEST_SUITE_BEGIN("kube");

TEST_CASE("kube::status: SSA conflicts name fields and managers")
{
    // The body kube-apiserver sends for two conflicts (apimachinery NewApplyConflict).
    std::string body = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
        "message":"Apply failed with 2 conflicts: conflicts with \"kubectl-edit\" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name=\"web\"].image",
        "reason":"Conflict","details":{"causes":[
          {"reason":"FieldManagerConflict","message":"conflict with \"kubectl-edit\" using apps/v1","field":".spec.replicas"},
          {"reason":"FieldManagerConflict","message":"conflict with \"helm\"","field":".metadata.labels.team"}]},"code":409})";
    auto s = kube::parse_status(response(409, body));
    auto c = kube::field_conflicts(s);
    REQUIRE(c.size() == 2);
    CHECK(c[0].manager == "kubectl-edit");
    CHECK(c[1].field == ".metadata.labels.team");
    CHECK(
      describe(409, body) ==
      "Deployment/web in namespace demo: conflict: .metadata.labels.team owned by \"helm\"; .spec.replicas owned by "
      "\"kubectl-edit\" (another field manager set these fields; apply with --force-conflicts to take them over, "
      "or leave them out of the service)");
    CHECK(
      describe(
        409,
        R"({"kind":"Status","code":409,"reason":"Conflict","message":"Operation cannot be fulfilled: the object has been modified"})") ==
      "Deployment/web in namespace demo: conflict: Operation cannot be fulfilled: the object has been modified");
}

TEST_CASE("kube::status: 422, 403, 404, 401 and non-Status bodies")
{
    CHECK(describe(
            422, R"({"kind":"Status","code":422,"reason":"Invalid","message":"Deployment.apps \"web\" is invalid: ...",
        "details":{"name":"web","group":"apps","kind":"Deployment","causes":[
          {"reason":"FieldValueInvalid","message":"Invalid value: map[string]string{\"a\":\"b\"}: `selector` does not match template `labels`","field":"spec.template.metadata.labels"},
          {"reason":"FieldValueRequired","message":"Required value","field":"spec.template.spec.containers[0].image"}]}})") ==
          "Deployment/web in namespace demo: invalid: spec.template.metadata.labels: Invalid value: "
          "map[string]string{\"a\":\"b\"}: `selector` does not match template `labels`; "
          "spec.template.spec.containers[0].image: Required value");
    CHECK(
      describe(
        403,
        R"({"kind":"Status","code":403,"reason":"Forbidden","message":"deployments.apps \"web\" is forbidden: User \"u\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"demo\""})") ==
      "Deployment/web in namespace demo: forbidden: deployments.apps \"web\" is forbidden: User \"u\" cannot patch "
      "resource \"deployments\" in API group \"apps\" in the namespace \"demo\"");
    CHECK(
      describe(404, R"({"kind":"Status","code":404,"reason":"NotFound","message":"namespaces \"demo\" not found"})") ==
      "Deployment/web in namespace demo: namespaces \"demo\" not found (create it first, or choose another with -n)");
    CHECK(
      describe(
        404,
        R"({"kind":"Status","code":404,"reason":"NotFound","message":"the server could not find the requested resource"})") ==
      "Deployment/web in namespace demo: not found: the server could not find the requested resource");
    CHECK(describe(401, R"({"kind":"Status","code":401,"reason":"Unauthorized","message":"Unauthorized"})") ==
          "Deployment/web in namespace demo: unauthorized: the API server rejected the credentials of kubeconfig /k: "
          "users[\"u\"]");
    CHECK(describe(502, "<html>Bad Gateway</html>\nmore", "GET /api") ==
          "GET /api: <html>Bad Gateway</html> (HTTP 502)");
    CHECK(describe(500, R"({"kind":"Status","code":500,"message":"etcd timeout"})", "x") ==
          "x: etcd timeout (HTTP 500 InternalError)");
}

TEST_SUITE_END();
