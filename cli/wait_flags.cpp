#include "wait_flags.hpp"

#include "common.hpp"

#include <iostream>
#include <kube/wait.hpp>
#include <unistd.h>
#include <util/duration.hpp>
#include <util/interrupt.hpp>
#include <util/error.hpp>

namespace kms::cli {

void add_wait_flags(CLI::App& sub, WaitFlags& f, const std::string& wait_help)
{
    sub.add_flag("--wait", f.wait, wait_help + "; the default when stdout is a terminal");
    sub.add_flag("--no-wait", f.no_wait, "Do not wait, even on a terminal");
    sub.add_option("--timeout", f.timeout, "How long --wait waits, e.g. 90s, 10m; 0: no limit (default 5m)")
      ->type_name("DURATION");
}

Waiting waiting(const WaitFlags& f)
{
    if (f.wait && f.no_wait) {
        throw input_error(SourcePos{ {}, 0, 0, "--no-wait" }, "--wait and --no-wait contradict each other");
    }
    auto timeout = util::parse_duration(f.timeout);
    if (!timeout) {
        throw input_error(SourcePos{ {}, 0, 0, "--timeout" },
                          fmt::format("invalid duration \"{}\" (e.g. 90s, 5m, 0 for no limit)", f.timeout));
    }
    // Waiting is the default where someone watches: a terminal (documented in --help and the man page).
    return Waiting{ f.wait || (!f.no_wait && ::isatty(STDOUT_FILENO) == 1), *timeout };
}

void wait_for_deployment(kube::Client& client, const std::string& ns, const std::string& name,
                         std::chrono::milliseconds timeout)
{
    bool tty = ::isatty(STDOUT_FILENO) == 1;
    util::on_interrupt(fmt::format("stopped waiting for deployment \"{}\"; its rollout goes on in the cluster "
                                   "(kubectl microservice status {} follows it)",
                                   name,
                                   name));
    kube::WaitOptions w;
    w.timeout = timeout;
    if (tty) {
        w.progress = [](const std::string& m) { std::cout << "\r\x1b[K" << m << std::flush; };
    } else {
        w.line = [](const std::string& m) { std::cout << m << '\n' << std::flush; };
    }
    try {
        kube::wait_for_rollout(client, ns, name, w);
    } catch (const Error&) {
        if (tty) {
            std::cout << '\n';
        }
        throw;
    }
    if (tty) {
        std::cout << '\n';
    }
}

void wait_for_plans(kube::Client& client, const std::vector<kube::ServicePlan>& plans,
                    std::chrono::milliseconds timeout)
{
    for (const auto& sp : plans) {
        for (const auto& item : sp.plan.items) {
            if (item.resource.kind == "Deployment" && item.resource.group == "apps") {
                wait_for_deployment(client, item.ns, item.name, timeout);
            }
        }
    }
}

} // namespace kms::cli
