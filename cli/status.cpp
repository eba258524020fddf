#include "kube_flags.hpp"
#include "verbs.hpp"

#include <iostream>
#include <kube/actions_status.hpp>
#include <kube/wait.hpp>
#include <oidc/cluster_target.hpp>
#include <util/parallel.hpp>

namespace kms::cli {

namespace {

struct StatusOptions
{
    std::string name;
    std::string output;
};

constexpr int k_log_lines = 10; // as apply --wait shows
const std::vector<std::string> k_formats = { "yaml", "json" };

// What status shows of `t`: its objects and, read at the same time, where it answers from outside
// (its route, as `call NAME` finds it, and a LoadBalancer's address).
Json status_of(kube::Client& c, const actions::Target& t)
{
    actions::Observed observed;
    std::optional<oidc::ServiceTarget> route;
    util::parallel_for(2, [&](std::size_t i) {
        if (i == 0) {
            observed = actions::observe(c, t);
        } else {
            route = oidc::ClusterResolver(c, t.namespace_).find(t.name);
        }
    });
    std::vector<std::string> urls;
    if (route) {
        urls.push_back(route->base_url);
    }
    if (observed.service) {
        for (auto& u : actions::load_balancer_urls(*observed.service)) {
            urls.push_back(std::move(u));
        }
    }
    Json doc = actions::status_document(observed, urls);
    // A crash loop's reason is in its log: the last lines of the previous run, as apply --wait shows.
    auto why = actions::assess(observed).diagnosis;
    if (why && why->want_logs) {
        auto lines = kube::previous_log_lines(c, t.namespace_, why->pod, why->container, k_log_lines);
        if (!lines.empty()) {
            doc["lastLog"] = { { "pod", why->pod }, { "container", why->container }, { "lines", lines } };
        }
    }
    return doc;
}

int run_status(const StatusOptions& o, const GlobalOptions& g)
{
    check_output_format(o.output, k_formats);
    Cluster cluster = connect(g);
    kube::Client& c = *cluster.client;
    auto t = actions::find_service(c, c.config().namespace_, o.name, "show the status of", actions::Need::deployment);
    Json doc = status_of(c, t);
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
    auto [sub, opt] =
      add_service_verb(app, ctx, "status", "Show a service's health, replicas, revision and URLs", run_status);
    add_output_flag(*sub,
                    opt->output,
                    k_formats,
                    "yaml or json: the status as a document (health, reason, replicas, autoscaling, image, commit, "
                    "revision, service); default: aligned lines");
}

} // namespace kms::cli
