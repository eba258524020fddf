#pragma once

#include <string>
#include <string_view>
#include <vector>

// A command-line interface described as plain data, for completion and man pages. cli/ builds it
// from the live CLI11 tree at run time, so new verbs and flags show up with no list to maintain.
namespace kms::util {

struct FlagInfo
{
    std::vector<std::string> short_names; // without the dash: "f"
    std::vector<std::string> long_names;  // without the dashes: "filename"
    std::string value_name;               // "" for a boolean flag; "TEXT", "INT", "yaml|json", …
    std::string description;
    std::string group;
    bool repeatable = false;
    bool required = false;
    std::string default_value;
    // The values the flag takes, when they are a known set ("dir=" ends in '=': a value follows).
    std::vector<std::string> choices;

    bool takes_value() const { return !value_name.empty(); }
    bool has_name(std::string_view name) const; // "-f", "--filename"
    // "-f, --filename" as help and man pages show it.
    std::string display_names() const;
    // The long name if there is one, else the short one, without dashes.
    std::string key() const;
};

struct ArgInfo
{
    std::string name; // "NAME", "DIR"
    std::string description;
    bool required = false;
    bool repeatable = false;
    std::vector<std::string> choices;
};

struct CommandInfo
{
    std::string name;
    std::string description;
    std::string footer;
    bool hidden = false;
    // Whether the parent's flags are accepted after this command's name (CLI11 "fallthrough").
    bool inherits_flags = false;
    std::vector<FlagInfo> flags; // this command's own
    std::vector<ArgInfo> args;   // positionals, in order
    std::vector<CommandInfo> subcommands;

    const CommandInfo* find_subcommand(std::string_view name) const;
};

} // namespace kms::util
