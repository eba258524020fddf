#include "rebuild.hpp"

#include <iostream>
#include <kube/apply.hpp>
#include <kube/secrets.hpp>
#include <kube/service_plan.hpp>
#include <util/fs.hpp>

namespace kms::cli {

spec::Config user_config()
{
    return spec::load_config(spec::default_config_path(), util::real_fs());
}

actions::Recorded reload(const actions::Target& target, const spec::Config& config, const Changes& changes)
{
    actions::Reload r;
    r.text = *target.record;
    r.origin = fmt::format("service {} in namespace {}", target.name, target.namespace_);
    // Not pinned to target.namespace_: the service was found in the namespace every plan defaults
    // to, and a record that names none keeps naming none (so it stays equal to apply's).
    r.overrides = changes.overrides;
    r.remove_expose = changes.remove_expose;
    r.add_expose = changes.add_expose;
    auto recorded = actions::load_record(r, config);
    for (const auto& w : recorded.warnings) {
        std::cerr << w << '\n';
    }
    return recorded;
}

Rebuilt rebuild(Cluster& cluster, const std::string& name, const std::string& verb, const Changes& changes)
{
    const kube::RestConfig& rc = cluster.client->config();
    auto target = actions::find_service(*cluster.client, rc.namespace_, name, verb, actions::Need::record);
    spec::Config config = user_config();
    auto recorded = reload(target, config, changes);
    return Rebuilt{ std::move(target), std::move(recorded), std::move(config) };
}

void add_reapply_flags(CLI::App& sub, ReapplyFlags& f, const std::string& wait_help, bool dry_run)
{
    if (dry_run) {
        sub
          .add_option("--dry-run",
                      f.dry_run,
                      "none (default); server: the API server checks every change and makes none (dryRun=All)")
          ->type_name("none|server");
    }
    sub.add_flag(
      "--force-conflicts",
      f.force_conflicts,
      "Take over fields another field manager owns (kubectl set image or kubectl edit, say) instead of failing "
      "with a conflict");
    add_wait_flags(sub, f.waits, wait_help);
}

Reapply reapply_options(const ReapplyFlags& f)
{
    if (f.dry_run != "none" && f.dry_run != "server") {
        throw input_error(SourcePos{ {}, 0, 0, "--dry-run" },
                          fmt::format("unknown value \"{}\": use none or server", f.dry_run));
    }
    Reapply how;
    how.wait = waiting(f.waits);
    how.force_conflicts = f.force_conflicts;
    how.server_dry_run = f.dry_run == "server";
    return how;
}

void reapply(Cluster& cluster, const spec::Service& s, const spec::Config& config, const Reapply& how)
{
    const kube::RestConfig& rc = cluster.client->config();
    std::vector<spec::Service> services{ s };
    kube::resolve_secret_keys(services, *cluster.client, rc.namespace_);
    std::vector<kube::ServicePlan> plans;
    plans.push_back(
      kube::plan_service(services.front(), config, rc.namespace_, false, cluster.discovery.get(), how.follow));
    for (const auto& w : plans.front().warnings) {
        std::cerr << w << '\n';
    }
    kube::ApplyOptions opts;
    opts.take_replicas = how.take_replicas;
    opts.force_conflicts = how.force_conflicts;
    opts.server_dry_run = how.server_dry_run;
    opts.report = [](const std::string& line) { std::cout << line << '\n' << std::flush; };
    kube::apply_plan(*cluster.client, *cluster.discovery, plans.front().plan, plans.front().set, opts);
    if (how.wait.wait && !how.server_dry_run) {
        wait_for_plans(*cluster.client, plans, how.wait.timeout);
    }
}

} // namespace kms::cli
