#pragma once

#include <kube/applyset.hpp>
#include <kube/client.hpp>
#include <kube/discovery.hpp>
#include <kube/plan.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kms::kube {

// Fields the server owns or that change on every write, left out of diffs: managedFields,
// resourceVersion, generation, uid, creationTimestamp, selfLink and status.
Json strip_for_diff(Json object);

// kubectl diff's Secret masking, for two sides of a Secret (the caller knows it is one): values of
// data and stringData become "***", or "*** (before)" / "*** (after)" where they differ, so a diff
// shows which keys change and never what they hold; a data member that is not a map is "***" whole.
void mask_secret_data(Json& before, Json& after);

// kubectl's name for the object in a diff: group.version.Kind.namespace.name ("apps.v1.Deployment.demo.web").
std::string diff_name(const ResourceInfo& r, const std::string& ns, const std::string& name);

// The changes applying the plan would make: live object vs the server's dry run of the apply,
// both stripped (and masked), as a unified diff per object. Objects the ApplySet would prune are
// shown as removed. Every check of apply runs here too, so an apply that would fail fails here.
std::string diff_plan(Client& client, Discovery& discovery, Plan& plan, const std::optional<ApplySetParent>& set,
                      bool prune, bool force_conflicts);

} // namespace kms::kube
