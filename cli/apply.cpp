#include "kube_flags.hpp"
#include "verbs.hpp"
#include "wait_flags.hpp"

#include <iostream>
#include <kube/apply.hpp>
#include <kube/secrets.hpp>
#include <kube/service_plan.hpp>
#include <render/output.hpp>
#include <render/render.hpp>
#include <util/interrupt.hpp>

namespace kms::cli {

namespace {

struct ApplyCliOptions
{
    ServiceInput input;
    std::string dry_run = "none";
    bool force_conflicts = false;
    bool prune = false; // --prune: the default, spelled out
    bool no_prune = false;
    std::string output;
    WaitFlags waits;
};

using kube::ServicePlan;

ServicePlan plan_one(const spec::Service& s, const spec::Config& config, const std::string& default_ns,
                         bool ns_explicit, kube::Discovery* discovery)
{
    auto sp = kube::plan_service(s, config, default_ns, ns_explicit, discovery);
    for (const auto& w : sp.warnings) {
        std::cerr << w << '\n';
    }
    return sp;
}

std::string label(const std::string& ref, const std::string& ns)
{
    return ns.empty() ? ref : ref + " (" + ns + ")";
}

// --dry-run=client: the plan, worked out without any cluster or kubeconfig.
int print_client_plan(const std::vector<ServicePlan>& plans, const ApplyCliOptions& o)
{
    if (!o.output.empty()) {
        std::vector<Json> objects;
        for (const auto& sp : plans) {
            for (const auto& item : sp.plan.items) {
                objects.push_back(item.object);
            }
            objects.push_back(kube::parent_object(sp.set, kube::applyset_of(sp.plan, sp.set)));
        }
        std::cout << render::format_objects(objects, render::parse_output(o.output).format);
        return 0;
    }
    for (const auto& sp : plans) {
        for (const auto& item : sp.plan.items) {
            std::cout << label(item.ref(), item.ns) << " — server-side apply\n";
        }
        std::cout << label("Secret/" + sp.set.name, sp.set.ns) << " — ApplySet parent"
                  << (o.no_prune ? "" : " (prunes what the service no longer renders)") << '\n';
    }
    std::cerr << "client dry run: nothing was sent (field manager " << kube::k_field_manager << ")\n";
    return 0;
}

int run_apply(ApplyCliOptions& o, const GlobalOptions& g)
{
    if (o.dry_run != "none" && o.dry_run != "client" && o.dry_run != "server") {
        throw input_error(SourcePos{ {}, 0, 0, "--dry-run" },
                          fmt::format("unknown value \"{}\": use none, client or server", o.dry_run));
    }
    if (!o.output.empty() && o.output != "yaml" && o.output != "json" && o.output != "name") {
        throw input_error(SourcePos{ {}, 0, 0, "--output" },
                          fmt::format("unknown format \"{}\": use yaml, json or name", o.output));
    }
    if (o.prune && o.no_prune) {
        throw input_error(SourcePos{ {}, 0, 0, "--no-prune" }, "--prune and --no-prune contradict each other");
    }
    Waiting wait = waiting(o.waits);
    auto in = load_input(o.input, g);
    if (o.dry_run == "client") {
        std::string ns = offline_namespace(g);
        std::vector<ServicePlan> plans;
        for (const auto& s : in.loaded.services) {
            plans.push_back(plan_one(s, in.config, ns, !g.kube.namespace_.empty(), nullptr));
        }
        return print_client_plan(plans, o);
    }

    Cluster cluster = connect(g);
    const kube::RestConfig& rc = cluster.client->config();
    kube::resolve_secret_keys(in.loaded.services, *cluster.client, rc.namespace_);
    // Every service is planned (and every API checked) before the first write.
    std::vector<ServicePlan> plans;
    for (const auto& s : in.loaded.services) {
        plans.push_back(plan_one(s, in.config, rc.namespace_, rc.namespace_explicit, cluster.discovery.get()));
    }
    kube::ApplyOptions opts;
    opts.server_dry_run = o.dry_run == "server";
    opts.force_conflicts = o.force_conflicts;
    opts.prune = !o.no_prune;
    std::vector<Json> applied;
    if (o.output.empty()) {
        opts.report = [](const std::string& line) { std::cout << line << '\n' << std::flush; };
    }
    if (o.dry_run == "none") {
        util::on_interrupt("objects reported as created or configured above are applied, the others are not; run "
                           "the same apply again to finish (it is idempotent)");
    }
    for (auto& sp : plans) {
        auto result = kube::apply_plan(*cluster.client, *cluster.discovery, sp.plan, sp.set, opts);
        for (auto& item : result.items) {
            applied.push_back(std::move(item.live));
        }
    }
    if (!o.output.empty()) {
        std::cout << render::format_objects(applied, render::parse_output(o.output).format);
    }
    if (wait.wait && o.dry_run == "none") {
        wait_for_plans(*cluster.client, plans, wait.timeout);
    }
    return 0;
}

} // namespace

void setup_apply(CLI::App& app, Context& ctx)
{
    auto opt = std::make_shared<ApplyCliOptions>();
    auto* sub = app.add_subcommand("apply", "Render a service and server-side apply it to the cluster");
    add_service_flags(*sub, opt->input);
    sub
      ->add_option("--dry-run",
                   opt->dry_run,
                   "none (default); client: print the plan, contacting nothing; server: the API server checks "
                   "everything and changes nothing (dryRun=All)")
      ->type_name("none|client|server");
    sub->add_flag("--force-conflicts",
                  opt->force_conflicts,
                  "Take over fields another field manager owns instead of failing with a conflict");
    sub->add_flag("--prune",
                  opt->prune,
                  "Delete objects the service no longer renders (tracked as a kubectl ApplySet; the default)");
    sub->add_flag("--no-prune", opt->no_prune, "Keep objects the service no longer renders");
    sub->add_option("-o,--output", opt->output, "Print the applied objects as yaml, json or name lines instead of one line each")
      ->type_name("yaml|json|name");
    add_wait_flags(*sub,
                   opt->waits,
                   "Wait for the rollout (kubectl rollout status semantics) and fail fast with the reason when it "
                   "cannot finish");
    sub->callback([opt, &ctx] { ctx.exit_code = run_apply(*opt, ctx.global); });
}

} // namespace kms::cli
