#include "rebuild.hpp"
#include "verbs.hpp"

#include <git/repin.hpp>
#include <git/resolve.hpp>
#include <iostream>
#include <kube/actions_rollout.hpp>
#include <kube/object.hpp>
#include <util/clock.hpp>
#include <util/rfc3339.hpp>

namespace kms::cli {

namespace {

struct RestartOptions
{
    std::string name;
    GitFlags git;
    ReapplyFlags reapply;
};

std::string short_commit(const std::string& c)
{
    return c.substr(0, 12);
}

// restartedAt has whole seconds: a second restart within the same second would change nothing
// (kubectl refuses it), so it waits for the next second instead.
std::chrono::system_clock::time_point restart_time(const Json& deployment, util::Clock& clock)
{
    auto now = clock.now();
    // The Deployment is the server's answer: read through the helpers (const operator[] on a
    // missing key is undefined behaviour, value() throws on a type mismatch).
    const Json& tmpl = util::object_at(util::object_at(deployment, "spec"), "template");
    std::string last = kube::annotation_of(tmpl, actions::k_restarted_at_annotation);
    while (last == util::format_rfc3339(now)) {
        auto next = std::chrono::floor<std::chrono::seconds>(now) + std::chrono::seconds(1);
        clock.sleep_for(std::chrono::ceil<std::chrono::milliseconds>(next - now));
        now = clock.now();
    }
    return now;
}

int run_restart(const RestartOptions& o, const GlobalOptions& g)
{
    Reapply how = reapply_options(o.reapply);
    Cluster cluster = connect(g);
    // A service without a record (applied by an older version) can still have its pods restarted.
    auto target = actions::find_service(
      *cluster.client, cluster.client->config().namespace_, o.name, "restart", actions::Need::deployment);
    if (target.record) {
        spec::Config config = user_config();
        auto recorded = reload(target, config, {});
        const spec::Service& s = recorded.service;
        if (recorded.follow && s.git) {
            std::string branch = s.git->branch ? "branch " + *s.git->branch : std::string("the default branch");
            auto git = git::open(git_options(o.git, g.verbosity));
            std::string head = git::current_commit(*git, *s.git);
            std::string pinned = s.git->commit.value_or("");
            if (head != pinned) {
                std::cout << fmt::format("{} of {} moved from {} to {}: rolling out the new commit\n",
                                         branch,
                                         s.git->repo,
                                         short_commit(pinned),
                                         short_commit(head));
                spec::Service moved = s;
                for (const auto& w : git::move_to_commit(*git, moved, head)) {
                    std::cerr << w << '\n';
                }
                how.follow = true;
                reapply(cluster, moved, config, how);
                return 0;
            }
            std::cout << fmt::format(
              "{} of {} is still at {}: restarting the pods\n", branch, s.git->repo, short_commit(head));
        }
    }
    actions::restart_pods(*cluster.client, target, restart_time(target.deployment, util::real_clock()));
    std::cout << fmt::format("Deployment/{} ({}) restarted\n", target.name, target.namespace_) << std::flush;
    if (how.wait.wait) {
        wait_for_deployment(*cluster.client, target.namespace_, target.name, how.wait.timeout);
    }
    return 0;
}

} // namespace

void setup_restart(CLI::App& app, Context& ctx)
{
    auto [sub, opt] = add_service_verb(app,
                                       ctx,
                                       "restart",
                                       "Roll a service onto its git branch's new head, or restart its pods when the "
                                       "branch has not moved (kubectl rollout restart)",
                                       run_restart);
    add_git_access_flags(*sub, opt->git);
    add_reapply_flags(*sub, opt->reapply, "Wait for the rollout (kubectl rollout status semantics)", false);
}

} // namespace kms::cli
