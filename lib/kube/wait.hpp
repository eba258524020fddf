#pragma once

#include <chrono>
#include <functional>
#include <kube/client.hpp>
#include <kube/rollout.hpp>
#include <string>
#include <util/clock.hpp>
#include <vector>

namespace kms::kube {

struct WaitOptions
{
    std::chrono::milliseconds timeout{ std::chrono::minutes(5) }; // 0: no limit
    // Progress: `line` for each new message (plain output), or `progress` to redraw one line (TTY).
    std::function<void(const std::string&)> line;
    std::function<void(const std::string&)> progress;
    util::Clock* clock = nullptr;
    std::chrono::seconds watch_window{ 2 }; // a watch lasts this long; pods are examined in between
    DiagnoseOptions diagnose;
    int log_lines = 10; // of a crash-looping container's previous run
};

// Waits until Deployment `name` in `ns` has rolled out, the kubectl way (a list, then a watch from
// its resourceVersion, resumed after disconnects and relisted after 410 Expired). Throws kms::Error
// as soon as the rollout cannot succeed — progress deadline, image pull failures, crash loops (with
// the last log lines), unschedulable pods, failing probes — or when `timeout` passes.
// The last `lines` lines of the previous run of a container (a crash loop's), empty when there is
// none to read.
std::vector<std::string> previous_log_lines(Client& client, const std::string& ns, const std::string& pod,
                                            const std::string& container, int lines);

void wait_for_rollout(Client& client, const std::string& ns, const std::string& name, const WaitOptions& options);

} // namespace kms::kube
