#pragma once

#include <kube/actions_target.hpp>
#include <kube/client.hpp>
#include <util/json.hpp>

#include <optional>
#include <string>
#include <vector>

// A Deployment's revisions (its ReplicaSets) and kubectl's `rollout undo` semantics on them
// (research/anchors-k8s-api.md §3): revision choice, the "already matches" check, the patch.
namespace kms::actions {

inline constexpr const char* k_revision_annotation = "deployment.kubernetes.io/revision";

// The revision number an object (Deployment or ReplicaSet) carries; 0 when it has none or an
// unreadable one (kubectl skips those too).
long revision_number(const Json& object);

struct Revision
{
    long number = 0;
    Json replicaset;
    std::string created;     // RFC 3339
    std::string image;       // of the first container
    std::string commit;      // kubectl-microservice.dev/git-commit of the pod template, "" if none
    int replicas = 0;        // spec.replicas of the ReplicaSet now
    int ready = 0;
    bool current = false;    // the Deployment's revision
};

// The revisions among `replicasets` that `deployment` controls (controller owner reference with
// its uid), oldest first.
std::vector<Revision> revisions(const Json& deployment, const std::vector<Json>& replicasets);

// The revisions of a service, read from the cluster.
std::vector<Revision> load_revisions(kube::Client& c, const Target& t);

// The revision `to` (0: the one before the current, as `kubectl rollout undo`). Throws kms::Error
// with kubectl's messages when there is none.
const Revision& pick_revision(const std::vector<Revision>& revs, long to, const std::string& name);

// Whether the Deployment's pod template already equals the ReplicaSet's (pod-template-hash aside).
bool template_matches(const Json& deployment, const Json& replicaset);

// The JSON patch kubectl sends: the ReplicaSet's template (without pod-template-hash), and its
// annotations except those the Deployment keeps for itself.
Json undo_patch(const Json& deployment, const Json& replicaset);

// Refuses to act on a paused Deployment, as kubectl does (`what`: "roll back", "restart").
void require_not_paused(const Json& deployment, const std::string& what);

} // namespace kms::actions
