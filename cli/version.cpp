#include "verbs.hpp"

#include <util/json.hpp>

#include <iostream>

namespace kms::cli {

void setup_version(CLI::App& app, Context& ctx)
{
    auto output = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("version", "Print the version");
    sub->add_option("-o,--output", *output, "json or yaml for a machine-readable form")->type_name("json|yaml");
    sub->callback([output, &ctx] {
        if (*output == "json") {
            std::cout << Json{{"version", KMS_VERSION}}.dump() << '\n';
        } else if (*output == "yaml") {
            std::cout << "version: " << KMS_VERSION << '\n';
        } else if (output->empty()) {
            std::cout << "kubectl-microservice version " << KMS_VERSION << '\n';
        } else {
            throw Error(fmt::format("flag --output: unknown format \"{}\": use json or yaml", *output), ExitCode::usage);
        }
        ctx.exit_code = 0;
    });
}

} // namespace kms::cli
