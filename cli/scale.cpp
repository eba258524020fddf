#include "rebuild.hpp"
#include "verbs.hpp"

#include <iostream>

namespace kms::cli {

namespace {

struct ScaleOptions
{
    std::string name;
    std::optional<int> min;
    std::optional<int> max;
    ReapplyFlags reapply;
};

// Without --max a service that autoscales keeps its ceiling (when the new floor fits under it);
// any other gets exactly --min replicas, as `kubectl scale --replicas` would.
int new_max(const spec::Replicas& recorded, int min)
{
    bool autoscaled = recorded.max > recorded.min;
    return autoscaled && min > 0 && recorded.max >= min ? recorded.max : min;
}

std::string describe_replicas(const spec::Replicas& r)
{
    if (r.max == 0) {
        return "off (0 replicas, no autoscaler)";
    }
    if (r.max > r.min) {
        return fmt::format("{} to {} replicas (autoscaled)", r.min, r.max);
    }
    return fmt::format("{} replica{}", r.min, r.min == 1 ? "" : "s");
}

int run_scale(const ScaleOptions& o, const GlobalOptions& g)
{
    if (*o.min < 0) {
        throw input_error(SourcePos{ {}, 0, 0, "--min" }, fmt::format("{} is negative", *o.min));
    }
    if (o.max && *o.max < *o.min) {
        throw input_error(SourcePos{ {}, 0, 0, "--max" }, fmt::format("{} is below --min {}", *o.max, *o.min));
    }
    if (*o.min == 0 && o.max && *o.max > 0) {
        throw input_error(SourcePos{ {}, 0, 0, "--max" },
                          "--min 0 switches the service off, which needs --max 0 too (or no --max)");
    }
    Reapply how = reapply_options(o.reapply);
    Cluster cluster = connect(g);
    // First the record as it is, for the ceiling; then with the new bounds, so that a later
    // apply from the record (restart, clone, expose) keeps them.
    auto found = rebuild(cluster, o.name, "scale");
    Changes bounds;
    bounds.overrides.min_replicas = *o.min;
    bounds.overrides.max_replicas = o.max.value_or(new_max(found.recorded.service.replicas, *o.min));
    auto after = reload(found.target, found.config, bounds);
    // The count asked for wins over whoever set it last (kubectl scale, the HPA being removed).
    how.follow = after.follow;
    how.take_replicas = true;
    reapply(cluster, after.service, found.config, how);
    std::cout << fmt::format("service \"{}\" {}: {}\n",
                             found.target.name,
                             how.server_dry_run ? "would be scaled (server dry run)" : "scaled",
                             describe_replicas(after.service.replicas));
    return 0;
}

} // namespace

void setup_scale(CLI::App& app, Context& ctx)
{
    auto [sub, opt] =
      add_service_verb(app,
                       ctx,
                       "scale",
                       "Change a service's replicas or autoscaling bounds in place; --min 0 --max 0 switches it off",
                       run_scale);
    sub->add_option("--min", opt->min, "Minimum replicas (the replica count when there is no autoscaler)")
      ->required()
      ->type_name("N");
    sub
      ->add_option("--max",
                   opt->max,
                   "Maximum replicas: above --min an HPA scales between them (default: the autoscaled service's "
                   "current maximum, else --min)")
      ->type_name("M");
    add_reapply_flags(*sub, opt->reapply, "Wait for the rollout to finish", true);
}

} // namespace kms::cli
