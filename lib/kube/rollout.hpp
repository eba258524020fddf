#pragma once

#include <optional>
#include <string>
#include <util/json.hpp>

// Pure analysis of a Deployment rollout: kubectl's rollout-status semantics, plus the reasons a
// rollout cannot succeed, read from the new ReplicaSet's pods and their events.
namespace kms::kube {

struct RolloutStatus
{
    bool done = false;
    bool failed = false;
    std::string message; // kubectl's words ("Waiting for deployment \"web\" rollout to finish: …")
};

// kubectl rollout status (polymorphichelpers/rollout_status.go), message for message.
RolloutStatus rollout_status(const Json& deployment);

// Why the rollout will not finish on its own.
struct Diagnosis
{
    std::string summary; // one line: "pod web-5d7f-x: container \"web\" is crash-looping (…)"
    std::string pod;     // for fetching logs
    std::string container;
    bool want_logs = false; // crash loops: show the last lines of the previous run
};

struct DiagnoseOptions
{
    int probe_failures = 5; // Unhealthy events of one pod before failing probes count as fatal
};

// The ReplicaSet of the deployment's current revision among `replicasets` (a list's items);
// nullopt while the controller has not made it.
std::optional<Json> current_replicaset(const Json& deployment, const Json& replicasets);

// Looks at the pods of the current ReplicaSet (`pods`, `events`: list items) for image pull
// failures, crash loops, unschedulable pods, failing probes and a ReplicaFailure condition.
std::optional<Diagnosis> diagnose(const Json& deployment, const Json& replicasets, const Json& pods, const Json& events,
                                  const DiagnoseOptions& options = {});

} // namespace kms::kube
