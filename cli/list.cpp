#include "kube_flags.hpp"
#include "verbs.hpp"

#include <iostream>
#include <kube/actions_format.hpp>
#include <kube/actions_status.hpp>

namespace kms::cli {

namespace {

struct ListOptions
{
    bool all_namespaces = false;
    std::string output;
    bool no_headers = false;
};

const std::vector<std::string> k_formats = { "wide", "yaml", "json" };

int run_list(const ListOptions& o, const GlobalOptions& g)
{
    check_output_format(o.output, k_formats);
    Cluster cluster = connect(g);
    kube::Client& c = *cluster.client;
    std::string ns = o.all_namespaces ? std::string() : c.config().namespace_;
    std::vector<Json> docs;
    for (const auto& observed : actions::observe_all(c, ns)) {
        std::vector<std::string> external;
        if (observed.service) {
            external = actions::load_balancer_urls(*observed.service);
        }
        docs.push_back(actions::status_document(observed, external));
    }
    if (o.output == "yaml" || o.output == "json") {
        std::cout << structured_output(Json{ { "items", docs } }, o.output);
        return 0;
    }
    if (docs.empty()) {
        // As kubectl get: the table stays empty, the note goes to stderr.
        std::cerr << (ns.empty() ? std::string("No services found.")
                                 : fmt::format("No services found in {} namespace.", ns))
                  << '\n';
        return 0;
    }
    bool wide = o.output == "wide";
    auto now = std::chrono::system_clock::now();
    util::Palette palette = util::Palette::for_stdout();
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : docs) {
        rows.push_back(actions::list_row(d, o.all_namespaces, wide, now, palette));
    }
    std::vector<std::string> headers;
    if (!o.no_headers) {
        headers = actions::list_headers(o.all_namespaces, wide);
    }
    std::cout << actions::format_table(headers, rows);
    return 0;
}

} // namespace

void setup_list(CLI::App& app, Context& ctx)
{
    auto [sub, opt] =
      add_verb(app, ctx, "list", "List the services kubectl-microservice manages, with health and URL", run_list);
    sub->add_flag("-A,--all-namespaces", opt->all_namespaces, "List the services of every namespace");
    add_output_flag(*sub,
                    opt->output,
                    k_formats,
                    "wide: more columns (image, revision, commit, reason); yaml or json: the status documents under "
                    "items");
    sub->add_flag("--no-headers", opt->no_headers, "Print the table without its header line");
}

} // namespace kms::cli
