#include "describe.hpp"
#include "verbs.hpp"

#include <util/fs.hpp>
#include <util/manpage.hpp>
#include <util/templates.hpp>

#include <iostream>

namespace kms::cli {

namespace {

// Hand-written prose for a page lives in templates/man/<page>.txt (optional for a verb).
std::optional<std::string> man_prose(const std::string& page)
{
    std::string path = "man/" + page + ".txt";
    for (const auto& e : templates::all()) {
        if (e.path == path) {
            return std::string(e.content);
        }
    }
    return std::nullopt;
}

util::ManSettings man_settings()
{
    util::ManSettings s;
    s.program = "kubectl-microservice";
    s.invocation = "kubectl microservice";
    s.source = "kubectl-microservice";
    s.manual = "kubectl-microservice manual";
    s.prose = man_prose;
    s.default_exit_status = "* 0\n"
                            "Success.\n"
                            "* 1\n"
                            "A runtime failure: the cluster, the network, a rollout or a token request.\n"
                            "* 2\n"
                            "A usage error or invalid input (bad flags, an invalid service file); nothing was "
                            "changed.";
    s.see_also = {"kubectl-microservice-service.yaml(5)", "kubectl(1)"};
    return s;
}

// Every page: one per visible command (section 1) and the service file format (section 5).
std::vector<util::ManPage> all_pages(const CLI::App& app)
{
    util::ManSettings s = man_settings();
    auto pages = util::man_pages(describe_app(app), s);
    pages.push_back(util::prose_page("kubectl-microservice-service.yaml", 5,
                                     "the service file of kubectl-microservice",
                                     templates::get("man/kubectl-microservice-service.yaml.txt"), s));
    return pages;
}

} // namespace

void setup_man(CLI::App& app, Context& ctx)
{
    auto dir = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("__man", "Write the man pages, generated from the command tree, into DIR");
    sub->group(""); // hidden: a build and release step
    sub->add_option("DIR", *dir, "Directory to write the pages into")->required();
    sub->callback([dir, &app, &ctx] {
        auto& fs = util::real_fs();
        if (!fs.is_directory(*dir)) {
            throw Error(fmt::format("__man: {} is not a directory", *dir), ExitCode::usage);
        }
        auto pages = all_pages(app);
        for (const auto& p : pages) {
            fs.write_atomic(*dir + "/" + p.file_name, p.text, 0644);
        }
        std::cerr << "wrote " << pages.size() << " man pages to " << *dir << '\n';
        ctx.exit_code = 0;
    });
}

} // namespace kms::cli
