#include "rebuild.hpp"
#include "verbs.hpp"

#include <iostream>

namespace kms::cli {

namespace {

struct ExposeOptions
{
    std::string name;
    spec::ExposeFlags flags;
    bool remove = false;
    ReapplyFlags reapply;
};

int run_expose(const ExposeOptions& o, const GlobalOptions& g)
{
    if (o.remove && o.flags.any()) {
        throw input_error(SourcePos{ {}, 0, 0, "--remove" },
                          "takes no exposure flags (--host, --auth …): it removes the exposure, they change it");
    }
    Reapply how = reapply_options(o.reapply);
    Cluster cluster = connect(g);
    Changes changes;
    changes.overrides.expose = o.flags;
    changes.remove_expose = o.remove;
    changes.add_expose = !o.remove;
    auto found = rebuild(cluster, o.name, "expose", changes);
    if (o.remove && !reload(found.target, found.config, {}).service.expose) {
        std::cout << fmt::format("service \"{}\" is not exposed: nothing to remove\n", found.target.name);
        return 0;
    }
    const spec::Service& s = found.recorded.service;
    // The record's other settings are applied unchanged: only the exposure's objects differ, and
    // those of the old exposure are pruned through the ApplySet.
    how.follow = found.recorded.follow;
    reapply(cluster, s, found.config, how);
    const char* dry = how.server_dry_run ? " (server dry run)" : "";
    if (!s.expose) {
        std::cout << fmt::format("service \"{}\" is no longer exposed{}\n", s.name, dry);
    } else {
        std::cout << fmt::format(
          "service \"{}\" exposed at {}{}{}\n", s.name, s.expose->host.value_or(""), s.expose->path.value_or("/"), dry);
    }
    return 0;
}

} // namespace

void setup_expose(CLI::App& app, Context& ctx)
{
    auto [sub, opt] =
      add_service_verb(app,
                       ctx,
                       "expose",
                       "Add, change or remove the external exposure of a running service (route, auth), "
                       "leaving the rest as it is",
                       run_expose);
    add_expose_flags(*sub, opt->flags);
    sub->add_flag("--remove", opt->remove, "Remove the exposure: its route and auth objects are deleted");
    add_reapply_flags(*sub, opt->reapply, "Wait for the rollout to finish", true);
}

} // namespace kms::cli
