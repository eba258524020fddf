#pragma once

#include <kube/client.hpp>
#include <kube/discovery.hpp>
#include <kube/plan.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

// ApplySets (KEP-3659) exactly as kubectl writes them, so `kubectl apply --prune --applyset` and
// `kubectl get -l applyset.kubernetes.io/part-of=…` understand what we apply: one set per service,
// whose parent is a Secret holding no data.
namespace kms::kube {

inline constexpr const char* k_applyset_id_label = "applyset.kubernetes.io/id";
inline constexpr const char* k_applyset_part_of_label = "applyset.kubernetes.io/part-of";
inline constexpr const char* k_applyset_tooling = "applyset.kubernetes.io/tooling";
inline constexpr const char* k_applyset_group_kinds = "applyset.kubernetes.io/contains-group-kinds";
inline constexpr const char* k_applyset_group_resources = "applyset.kubernetes.io/contains-group-resources";
inline constexpr const char* k_applyset_namespaces = "applyset.kubernetes.io/additional-namespaces";

// "applyset-" + base64url(sha256("<name>.<namespace>.<Kind>.<group>")) + "-v1".
std::string applyset_id(const std::string& name, const std::string& ns, const std::string& kind,
                        const std::string& group);

// "kubectl-microservice/v<version>"
std::string applyset_tooling();

struct ApplySetParent
{
    std::string name; // Secret name
    std::string ns;
    std::string id;
    Json labels = Json::object(); // extra labels (the service's), besides the id

    // The parent of a service's set: Secret "microservice-<service>" in the service's namespace.
    static ApplySetParent for_service(const std::string& service, const std::string& ns, Json labels);
    std::string describe() const;
    std::string path() const; // /api/v1/namespaces/NS/secrets/NAME
};

// What the live parent records.
struct ApplySetState
{
    bool exists = false;
    std::set<std::string> group_kinds;           // "Deployment.apps", "Service"
    std::set<std::string> additional_namespaces; // besides the parent's own
};

// Reads the live parent (nullopt: absent). A Secret of that name that is not our set's parent —
// no id label, another id, or another tool's tooling annotation — is refused, as kubectl does.
ApplySetState read_applyset(const std::optional<Json>& live, const ApplySetParent& parent);

// The set the plan makes: its group kinds and the namespaces other than the parent's.
ApplySetState applyset_of(const Plan& plan, const ApplySetParent& parent);
ApplySetState merged(const ApplySetState& a, const ApplySetState& b);
bool same_set(const ApplySetState& a, const ApplySetState& b);

// The parent Secret recording `state` (for server-side apply).
Json parent_object(const ApplySetParent& parent, const ApplySetState& state);

// Adds the part-of label to every object of the plan.
void label_members(Plan& plan, const ApplySetParent& parent);

// An object of the set that the plan no longer has.
struct PruneCandidate
{
    ResourceInfo resource;
    std::string ns;
    std::string name;
    std::string describe() const;
    std::string label() const;
};

// Lists every member recorded in `recorded` (group kinds × namespaces) by the part-of label and
// returns those the plan does not contain. Kinds the server no longer serves are skipped.
std::vector<PruneCandidate> prune_candidates(Client& client, Discovery& discovery, const ApplySetParent& parent,
                                             const ApplySetState& recorded, const Plan& plan);

// DELETE with propagationPolicy Background (cancel may ask for Foreground) and dryRun=All when
// asked; a member already gone counts as deleted. `doing` starts the error message.
void delete_member(Client& client, const PruneCandidate& c, bool dry_run, const char* propagation = "Background",
                   const char* doing = "pruning");

} // namespace kms::kube
