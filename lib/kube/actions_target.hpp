#pragma once

#include <kube/client.hpp>
#include <util/json.hpp>

#include <optional>
#include <string>
#include <vector>

// Finding the service a verb acts on: its Deployment, checked to be ours. Unknown names get the
// closest managed names; objects made by other tools are refused with the reason.
namespace kms::actions {

inline constexpr const char* k_managed_by_label = "app.kubernetes.io/managed-by";
inline constexpr const char* k_instance_label = "app.kubernetes.io/instance";
inline constexpr const char* k_part_of_label = "applyset.kubernetes.io/part-of";
inline constexpr const char* k_applyset_id_label = "applyset.kubernetes.io/id";

// labelSelector of every object the tool manages, URL-encoded for a query.
std::string managed_selector_query();
// Percent-encodes a query parameter value.
std::string query_escape(const std::string& value);
// labelSelector=… of the pods of a Deployment (its spec.selector.matchLabels).
std::string pod_selector_query(const Json& deployment);

std::string deployments_path(const std::string& ns); // "" = every namespace
std::string deployment_path(const std::string& ns, const std::string& name);

// A service found in the cluster.
struct Target
{
    std::string name;
    std::string namespace_;
    Json deployment;
    std::optional<std::string> record; // the recorded description (actions_record.hpp)
    std::string applyset_id;           // "" when the Deployment is in no ApplySet
};

// What a verb needs of the service beyond "it is ours".
enum class Need
{
    deployment, // status, logs, scale of the Deployment only
    record,     // verbs that rebuild the service from its description
};

// Why `deployment` is not a service of this tool (nullopt: it is), for "refusing to VERB".
std::optional<std::string> not_managed_reason(const Json& deployment);

// "service \"x\" not found in namespace \"demo\" (did you mean \"y\"?)" from the managed names there
// and elsewhere (namespace/name pairs).
std::string unknown_service_message(const std::string& name, const std::string& ns,
                                    const std::vector<std::string>& here,
                                    const std::vector<std::pair<std::string, std::string>>& elsewhere);

// Names of the managed Deployments in `ns` ("" = all namespaces) as namespace/name pairs; an
// RBAC denial on the wider list is no error (the answer is then partial).
std::vector<std::pair<std::string, std::string>> managed_names(kube::Client& c, const std::string& ns);

// The service NAME in `ns`, or a kms::Error that explains: unknown (with close matches), not ours
// (refusing to `verb`), no record when `need` is Need::record.
Target find_service(kube::Client& c, const std::string& ns, const std::string& name, const std::string& verb,
                    Need need);
// The same check for a Deployment already fetched.
Target to_target(Json deployment, const std::string& verb, Need need);

// The service's pods, oldest first.
std::vector<Json> service_pods(kube::Client& c, const Target& t);

} // namespace kms::actions
