#include "kube_flags.hpp"
#include "verbs.hpp"

#include <iostream>
#include <kube/actions_record.hpp>
#include <kube/apply.hpp>
#include <kube/secrets.hpp>
#include <kube/wait.hpp>
#include <render/output.hpp>
#include <render/render.hpp>
#include <unistd.h>
#include <util/duration.hpp>

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
    bool wait = false;
    bool no_wait = false;
    std::string timeout = "5m";
};

// One service's objects, ready to apply.
struct ServicePlan
{
    std::string service;
    kube::Plan plan;
    kube::ApplySetParent set;
};

ServicePlan plan_service(const spec::Service& s, const spec::Config& config, const std::string& default_ns,
                         bool ns_explicit, kube::Discovery* discovery)
{
    auto rendered = render::render(s, config);
    for (const auto& w : rendered.warnings) {
        std::cerr << w << '\n';
    }
    // What the service actions (restart, scale, clone, rollback, expose) rebuild it from.
    actions::record_on(rendered.objects, s);
    std::string ns = s.namespace_.value_or(default_ns);
    ServicePlan sp{ s.name,
                    kube::make_plan(rendered.objects, ns, ns_explicit, discovery),
                    kube::ApplySetParent::for_service(s.name, ns, render::labels(s)) };
    kube::label_members(sp.plan, sp.set);
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

// Waits for every Deployment the plans applied; progress goes to stdout, redrawn on a terminal.
void wait_for_plans(kube::Client& client, const std::vector<ServicePlan>& plans, std::chrono::milliseconds timeout)
{
    bool tty = ::isatty(STDOUT_FILENO) == 1;
    kube::WaitOptions w;
    w.timeout = timeout;
    if (tty) {
        w.progress = [](const std::string& m) { std::cout << "\r\x1b[K" << m << std::flush; };
    } else {
        w.line = [](const std::string& m) { std::cout << m << '\n' << std::flush; };
    }
    for (const auto& sp : plans) {
        for (const auto& item : sp.plan.items) {
            if (item.resource.kind != "Deployment" || item.resource.group != "apps") {
                continue;
            }
            try {
                kube::wait_for_rollout(client, item.ns, item.name, w);
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
    }
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
    if (o.wait && o.no_wait) {
        throw input_error(SourcePos{ {}, 0, 0, "--no-wait" }, "--wait and --no-wait contradict each other");
    }
    auto timeout = util::parse_duration(o.timeout);
    if (!timeout) {
        throw input_error(SourcePos{ {}, 0, 0, "--timeout" },
                          fmt::format("invalid duration \"{}\" (e.g. 90s, 5m, 0 for no limit)", o.timeout));
    }
    // Waiting is the default where someone watches: a terminal (documented in --help and the man page).
    bool wait = o.wait || (!o.no_wait && ::isatty(STDOUT_FILENO) == 1);
    auto in = load_input(o.input, g);
    if (o.dry_run == "client") {
        std::string ns = offline_namespace(g);
        std::vector<ServicePlan> plans;
        for (const auto& s : in.loaded.services) {
            plans.push_back(plan_service(s, in.config, ns, !g.namespace_.empty(), nullptr));
        }
        return print_client_plan(plans, o);
    }

    Cluster cluster = connect(g);
    const kube::RestConfig& rc = cluster.client->config();
    kube::resolve_secret_keys(in.loaded.services, *cluster.client, rc.namespace_);
    // Every service is planned (and every API checked) before the first write.
    std::vector<ServicePlan> plans;
    for (const auto& s : in.loaded.services) {
        plans.push_back(plan_service(s, in.config, rc.namespace_, rc.namespace_explicit, cluster.discovery.get()));
    }
    kube::ApplyOptions opts;
    opts.server_dry_run = o.dry_run == "server";
    opts.force_conflicts = o.force_conflicts;
    opts.prune = !o.no_prune;
    std::vector<Json> applied;
    if (o.output.empty()) {
        opts.report = [](const std::string& line) { std::cout << line << '\n' << std::flush; };
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
    if (wait && o.dry_run == "none") {
        wait_for_plans(*cluster.client, plans, *timeout);
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
    sub->add_flag("--wait",
                  opt->wait,
                  "Wait for the rollout (kubectl rollout status semantics) and fail fast with the reason when it "
                  "cannot finish; the default when stdout is a terminal");
    sub->add_flag("--no-wait", opt->no_wait, "Do not wait, even on a terminal");
    sub->add_option("--timeout", opt->timeout, "How long --wait waits, e.g. 90s, 10m; 0: no limit (default 5m)")
      ->type_name("DURATION");
    sub->callback([opt, &ctx] { ctx.exit_code = run_apply(*opt, ctx.global); });
}

} // namespace kms::cli
