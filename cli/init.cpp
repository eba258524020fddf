#include "verbs.hpp"

#include <git/git.hpp>
#include <git/source.hpp>
#include <spec/scaffold.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <filesystem>
#include <iostream>

namespace kms::cli {

namespace {

struct InitOptions
{
    std::string name;
    bool from_git = false;
    std::string kind = "shell";
    bool force = false;
    std::string dir = ".";
};

std::string absolute(const std::string& dir)
{
    std::error_code ec;
    auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(dir, ec), ec);
    return ec ? dir : p.string();
}

// The repository, branch and HEAD of the checkout holding `dir` (which may not exist yet),
// through the git module.
spec::ScaffoldGit checkout_facts(const std::string& dir)
{
    std::filesystem::path existing = absolute(dir);
    std::error_code ec;
    while (!std::filesystem::is_directory(existing, ec) && existing.has_relative_path()) {
        existing = existing.parent_path();
    }
    auto git = git::open(git::Options{});
    auto co = git->local_checkout(existing.string());
    if (!co) {
        throw Error(fmt::format("--from-git: {} is not inside a git checkout", dir), ExitCode::usage);
    }
    if (!co->origin) {
        throw Error(fmt::format("--from-git: the checkout {} has no remote \"origin\" to clone from", co->root),
                    ExitCode::usage);
    }
    if (!co->branch) {
        throw Error(fmt::format("--from-git: HEAD of {} is detached: check out the branch the service should follow",
                                co->root),
                    ExitCode::usage);
    }
    if (co->commit.empty()) {
        throw Error(fmt::format("--from-git: the checkout {} has no commits yet", co->root), ExitCode::usage);
    }
    git::check_url(*co->origin, "the origin of " + co->root);
    if (git::is_local_url(*co->origin)) {
        std::cerr << "warning: the origin of " << co->root << " is a local path (" << *co->origin
                  << "): a cluster cannot clone it\n";
    }
    return {*co->origin, *co->branch, co->commit};
}

int run_init(const InitOptions& o)
{
    auto kind = spec::parse_scaffold_kind(o.kind);
    if (!kind) {
        throw Error(fmt::format("flag --template: unknown template \"{}\": use shell, pipeline or command", o.kind),
                    ExitCode::usage);
    }
    spec::ScaffoldInput in;
    in.kind = *kind;
    if (o.from_git) {
        in.git = checkout_facts(o.dir);
    }
    std::string base = in.git ? util::base_name(in.git->repo) : util::base_name(absolute(o.dir));
    if (util::ends_with(base, ".git")) {
        base.resize(base.size() - 4);
    }
    in.name = o.name.empty() ? util::to_dns1123_label(base) : o.name;
    if (!util::is_dns1123_label(in.name)) {
        throw Error(in.name.empty() ? std::string("cannot make a service name from the directory name: use --name")
                                    : fmt::format("flag --name: \"{}\" is not a valid name: use at most 63 lower-case "
                                                  "letters, digits and '-', starting and ending with a letter or digit",
                                                  in.name),
                    ExitCode::usage);
    }
    auto files = spec::scaffold(in);
    auto& fs = util::real_fs();
    // Check every file first: a refusal writes nothing.
    for (const auto& f : files) {
        std::string path = o.dir + "/" + f.path;
        if (!o.force && (fs.read(path) || fs.is_directory(path))) {
            throw Error(fmt::format("{} already exists: use --force to overwrite it", path));
        }
    }
    std::error_code ec;
    std::filesystem::create_directories(o.dir, ec);
    if (ec) {
        throw Error(fmt::format("cannot create {}: {}", o.dir, ec.message()));
    }
    for (const auto& f : files) {
        std::string path = o.dir + "/" + f.path;
        fs.write_atomic(path, f.content, f.mode);
        std::cout << "wrote " << path << '\n';
    }
    return 0;
}

} // namespace

void setup_init(CLI::App& app, Context& ctx)
{
    auto opt = std::make_shared<InitOptions>();
    auto* sub = app.add_subcommand("init", "Write a commented service.yaml and the script it runs, to start from");
    sub->add_option("--name", opt->name, "Service name (default: from the repository or directory name)");
    sub->add_flag("--from-git", opt->from_git, "Fill git: (origin, branch) from the checkout holding DIR");
    sub->add_option("--template", opt->kind, "What the service runs: a start.sh, a pipeline.yaml, or a command")
        ->type_name("shell|pipeline|command")
        ->capture_default_str();
    sub->add_flag("--force", opt->force, "Overwrite files that exist");
    sub->add_option("DIR", opt->dir, "Directory to write into (created if missing)")->capture_default_str();
    sub->callback([opt, &ctx] { ctx.exit_code = run_init(*opt); });
}

} // namespace kms::cli
