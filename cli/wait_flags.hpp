#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <kube/client.hpp>
#include <kube/service_plan.hpp>
#include <string>
#include <vector>

// --wait, --no-wait and --timeout of the verbs that change a running service (apply, restart,
// scale, clone, expose, cancel), and the waiting itself.
namespace kms::cli {

struct WaitFlags
{
    bool wait = false;
    bool no_wait = false;
    std::string timeout = "5m";
};
// `wait_help` says what is waited for; waiting is the default when stdout is a terminal.
void add_wait_flags(CLI::App& sub, WaitFlags& f, const std::string& wait_help);

// The checked flags (usage errors name the flag).
struct Waiting
{
    bool wait = false;
    std::chrono::milliseconds timeout{ 0 }; // 0: no limit
};
Waiting waiting(const WaitFlags& f);

// Waits for the rollout of every Deployment the plans hold; progress goes to stdout, redrawn on a
// terminal. Throws kms::Error with the reason when a rollout cannot finish.
void wait_for_plans(kube::Client& client, const std::vector<kube::ServicePlan>& plans,
                    std::chrono::milliseconds timeout);
void wait_for_deployment(kube::Client& client, const std::string& ns, const std::string& name,
                         std::chrono::milliseconds timeout);

} // namespace kms::cli
