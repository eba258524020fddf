#include "kube_flags.hpp"
#include "verbs.hpp"

#include <iostream>
#include <kube/actions_format.hpp>
#include <kube/actions_history.hpp>
#include <kube/actions_record.hpp>
#include <render/yaml_emit.hpp>

namespace kms::cli {

namespace {

struct HistoryOptions
{
    std::string name;
    long revision = 0;
    std::string output;
    bool no_headers = false;
};

const std::vector<std::string> k_formats = { "yaml", "json" };

// One revision for -o json|yaml and --revision: with the service description rollback re-applies.
Json revision_document(const actions::Revision& r)
{
    Json doc = { { "revision", r.number }, { "current", r.current },   { "created", r.created },
                 { "image", r.image },     { "replicas", r.replicas }, { "ready", r.ready } };
    if (!r.commit.empty()) {
        doc["commit"] = r.commit;
    }
    if (auto text = actions::recorded_text(r.replicaset)) {
        Json record = Json::parse(*text, nullptr, false);
        if (record.is_object() && record.contains("service")) {
            doc["service"] = record["service"];
        }
    }
    return doc;
}

int run_history(const HistoryOptions& o, const GlobalOptions& g)
{
    check_output_format(o.output, k_formats);
    Cluster cluster = connect(g);
    kube::Client& c = *cluster.client;
    auto t = actions::find_service(c, c.config().namespace_, o.name, "show the history of", actions::Need::deployment);
    auto revs = actions::load_revisions(c, t);
    if (o.revision > 0) {
        const auto& r = actions::pick_revision(revs, o.revision, t.name);
        std::cout << structured_output(revision_document(r), o.output.empty() ? "yaml" : o.output);
        return 0;
    }
    if (!o.output.empty()) {
        Json list = Json::array();
        for (const auto& r : revs) {
            list.push_back(revision_document(r));
        }
        std::cout << structured_output(Json{ { "name", t.name }, { "namespace", t.namespace_ }, { "revisions", list } },
                                       o.output);
        return 0;
    }
    auto now = std::chrono::system_clock::now();
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : revs) {
        rows.push_back({ std::to_string(r.number),
                         r.image,
                         r.commit.empty() ? "<none>" : r.commit.substr(0, 12),
                         fmt::format("{}/{}", r.ready, r.replicas),
                         actions::age_since(r.created, now),
                         r.current ? "*" : "" });
    }
    std::vector<std::string> headers;
    if (!o.no_headers) {
        headers = { "REVISION", "IMAGE", "COMMIT", "READY", "AGE", "CURRENT" };
    }
    std::cout << actions::format_table(headers, rows);
    return 0;
}

} // namespace

void setup_history(CLI::App& app, Context& ctx)
{
    auto [sub, opt] = add_service_verb(
      app, ctx, "history", "List a service's revisions (kubectl rollout history), oldest first", run_history);
    sub
      ->add_option("--revision",
                   opt->revision,
                   "Show one revision in full, with the service description rollback re-applies (yaml unless -o "
                   "json)")
      ->type_name("N");
    add_output_flag(*sub, opt->output, k_formats, "yaml or json: the revisions with their recorded descriptions");
    sub->add_flag("--no-headers", opt->no_headers, "Print the table without its header line");
}

} // namespace kms::cli
