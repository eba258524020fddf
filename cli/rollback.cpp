#include "rebuild.hpp"
#include "verbs.hpp"

#include <iostream>
#include <kube/actions_history.hpp>
#include <kube/actions_rollout.hpp>

namespace kms::cli {

namespace {

struct RollbackOptions
{
    std::string name;
    long to_revision = 0;
    ReapplyFlags reapply;
};

int run_rollback(const RollbackOptions& o, const GlobalOptions& g)
{
    Reapply how = reapply_options(o.reapply);
    if (o.to_revision < 0) {
        throw Error("flag --to-revision: must be 0 (the previous revision) or a revision number", ExitCode::usage);
    }
    Cluster cluster = connect(g);
    kube::Client& c = *cluster.client;
    auto target = actions::find_service(c, c.config().namespace_, o.name, "roll back", actions::Need::deployment);
    auto revs = actions::load_revisions(c, target);
    const actions::Revision& rev = actions::pick_revision(revs, o.to_revision, target.name);
    actions::require_not_paused(target.deployment, "roll back");
    if (actions::template_matches(target.deployment, rev.replicaset)) {
        std::cout << fmt::format("Deployment/{} ({}) skipped rollback (current template already matches revision "
                                 "{})\n",
                                 target.name,
                                 target.namespace_,
                                 rev.number);
        return 0;
    }
    // kubectl's undo first: the Deployment gets the revision's exact pod template, so the controller
    // scales its ReplicaSet back up (as the next revision) instead of building a new one.
    actions::undo_to(c, target, rev);
    std::cout << fmt::format(
                   "Deployment/{} ({}) rolled back to revision {}\n", target.name, target.namespace_, rev.number)
              << std::flush;
    auto record = actions::recorded_text(rev.replicaset);
    if (!record) {
        std::cerr << fmt::format("warning: revision {} of service {} has no recorded description: only its "
                                 "Deployment was rolled back, its other objects stay as they are\n",
                                 rev.number,
                                 target.name);
        if (how.wait.wait) {
            wait_for_deployment(c, target.namespace_, target.name, how.wait.timeout);
        }
        return 0;
    }
    // Then the description that revision was applied from, applied as `apply` would: replicas,
    // autoscaler, Service and routes return to that revision's, and the ApplySet prunes the rest.
    actions::Target at_revision = target;
    at_revision.record = record;
    spec::Config config = user_config();
    auto recorded = reload(at_revision, config, {});
    how.follow = recorded.follow;
    reapply(cluster, recorded.service, config, how);
    return 0;
}

} // namespace

void setup_rollback(CLI::App& app, Context& ctx)
{
    auto [sub, opt] =
      add_service_verb(app,
                       ctx,
                       "rollback",
                       "Roll a service back to an earlier revision (kubectl rollout undo), then re-apply "
                       "the description that revision was applied from",
                       run_rollback);
    sub
      ->add_option("--to-revision",
                   opt->to_revision,
                   "The revision to go back to (see history); default 0: the one before the current")
      ->type_name("N");
    add_reapply_flags(*sub, opt->reapply, "Wait for the rollout (kubectl rollout status semantics)", false);
}

} // namespace kms::cli
