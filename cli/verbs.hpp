#pragma once

#include "common.hpp"

#include <util/error.hpp>

// One setup function per verb (cli/<verb>.cpp); each adds its subcommand to `app`.
namespace kms::cli {

void setup_render(CLI::App& app, Context& ctx);
void setup_validate(CLI::App& app, Context& ctx);
void setup_version(CLI::App& app, Context& ctx);

} // namespace kms::cli
