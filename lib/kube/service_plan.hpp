#pragma once

#include <kube/applyset.hpp>
#include <kube/discovery.hpp>
#include <kube/plan.hpp>
#include <optional>
#include <spec/config.hpp>
#include <spec/service.hpp>
#include <string>
#include <vector>

namespace kms::kube {

// One service's objects, ready for apply_plan(): what `apply` sends and what the service actions
// (restart, scale, clone, expose) send after rebuilding a service from its record.
struct ServicePlan
{
    std::string service;
    Plan plan;
    ApplySetParent set;
    std::vector<std::string> warnings; // of rendering
};

// Renders `s`, records it on its Deployment (`follow`: see actions::record_on) and plans the
// objects as members of the service's ApplySet. No discovery: offline (--dry-run=client).
ServicePlan plan_service(const spec::Service& s, const spec::Config& config, const std::string& default_ns,
                         bool ns_explicit, Discovery* discovery, std::optional<bool> follow = std::nullopt);

} // namespace kms::kube
