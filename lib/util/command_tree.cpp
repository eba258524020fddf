#include <util/command_tree.hpp>

namespace kms::util {

bool FlagInfo::has_name(std::string_view name) const
{
    if (name.size() > 2 && name.substr(0, 2) == "--") {
        for (const auto& l : long_names) {
            if (name.substr(2) == l) {
                return true;
            }
        }
        return false;
    }
    if (name.size() > 1 && name[0] == '-') {
        for (const auto& s : short_names) {
            if (name.substr(1) == s) {
                return true;
            }
        }
    }
    return false;
}

std::string FlagInfo::display_names() const
{
    std::string out;
    for (const auto& s : short_names) {
        out += (out.empty() ? "-" : ", -") + s;
    }
    for (const auto& l : long_names) {
        out += (out.empty() ? "--" : ", --") + l;
    }
    return out;
}

std::string FlagInfo::key() const
{
    if (!long_names.empty()) {
        return long_names.front();
    }
    return short_names.empty() ? std::string() : short_names.front();
}

const CommandInfo* CommandInfo::find_subcommand(std::string_view sub) const
{
    for (const auto& c : subcommands) {
        if (c.name == sub) {
            return &c;
        }
    }
    return nullptr;
}

} // namespace kms::util
