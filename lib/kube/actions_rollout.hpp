#pragma once

#include <kube/actions_history.hpp>
#include <kube/actions_target.hpp>
#include <kube/client.hpp>

#include <chrono>
#include <string>

// The two writes service actions make besides server-side apply, as kubectl's rollout commands
// make them (research/anchors-k8s-api.md §3).
namespace kms::actions {

// Field manager of these writes (Update operations, next to apply's own entry).
inline constexpr const char* k_rollout_manager = "kubectl-microservice-rollout";
inline constexpr const char* k_restarted_at_annotation = "kubectl.kubernetes.io/restartedAt";

// `rollout restart`: a strategic merge patch of the pod template's restartedAt annotation.
// Returns the patched Deployment.
Json restart_pods(kube::Client& c, const Target& t, std::chrono::system_clock::time_point now);

// `rollout undo` to `rev`: the JSON patch of undo_patch(). Returns the patched Deployment.
Json undo_to(kube::Client& c, const Target& t, const Revision& rev);

} // namespace kms::actions
