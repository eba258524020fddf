#include "rebuild.hpp"
#include "verbs.hpp"

#include <iostream>
#include <kube/actions_cancel.hpp>
#include <render/render.hpp>

namespace kms::cli {

namespace {

struct CancelOptions
{
    std::string name;
    std::string cascade = "background";
    std::string dry_run = "none";
    WaitFlags waits;
};

// Where to look for members when the ApplySet parent is gone: the kinds the recorded service renders.
std::set<std::string> rendered_kinds(const actions::Target& t)
{
    std::set<std::string> kinds;
    if (!t.record) {
        return kinds;
    }
    try {
        spec::Config config = user_config();
        auto recorded = reload(t, config, {});
        for (const auto& o : render::render(recorded.service, config).objects) {
            std::string api = o.value("apiVersion", "");
            auto slash = api.find('/');
            std::string kind = o.value("kind", "");
            kinds.insert(slash == std::string::npos ? kind : kind + "." + api.substr(0, slash));
        }
    } catch (const Error& e) {
        std::cerr << "warning: " << e.what() << " (looking for the Deployment only)\n";
    }
    return kinds;
}

int run_cancel(const CancelOptions& o, const GlobalOptions& g)
{
    const char* propagation = actions::propagation_policy(o.cascade, "--cascade");
    std::string dry_run = o.dry_run.empty() ? std::string("client") : o.dry_run; // a bare --dry-run
    if (dry_run != "none" && dry_run != "client" && dry_run != "server") {
        throw input_error(SourcePos{ {}, 0, 0, "--dry-run" },
                          fmt::format("unknown value \"{}\": use client, server or none", dry_run));
    }
    Waiting wait = waiting(o.waits);
    Cluster cluster = connect(g);
    auto target = actions::find_service(
      *cluster.client, cluster.client->config().namespace_, o.name, "cancel", actions::Need::deployment);
    std::set<std::string> fallback;
    auto owned = actions::owned_objects(*cluster.client, *cluster.discovery, target, fallback);
    if (!owned.parent_exists) {
        // Rare (the parent deleted by hand): look wider, for every kind the service renders.
        owned = actions::owned_objects(*cluster.client, *cluster.discovery, target, rendered_kinds(target));
    }
    if (dry_run == "client") {
        for (const auto& m : actions::deletion_order(owned)) {
            std::cout << actions::describe_owned(owned, m) << " would be deleted\n";
        }
        std::cerr << "client dry run: nothing was deleted\n";
        return 0;
    }
    bool dry = dry_run == "server";
    actions::delete_owned(*cluster.client, owned, propagation, dry, [](const std::string& line) {
        std::cout << line << '\n' << std::flush;
    });
    if (wait.wait && !dry) {
        actions::wait_gone(*cluster.client, owned, wait.timeout, util::real_clock());
        std::cout << fmt::format("service \"{}\" is gone\n", target.name);
    }
    return 0;
}

} // namespace

void setup_cancel(CLI::App& app, Context& ctx)
{
    auto [sub, opt] =
      add_service_verb(app,
                       ctx,
                       "cancel",
                       "Delete everything a service owns (its ApplySet's objects and parent) and nothing else",
                       run_cancel);
    sub
      ->add_option("--cascade",
                   opt->cascade,
                   "How dependents (ReplicaSets, pods) go, as kubectl delete --cascade: background (default: "
                   "delete now, the garbage collector follows) or foreground (each object waits for its "
                   "dependents)")
      ->type_name("background|foreground");
    sub
      ->add_option("--dry-run",
                   opt->dry_run,
                   "List what would be deleted: client (also a bare --dry-run) reads only; server also sends the "
                   "deletions with dryRun=All")
      ->expected(0, 1)
      ->type_name("client|server");
    add_wait_flags(*sub, opt->waits, "Wait until every deleted object is gone");
}

} // namespace kms::cli
