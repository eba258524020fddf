#include "verbs.hpp"

#include <util/term.hpp>

#include <iostream>

namespace {

// "error:", in red when standard error is a terminal (and NO_COLOR is not set).
std::string error_prefix()
{
    return kms::util::Palette::for_stderr().paint(kms::util::Colour::red, "error:");
}

// Usage errors come out as one line each, prefixed when they carry no position of their own.
void print_error(const kms::Error& e)
{
    std::string msg = e.what();
    std::cerr << (e.code() == kms::ExitCode::usage ? msg : error_prefix() + " " + msg) << '\n';
}

} // namespace

int main(int argc, char** argv)
{
    kms::cli::Context ctx;
    CLI::App app{"Deploy and call microservices on Kubernetes: render, apply, wait, and reach them with "
                 "OIDC tokens.",
                 "kubectl-microservice"};
    app.set_help_all_flag("--help-all", "Show help for every verb");
    app.require_subcommand(1, 1);
    // kubectl's global flags work after the verb too (kubectl microservice apply -n demo).
    app.fallthrough();
    kms::cli::add_global_flags(app, ctx.global);
    kms::cli::setup_render(app, ctx);
    kms::cli::setup_validate(app, ctx);
    kms::cli::setup_version(app, ctx);
    kms::cli::setup_apply(app, ctx);
    kms::cli::setup_diff(app, ctx);
    kms::cli::setup_token(app, ctx);
    kms::cli::setup_call(app, ctx);
    kms::cli::setup_init(app, ctx);
    kms::cli::setup_schema(app, ctx);
    kms::cli::setup_explain(app, ctx);
    kms::cli::setup_completion(app, ctx);
    kms::cli::setup_man(app, ctx);
    // After every setup_*(): completion walks the whole tree.
    if (auto code = kms::cli::run_completion_protocol(app, argc, argv)) {
        return *code;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << error_prefix() << ' ' << e.what() << " (see --help)\n";
        return static_cast<int>(kms::ExitCode::usage);
    } catch (const kms::Error& e) {
        print_error(e);
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        std::cerr << error_prefix() << " internal: " << e.what() << '\n';
        return static_cast<int>(kms::ExitCode::failure);
    }
    return ctx.exit_code;
}
