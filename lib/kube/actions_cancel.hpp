#pragma once

#include <chrono>
#include <kube/actions_target.hpp>
#include <kube/applyset.hpp>
#include <kube/client.hpp>
#include <kube/discovery.hpp>
#include <set>
#include <string>
#include <util/clock.hpp>
#include <vector>

// `cancel`: everything a service owns is its ApplySet — the members (found by the part-of label,
// in the kinds and namespaces the parent records) and the parent Secret itself. Nothing else is
// touched; ReplicaSets and pods go with the Deployment by garbage collection.
namespace kms::actions {

struct Owned
{
    std::vector<kube::PruneCandidate> members; // the Deployment among them
    kube::ApplySetParent set;
    bool parent_exists = false;
};

// The objects of `t`'s ApplySet. When its parent is gone (deleted by hand, or a cancel stopped
// half-way) the members are looked for among `fallback_kinds` ("Deployment.apps", "Service" …).
// Refuses a Deployment that another ApplySet claims.
Owned owned_objects(kube::Client& c, kube::Discovery& d, const Target& t, const std::set<std::string>& fallback_kinds);

// Deletion order: the members, the Deployment last of them (while it exists, a cancel that stopped
// half-way finds the service again), then the parent (so a failure leaves a parent to retry with).
std::vector<kube::PruneCandidate> deletion_order(const Owned& owned);
// "Deployment/web (demo)", "Secret/microservice-web (demo) (ApplySet parent)".
std::string describe_owned(const Owned& owned, const kube::PruneCandidate& c);

// kubectl's --cascade values that delete dependents: "background" (the default) or "foreground".
// Throws a usage error for anything else, naming `flag`.
const char* propagation_policy(const std::string& cascade, const std::string& flag);

// Deletes in deletion_order(), reporting each object as it goes; `dry_run` sends dryRun=All.
void delete_owned(kube::Client& c, const Owned& owned, const char* propagation, bool dry_run,
                  const std::function<void(const std::string&)>& report);

// Waits until every object of `owned` is gone (404), polling; throws kms::Error naming the ones
// left when `timeout` (0: none) passes.
void wait_gone(kube::Client& c, const Owned& owned, std::chrono::milliseconds timeout, util::Clock& clock);

} // namespace kms::actions
