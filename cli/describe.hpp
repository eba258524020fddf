#pragma once

#include <util/command_tree.hpp>

#include <CLI/CLI.hpp>

namespace kms::cli {

// The live CLI11 tree as plain data (completion and man pages walk this, never a list of verbs).
// A value set shows in a flag's type name, either from a CLI::IsMember check ("TEXT:{a,b}") or
// written as ->type_name("yaml|json|dir=PATH"); either way completion offers it.
util::CommandInfo describe_app(const CLI::App& app);

} // namespace kms::cli
