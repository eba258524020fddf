#include "describe.hpp"

#include <util/strings.hpp>

namespace kms::cli {

namespace {

// Splits CLI11's full type name ("TEXT:{bash,zsh}", "yaml|json|dir=PATH", "TEXT:FILE") into the
// name shown for the value and the set of values, when there is one.
void read_type_name(const std::string& full, std::string& value_name, std::vector<std::string>& choices)
{
    auto parts = util::split(full, ':');
    value_name = parts.empty() ? std::string() : parts.front();
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::string& p = parts[i];
        if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
            for (const auto& c : util::split(p.substr(1, p.size() - 2), ',')) {
                choices.emplace_back(util::trim(c));
            }
        } else if (!p.empty()) {
            value_name = p; // FILE, DIR, PATH from CLI11's path checks
        }
    }
    if (choices.empty() && value_name.find('|') != std::string::npos) {
        for (const auto& c : util::split(value_name, '|')) {
            // "dir=PATH" offers "dir=": the rest is the user's to type.
            auto eq = c.find('=');
            choices.push_back(eq == std::string::npos ? c : c.substr(0, eq + 1));
        }
    }
}

void add_options(const CLI::App& app, util::CommandInfo& info)
{
    for (const CLI::Option* opt : app.get_options()) {
        if (opt->get_group().empty()) {
            continue; // hidden
        }
        bool repeatable = opt->get_expected_max() > 1 || opt->get_items_expected_max() > 1;
        if (opt->nonpositional()) {
            util::FlagInfo f;
            f.short_names = opt->get_snames();
            f.long_names = opt->get_lnames();
            if (opt->get_type_size() != 0) {
                read_type_name(opt->get_type_name(), f.value_name, f.choices);
            }
            f.description = opt->get_description();
            f.group = opt->get_group();
            f.repeatable = repeatable;
            f.required = opt->get_required();
            f.default_value = opt->get_default_str();
            info.flags.push_back(std::move(f));
        }
        if (opt->get_positional()) {
            util::ArgInfo a;
            a.name = opt->get_name(true, false);
            std::string ignored;
            read_type_name(opt->get_type_name(), ignored, a.choices);
            a.description = opt->get_description();
            a.required = opt->get_required();
            a.repeatable = repeatable;
            info.args.push_back(std::move(a));
        }
    }
}

} // namespace

util::CommandInfo describe_app(const CLI::App& app)
{
    util::CommandInfo info;
    info.name = app.get_name();
    info.description = app.get_description();
    info.footer = app.get_footer();
    info.hidden = app.get_group().empty();
    info.inherits_flags = app.get_fallthrough();
    add_options(app, info);
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_name().empty()) {
            add_options(*sub, info); // an option group: its flags are the command's
            continue;
        }
        info.subcommands.push_back(describe_app(*sub));
    }
    return info;
}

} // namespace kms::cli
