#pragma once

#include <functional>
#include <kube/applyset.hpp>
#include <kube/client.hpp>
#include <kube/discovery.hpp>
#include <kube/plan.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kms::kube {

struct ApplyOptions
{
    bool server_dry_run = false;
    bool force_conflicts = false;
    bool prune = true;
    // spec.replicas of a Deployment is taken over from any field manager when it is the only
    // conflict (scale: the count is the user's explicit choice). Without it, only from the HPA.
    bool take_replicas = false;
    // Each finished step as a line ("Deployment/web created"), as it happens.
    std::function<void(const std::string&)> report;
};

enum class Outcome
{
    created,
    configured,
    unchanged,
    dry_run,
};
std::string_view to_string(Outcome o);

struct AppliedItem
{
    std::string ref; // "Deployment/web"
    std::string ns;
    Outcome outcome = Outcome::configured;
    Json live; // the server's answer
};

struct ApplyResult
{
    std::vector<AppliedItem> items;
    std::vector<std::string> pruned; // "Deployment/old in namespace demo"
};

// Server-side applies the plan:
// 1. a dry run of every object (and reads of the ApplySet parent and of a Deployment an HPA takes
//    over), in parallel: conflicts, invalid objects, missing namespaces and permissions fail here,
//    before anything is written;
// 2. the ApplySet parent widened to the union of the old and new sets (so an interrupted run never
//    leaks objects), and the replica count handed over to the HPA when the HPA is new;
// 3. the objects, tier by tier, each tier in parallel;
// 4. members the service no longer renders deleted, and the parent narrowed to the new set.
// With server_dry_run only step 1 runs (plus the prune listing). Errors name every failed object.
ApplyResult apply_plan(Client& client, Discovery& discovery, Plan& plan, const std::optional<ApplySetParent>& set,
                       const ApplyOptions& options);

// The Deployments among the plan whose replica count an HPA of the plan manages.
std::vector<const PlanItem*> hpa_targets(const Plan& plan);

// Whether `manager` owns spec.replicas of a live object (its managedFields).
bool owns_replicas(const Json& live, const std::string& manager);

} // namespace kms::kube
