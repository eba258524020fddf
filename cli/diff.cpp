#include "kube_flags.hpp"
#include "verbs.hpp"

#include <iostream>
#include <kube/actions_record.hpp>
#include <kube/applyset.hpp>
#include <kube/diff.hpp>
#include <kube/secrets.hpp>
#include <render/render.hpp>

namespace kms::cli {

namespace {

struct DiffOptions
{
    ServiceInput input;
    bool prune = false; // --prune: the default, spelled out
    bool no_prune = false;
    bool force_conflicts = false;
};

// Exit status like kubectl diff: 0 no changes, 1 changes, 2 (>1) an error.
constexpr int k_exit_changes = 1;
constexpr int k_exit_error = 2;

int diff_services(const DiffOptions& o, const GlobalOptions& g)
{
    if (o.prune && o.no_prune) {
        throw input_error(SourcePos{ {}, 0, 0, "--no-prune" }, "--prune and --no-prune contradict each other");
    }
    auto in = load_input(o.input, g);
    Cluster cluster = connect(g);
    const kube::RestConfig& rc = cluster.client->config();
    kube::resolve_secret_keys(in.loaded.services, *cluster.client, rc.namespace_);
    struct One
    {
        kube::Plan plan;
        kube::ApplySetParent set;
    };
    std::vector<One> all;
    for (const auto& s : in.loaded.services) {
        auto rendered = render::render(s, in.config);
        for (const auto& w : rendered.warnings) {
            std::cerr << w << '\n';
        }
        actions::record_on(rendered.objects, s); // as apply records it, so it is no difference
        std::string ns = s.namespace_.value_or(rc.namespace_);
        all.push_back({ kube::make_plan(rendered.objects, ns, rc.namespace_explicit, cluster.discovery.get()),
                        kube::ApplySetParent::for_service(s.name, ns, render::labels(s)) });
    }
    std::string out;
    for (auto& one : all) {
        out += kube::diff_plan(*cluster.client, *cluster.discovery, one.plan, one.set, !o.no_prune, o.force_conflicts);
    }
    std::cout << out;
    return out.empty() ? 0 : k_exit_changes;
}

int run_diff(const DiffOptions& o, const GlobalOptions& g)
{
    try {
        return diff_services(o, g);
    } catch (const Error& e) {
        // 1 means "changes" here, so every error exits 2.
        std::string msg = e.what();
        std::cerr << (e.code() == ExitCode::usage ? msg : "error: " + msg) << '\n';
        return k_exit_error;
    }
}

} // namespace

void setup_diff(CLI::App& app, Context& ctx)
{
    auto [sub, opt] =
      add_verb(app,
               ctx,
               "diff",
               "Show what apply would change (server-side dry run vs live); exit 0: no changes, 1: changes, 2: error",
               run_diff);
    add_service_flags(*sub, opt->input);
    sub->add_flag("--prune", opt->prune, "Show objects apply would prune as removed (the default)");
    sub->add_flag("--no-prune", opt->no_prune, "Leave out what apply would prune");
    sub->add_flag("--force-conflicts", opt->force_conflicts, "Diff as apply --force-conflicts would apply");
}

} // namespace kms::cli
