#pragma once

#include "common.hpp"

#include <util/error.hpp>

#include <optional>

// One setup function per verb (cli/<verb>.cpp); each adds its subcommand to `app`.
namespace kms::cli {

void setup_render(CLI::App& app, Context& ctx);
void setup_validate(CLI::App& app, Context& ctx);
void setup_version(CLI::App& app, Context& ctx);
void setup_apply(CLI::App& app, Context& ctx);
void setup_diff(CLI::App& app, Context& ctx);
void setup_token(CLI::App& app, Context& ctx);
void setup_call(CLI::App& app, Context& ctx);
void setup_init(CLI::App& app, Context& ctx);
void setup_schema(CLI::App& app, Context& ctx);
void setup_explain(CLI::App& app, Context& ctx);
void setup_status(CLI::App& app, Context& ctx);
void setup_list(CLI::App& app, Context& ctx);
void setup_logs(CLI::App& app, Context& ctx);
void setup_history(CLI::App& app, Context& ctx);
void setup_rollback(CLI::App& app, Context& ctx);
void setup_completion(CLI::App& app, Context& ctx);
// Service actions that change a running service (cli/rebuild.hpp).
void setup_restart(CLI::App& app, Context& ctx);
void setup_scale(CLI::App& app, Context& ctx);
void setup_clone(CLI::App& app, Context& ctx);
void setup_cancel(CLI::App& app, Context& ctx);
void setup_expose(CLI::App& app, Context& ctx);
// cobra's hidden `__complete WORDS...` (and `__completeNoDesc`), which kubectl_complete-microservice
// and the shell scripts call: answered before CLI11 parses, since the words are raw ("--" too).
// Returns the exit code when argv asks for it.
std::optional<int> run_completion_protocol(const CLI::App& app, int argc, const char* const* argv);
void setup_man(CLI::App& app, Context& ctx);

// "unknown verb "rendr" (did you mean "render"?)" when argv[1] is a word that names no verb.
std::optional<std::string> unknown_verb_message(const CLI::App& app, int argc, const char* const* argv);
// The one line for a command-line error: an unknown flag is named with the closest real one.
std::string usage_error_message(const CLI::App& app, const CLI::ParseError& e);        // hidden __man DIR

} // namespace kms::cli
