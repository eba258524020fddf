#include "kube_flags.hpp"
#include "verbs.hpp"

#include <iostream>
#include <kube/actions_status.hpp>
#include <oidc/cluster_target.hpp>

namespace kms::cli {

namespace {

struct StatusOptions
{
    std::string name;
    std::string output;
};

// Where the service answers from outside: its route (as `call NAME` finds it) and a LoadBalancer's
// address.
std::vector<std::string> external_urls(kube::Client& c, const actions::Target& t, const actions::Observed& o)
{
    std::vector<std::string> urls;
    oidc::ClusterResolver resolver(c, t.namespace_);
    if (auto route = resolver.find(t.name)) {
        urls.push_back(route->base_url);
    }
    if (o.service) {
        for (auto& u : actions::load_balancer_urls(*o.service)) {
            urls.push_back(std::move(u));
        }
    }
    return urls;
}

int run_status(const StatusOptions& o, const GlobalOptions& g)
{
    check_output_format(o.output, { "yaml", "json" });
    Cluster cluster = connect(g);
    kube::Client& c = *cluster.client;
    auto t = actions::find_service(c, c.config().namespace_, o.name, "show the status of", actions::Need::deployment);
    actions::Observed observed = actions::observe(c, t);
    Json doc = actions::status_document(observed, external_urls(c, t, observed));
    if (o.output.empty()) {
        std::cout << actions::status_text(doc, std::chrono::system_clock::now(), util::Palette::for_stdout());
    } else {
        std::cout << structured_output(doc, o.output);
    }
    return 0;
}

} // namespace

void setup_status(CLI::App& app, Context& ctx)
{
    auto opt = std::make_shared<StatusOptions>();
    auto* sub = app.add_subcommand("status", "Show a service's health, replicas, revision and URLs");
    sub->add_option("NAME", opt->name, "The service")->required();
    sub
      ->add_option("-o,--output",
                   opt->output,
                   "yaml or json: the status as a document (health, reason, replicas, autoscaling, image, commit, "
                   "revision, service); default: aligned lines")
      ->type_name("yaml|json");
    sub->callback([opt, &ctx] { ctx.exit_code = run_status(*opt, ctx.global); });
}

} // namespace kms::cli
