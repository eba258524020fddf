#include "kube_flags.hpp"
#include "verbs.hpp"

#include <iostream>
#include <kube/actions_logs.hpp>
#include <util/duration.hpp>

namespace kms::cli {

namespace {

struct LogsCliOptions
{
    std::string name;
    bool follow = false;
    long tail = -1;
    std::string since;
    std::string container;
    bool timestamps = false;
    bool no_prefix = false;
};

int run_logs(const LogsCliOptions& o, const GlobalOptions& g)
{
    actions::LogOptions lo;
    lo.follow = o.follow;
    if (o.tail >= 0) {
        lo.tail = o.tail;
    }
    if (!o.since.empty()) {
        auto d = util::parse_duration(o.since);
        if (!d) {
            throw Error(fmt::format("flag --since: invalid duration \"{}\" (e.g. 30s, 5m, 1h)", o.since),
                        ExitCode::usage);
        }
        if (d->count() <= 0) {
            throw Error(fmt::format("flag --since: {} asks for no lines at all: give a positive duration (e.g. 30s, "
                                    "5m, 1h), or leave --since out for every line",
                                    o.since),
                        ExitCode::usage);
        }
        // The API counts whole seconds; a part of one still asks for that second.
        lo.since_seconds = (d->count() + 999) / 1000;
    }
    lo.container = o.container;
    lo.timestamps = o.timestamps;
    lo.prefix = !o.no_prefix;
    Cluster cluster = connect(g);
    kube::Client& c = *cluster.client;
    auto t = actions::find_service(c, c.config().namespace_, o.name, "show the logs of", actions::Need::deployment);
    actions::LogSink sink;
    sink.line = [](const std::string& l) { std::cout << l << '\n' << std::flush; };
    sink.note = [](const std::string& n) { std::cerr << n << '\n' << std::flush; };
    actions::show_logs(c, t, lo, sink, util::real_clock());
    return 0;
}

} // namespace

void setup_logs(CLI::App& app, Context& ctx)
{
    auto [sub, opt] = add_service_verb(
      app, ctx, "logs", "Print the logs of every pod of a service, each line prefixed by its pod", run_logs);
    sub->add_flag("-f,--follow",
                  opt->follow,
                  "Keep streaming, and stream the pods that start later (a rollout's new pods) too, until the "
                  "service is gone or you stop it");
    sub->add_option("--tail", opt->tail, "Lines of each pod's recent log to show (default: all; -1: all)")
      ->type_name("N");
    sub->add_option("--since", opt->since, "Only lines newer than this, e.g. 30s, 5m, 1h")->type_name("DURATION");
    sub
      ->add_option("-c,--container",
                   opt->container,
                   "The container to read (default: the service's own; an init container such as git-clone works)")
      ->type_name("CONTAINER");
    sub->add_flag("--timestamps", opt->timestamps, "Start each line with its RFC 3339 timestamp");
    sub->add_flag("--no-prefix", opt->no_prefix, "Do not start each line with [pod/POD/CONTAINER]");
}

} // namespace kms::cli
