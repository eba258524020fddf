#include "verbs.hpp"

#include <util/strings.hpp>

#include <fmt/format.h>

namespace kms::cli {

namespace {

// "(did you mean X?)" or "".
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates)
{
    auto best = util::closest_match(word, candidates);
    return best ? fmt::format("(did you mean {}?)", *best) : std::string();
}

// The verb CLI11 selected, or null.
const CLI::App* selected_verb(const CLI::App& app)
{
    auto chosen = app.get_subcommands();
    return chosen.empty() ? nullptr : chosen.front();
}

// Every spelling of the flags `verb` takes (its own and the global ones), with dashes.
std::vector<std::string> flag_names(const CLI::App& app, const CLI::App* verb)
{
    std::vector<std::string> names;
    for (const CLI::App* a : {&app, verb}) {
        if (!a) {
            continue;
        }
        for (const CLI::Option* o : a->get_options()) {
            for (const auto& l : o->get_lnames()) {
                names.push_back("--" + l);
            }
            for (const auto& s : o->get_snames()) {
                names.push_back("-" + s);
            }
        }
    }
    return names;
}

} // namespace

std::optional<std::string> unknown_verb_message(const CLI::App& app, int argc, const char* const* argv)
{
    if (argc < 2 || argv[1][0] == '-' || argv[1][0] == '\0') {
        return std::nullopt;
    }
    std::string_view word = argv[1];
    std::vector<std::string> verbs;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_name() == word) {
            return std::nullopt;
        }
        if (!sub->get_group().empty()) { // hidden verbs (empty group) are never suggested
            verbs.push_back(sub->get_name());
        }
    }
    auto best = util::closest_match(word, verbs);
    return best ? fmt::format("unknown verb \"{}\" (did you mean \"{}\"?)", word, *best)
                : fmt::format("unknown verb \"{}\" (see --help for the verbs)", word);
}

std::string usage_error_message(const CLI::App& app, const CLI::ParseError& e)
{
    const CLI::App* verb = selected_verb(app);
    std::string help = verb ? fmt::format("see {} --help", verb->get_name()) : std::string("see --help");
    if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
        // A misspelt flag usually comes with its value as a stray argument: name the flag.
        for (const auto& extra : app.remaining(true)) {
            if (extra.size() < 2 || extra[0] != '-') {
                continue;
            }
            std::string flag = extra.substr(0, extra.find('='));
            std::string where = verb ? " for " + verb->get_name() : std::string();
            std::string hint = suggestion(flag, flag_names(app, verb));
            return fmt::format("unknown flag {}{} {}", flag, where, hint.empty() ? "(" + help + ")" : hint);
        }
    }
    return fmt::format("{} ({})", e.what(), help);
}

} // namespace kms::cli
