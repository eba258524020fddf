#include "rebuild.hpp"
#include "verbs.hpp"

#include <git/resolve.hpp>
#include <iostream>
#include <kube/actions_clone.hpp>

namespace kms::cli {

namespace {

struct CloneOptions
{
    std::string source;
    spec::Overrides overrides;
    GitFlags git;
    ReapplyFlags reapply;
};

int run_clone(const CloneOptions& o, const GlobalOptions& g)
{
    if (!o.overrides.name) {
        throw input_error(SourcePos{ {}, 0, 0, "--name" },
                          "missing: clone needs the name of the new service (--name NEW)");
    }
    const std::string& name = *o.overrides.name;
    if (name == o.source) {
        throw input_error(SourcePos{ {}, 0, 0, "--name" },
                          fmt::format("\"{}\" is the service being cloned; give the copy another name", name));
    }
    Reapply how = reapply_options(o.reapply);
    Cluster cluster = connect(g);
    kube::Client& c = *cluster.client;
    const std::string& ns = c.config().namespace_;
    auto source = actions::clone_source(c, ns, o.source);
    if (c.get_optional(actions::deployment_path(ns, name), fmt::format("service {} in namespace {}", name, ns))) {
        throw Error(fmt::format("service \"{}\" already exists in namespace \"{}\": clone makes new services (change "
                                "one with apply, scale or expose)",
                                name,
                                ns));
    }
    spec::Config config = user_config();
    Changes changes;
    changes.overrides = o.overrides;
    auto original = reload(source, config, {});
    // The copy must not take over the original's route.
    if (original.service.expose && original.service.expose->host && !o.overrides.expose.host) {
        if (auto host = actions::renamed_host(*original.service.expose->host, o.source, name)) {
            changes.overrides.expose.host = *host;
        }
    }
    auto copy = reload(source, config, changes);
    spec::Service& s = copy.service;
    how.follow = copy.follow;
    // A new repository or branch without --commit: pinned to its head now, and followed by restart.
    if (s.git && (o.overrides.git_repo || o.overrides.branch) && !o.overrides.commit) {
        s.git->commit.reset();
        auto git = git::open(git_options(o.git, g.verbosity));
        git::pin(*git, *s.git);
        how.follow = true;
    } else if (o.overrides.commit) {
        how.follow = false;
    }
    reapply(cluster, s, config, how);
    std::cout << fmt::format("service \"{}\" {} from \"{}\"\n",
                             name,
                             how.server_dry_run ? "would be cloned (server dry run)" : "cloned",
                             o.source);
    return 0;
}

} // namespace

void setup_clone(CLI::App& app, Context& ctx)
{
    auto [sub, opt] = add_verb(app,
                               ctx,
                               "clone",
                               "Make a new service from a running service's recorded description, with the "
                               "service flags as changes, and apply it",
                               run_clone);
    add_service_name(*sub, opt->source, "The service to copy");
    add_override_flags(*sub, opt->overrides, opt->git, false);
    add_reapply_flags(*sub, opt->reapply, "Wait for the rollout (kubectl rollout status semantics)", true);
}

} // namespace kms::cli
