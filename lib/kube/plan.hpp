#pragma once

#include <kube/discovery.hpp>
#include <string>
#include <util/json.hpp>
#include <vector>

namespace kms::kube {

inline constexpr const char* k_field_manager = "kubectl-microservice";

// One object to apply.
struct PlanItem
{
    Json object; // exactly what is sent: namespace filled in, ApplySet label added
    ResourceInfo resource;
    std::string ns; // "" when cluster-scoped
    std::string name;
    int tier = 2;

    // "Deployment/web"
    std::string ref() const;
    // "Deployment/web in namespace demo" (for messages)
    std::string describe() const;
    // "Deployment/web (demo)" (for progress lines)
    std::string label() const { return ns.empty() ? ref() : ref() + " (" + ns + ")"; }
    bool is_secret() const { return resource.is_secret(); }
};

// Dependency tiers, applied in order, each in parallel: 0 namespaces and CRDs; 1 what workloads
// refer to (service accounts, config maps, secrets, RBAC, volume claims); 2 everything else.
int apply_tier(const std::string& kind);

struct Plan
{
    std::vector<PlanItem> items; // by tier, in render order within a tier
    std::string ns;              // the default namespace (from the service, -n or the context)
};

// Builds the plan: namespaces filled in (and checked against an explicit -n, like kubectl), kinds
// mapped to resources by discovery — so a missing API fails here, before anything is written. With
// no discovery (--dry-run=client, offline) the resource names are derived from the kinds.
Plan make_plan(const std::vector<Json>& objects, const std::string& default_ns, bool ns_explicit, Discovery* discovery);

struct ApplyFlags
{
    bool dry_run = false; // dryRun=All
    bool force = false;   // force=true: take over conflicting fields
    std::string manager = k_field_manager;
};

// The server-side apply request for `item`.
std::string apply_path(const PlanItem& item, const ApplyFlags& flags);
inline constexpr const char* k_apply_content_type = "application/apply-patch+yaml";
// Sends it and returns the answer, whatever its status (a Secret's body stays out of -v logs).
http::Response send_apply(Client& client, const PlanItem& item, const ApplyFlags& flags);

} // namespace kms::kube
