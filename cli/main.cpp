#include "verbs.hpp"

#include <util/term.hpp>

#include <iostream>
#include <string_view>

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

struct Verb
{
    std::string_view name;
    void (*setup)(CLI::App&, kms::cli::Context&);
    bool lazy = true; // may be set up alone when it is argv[1]
};

// Every verb, in the order --help lists them.
constexpr Verb k_verbs[] = {
    {"render", kms::cli::setup_render},
    {"validate", kms::cli::setup_validate},
    {"version", kms::cli::setup_version},
    {"apply", kms::cli::setup_apply},
    {"diff", kms::cli::setup_diff},
    {"token", kms::cli::setup_token},
    {"call", kms::cli::setup_call},
    {"status", kms::cli::setup_status},
    {"list", kms::cli::setup_list},
    {"logs", kms::cli::setup_logs},
    {"history", kms::cli::setup_history},
    {"rollback", kms::cli::setup_rollback},
    {"restart", kms::cli::setup_restart},
    {"scale", kms::cli::setup_scale},
    {"clone", kms::cli::setup_clone},
    {"cancel", kms::cli::setup_cancel},
    {"expose", kms::cli::setup_expose},
    {"init", kms::cli::setup_init},
    {"schema", kms::cli::setup_schema},
    {"explain", kms::cli::setup_explain},
    // These two walk the whole tree.
    {"completion", kms::cli::setup_completion, false},
    {"__man", kms::cli::setup_man, false},
};

// Scripts call us in loops: when argv[1] names a verb, only that verb's options are built (a
// fifth of render's start-up). Completion, man pages, --help-all and an argv that starts with a
// global flag get the whole tree, so help, suggestions and parsing are unchanged.
bool needs_setup(std::string_view name, int argc, char** argv)
{
    if (argc < 2) {
        return true;
    }
    std::string_view first = argv[1];
    const Verb* alone = nullptr;
    for (const auto& verb : k_verbs) {
        if (verb.name == first && verb.lazy) {
            alone = &verb;
        }
    }
    for (int i = 2; alone && i < argc; ++i) {
        if (std::string_view(argv[i]) == "--help-all") {
            alone = nullptr;
        }
    }
    return !alone || alone->name == name;
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
    for (const auto& verb : k_verbs) {
        if (needs_setup(verb.name, argc, argv)) {
            verb.setup(app, ctx);
        }
    }
    // After every setup_*(): completion walks the whole tree.
    if (auto code = kms::cli::run_completion_protocol(app, argc, argv)) {
        return *code;
    }
    if (auto unknown = kms::cli::unknown_verb_message(app, argc, argv)) {
        std::cerr << error_prefix() << ' ' << *unknown << '\n';
        return static_cast<int>(kms::ExitCode::usage);
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << error_prefix() << ' ' << kms::cli::usage_error_message(app, e) << '\n';
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
