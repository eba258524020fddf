#include "completion_values.hpp"
#include "describe.hpp"
#include "verbs.hpp"

#include <util/completion.hpp>
#include <util/templates.hpp>

#include <iostream>

namespace kms::cli {

void setup_completion(CLI::App& app, Context& ctx)
{
    auto shell = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("completion", "Print the shell completion script for bash, zsh or fish");
    sub->add_option("SHELL", *shell, "The shell")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
    sub->footer("bash:  source <(kubectl-microservice completion bash)\n"
                "zsh:   kubectl-microservice completion zsh > \"${fpath[1]}/_kubectl-microservice\"\n"
                "fish:  kubectl-microservice completion fish | source\n"
                "kubectl microservice <TAB> needs kubectl_complete-microservice on PATH (installed with the "
                "binary).");
    sub->callback([shell, &ctx] {
        std::cout << templates::get("completions/kubectl-microservice." + *shell);
        ctx.exit_code = 0;
    });
}

std::optional<int> run_completion_protocol(const CLI::App& app, int argc, const char* const* argv)
{
    if (argc < 2) {
        return std::nullopt;
    }
    std::string_view verb = argv[1];
    if (verb != "__complete" && verb != "__completeNoDesc") {
        return std::nullopt;
    }
    std::vector<std::string> words(argv + 2, argv + argc);
    try {
        CliValueSource source(util::real_env(), util::real_fs());
        util::Completion c = util::complete(describe_app(app), words, source);
        std::cout << util::format_completion(c, verb == "__complete");
    } catch (const std::exception& e) {
        // The shell shows nothing rather than a half answer.
        std::cerr << "completion: " << e.what() << '\n';
        std::cout << ":" << util::directive_error << '\n';
    }
    return 0;
}

} // namespace kms::cli
