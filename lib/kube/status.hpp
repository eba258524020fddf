#pragma once

#include <http/http.hpp>
#include <string>
#include <util/json.hpp>
#include <vector>

namespace kms::kube {

// A metav1.Status error body (or what we could make of a non-Status body).
struct ApiStatus
{
    int code = 0;
    std::string reason; // Conflict, Invalid, Forbidden, NotFound, Expired …
    std::string message;
    Json details = Json::object();
};

ApiStatus parse_status(const http::Response& r);
ApiStatus parse_status(const Json& status_object, int fallback_code);

// A field an SSA conflict is about, and who owns it.
struct FieldConflict
{
    std::string field;   // ".spec.replicas"
    std::string manager; // "kubectl-edit"
};
std::vector<FieldConflict> field_conflicts(const ApiStatus& s);

// One clear line for a failed request about `what` ("Deployment/web in namespace demo"):
// conflicts name the fields and the other managers, 422 lists the causes, 401/403/404 say what to
// check. `user_ref` names the kubeconfig user for 401s.
std::string describe_failure(const ApiStatus& s, const std::string& what, const std::string& user_ref = {});

} // namespace kms::kube
