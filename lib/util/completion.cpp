#include <util/completion.hpp>
#include <util/strings.hpp>

#include <set>

namespace kms::util {

namespace {

// Where the words before the one being completed have left us.
struct Walk
{
    std::vector<const CommandInfo*> chain; // root first
    std::vector<std::string> path;         // the verbs typed
    std::size_t positionals = 0;           // positional words given to the innermost command
    bool after_dashdash = false;
    const FlagInfo* pending = nullptr; // a flag still waiting for its value
    std::map<std::string, std::string> flags_seen;
    std::set<const FlagInfo*> used;
};

// The flags accepted at the innermost command: its own, then the inherited ones that it does
// not shadow (every verb has its own --help).
std::vector<const FlagInfo*> visible_flags(const Walk& w)
{
    std::vector<const FlagInfo*> out;
    std::set<std::string> names;
    for (std::size_t i = w.chain.size(); i-- > 0;) {
        for (const auto& f : w.chain[i]->flags) {
            bool shadowed = false;
            for (const auto& n : f.long_names) {
                shadowed = shadowed || !names.insert("--" + n).second;
            }
            for (const auto& n : f.short_names) {
                shadowed = shadowed || !names.insert("-" + n).second;
            }
            if (!shadowed) {
                out.push_back(&f);
            }
        }
        if (!w.chain[i]->inherits_flags) {
            break;
        }
    }
    return out;
}

const FlagInfo* find_flag(const Walk& w, std::string_view name)
{
    for (const auto* f : visible_flags(w)) {
        if (f->has_name(name)) {
            return f;
        }
    }
    return nullptr;
}

// A flag word split into its name and an attached value ("--o=x", "-ox").
struct FlagWord
{
    std::string name;
    std::optional<std::string> value;
};

FlagWord split_flag_word(const std::string& word, const Walk& w)
{
    if (starts_with(word, "--")) {
        auto eq = word.find('=');
        if (eq == std::string::npos) {
            return {word, std::nullopt};
        }
        return {word.substr(0, eq), word.substr(eq + 1)};
    }
    if (word.size() > 2) {
        std::string name = word.substr(0, 2);
        const FlagInfo* f = find_flag(w, name);
        if (f != nullptr && f->takes_value()) {
            std::string rest = word.substr(2);
            return {name, rest[0] == '=' ? rest.substr(1) : rest};
        }
    }
    return {word, std::nullopt};
}

void note_flag(Walk& w, const FlagInfo* f, const std::string& value)
{
    w.used.insert(f);
    w.flags_seen[f->key()] = value;
}

Walk walk(const CommandInfo& root, const std::vector<std::string>& words)
{
    Walk w;
    w.chain.push_back(&root);
    for (const auto& word : words) {
        if (w.pending != nullptr) {
            note_flag(w, w.pending, word);
            w.pending = nullptr;
            continue;
        }
        if (!w.after_dashdash && word == "--") {
            w.after_dashdash = true;
            continue;
        }
        if (!w.after_dashdash && word.size() > 1 && word[0] == '-') {
            FlagWord fw = split_flag_word(word, w);
            const FlagInfo* f = find_flag(w, fw.name);
            if (f == nullptr) {
                continue; // unknown to us: the program will say so when it runs
            }
            if (f->takes_value() && !fw.value) {
                w.pending = f;
            } else {
                note_flag(w, f, fw.value.value_or("true"));
            }
            continue;
        }
        const CommandInfo* cur = w.chain.back();
        const CommandInfo* sub = w.positionals == 0 && !w.after_dashdash ? cur->find_subcommand(word) : nullptr;
        if (sub != nullptr) {
            w.chain.push_back(sub);
            w.path.push_back(word);
            continue;
        }
        ++w.positionals;
    }
    return w;
}

std::string_view value_part(std::string_view candidate)
{
    auto tab = candidate.find('\t');
    return tab == std::string_view::npos ? candidate : candidate.substr(0, tab);
}

std::string with_description(const std::string& value, const std::string& description)
{
    if (description.empty()) {
        return value;
    }
    // One line, no tabs: the protocol is line- and tab-separated.
    std::string d = description.substr(0, description.find('\n'));
    for (char& c : d) {
        c = c == '\t' ? ' ' : c;
    }
    return value + '\t' + d;
}

void keep_matching(std::vector<std::string>& candidates, std::string_view prefix)
{
    std::erase_if(candidates, [&](const std::string& c) { return !starts_with(value_part(c), prefix); });
}

Completion from_choices(const std::vector<std::string>& choices, std::string_view prefix)
{
    Completion c;
    c.candidates = choices;
    keep_matching(c.candidates, prefix);
    c.directive = directive_no_file_comp;
    for (const auto& v : c.candidates) {
        if (ends_with(v, "=")) {
            c.directive |= directive_no_space;
        }
    }
    return c;
}

Completion complete_value(ValueRequest req, const std::vector<std::string>& choices, ValueSource& source)
{
    if (!choices.empty()) {
        return from_choices(choices, req.prefix);
    }
    auto c = source.values(req);
    if (!c) {
        return {};
    }
    if ((c->directive & (directive_filter_file_ext | directive_filter_dirs)) == 0) {
        keep_matching(c->candidates, req.prefix);
    }
    return *c;
}

Completion complete_flags(const Walk& w, const std::string& prefix)
{
    Completion c;
    c.directive = directive_no_file_comp;
    for (const auto* f : visible_flags(w)) {
        if (w.used.count(f) != 0 && !f->repeatable) {
            continue;
        }
        for (const auto& l : f->long_names) {
            if (starts_with("--" + l, prefix)) {
                c.candidates.push_back(with_description("--" + l, f->description));
            }
        }
        for (const auto& s : f->short_names) {
            if (!starts_with(prefix, "--") && starts_with("-" + s, prefix)) {
                c.candidates.push_back(with_description("-" + s, f->description));
            }
        }
    }
    return c;
}

ValueRequest request(const Walk& w, const std::string& prefix)
{
    ValueRequest r;
    r.command_path = w.path;
    r.prefix = prefix;
    r.flags_seen = w.flags_seen;
    return r;
}

} // namespace

Completion complete(const CommandInfo& root, const std::vector<std::string>& words, ValueSource& source)
{
    std::vector<std::string> before = words;
    std::string cur;
    if (!before.empty()) {
        cur = before.back();
        before.pop_back();
    }
    Walk w = walk(root, before);
    if (w.pending != nullptr) {
        ValueRequest r = request(w, cur);
        r.flag = w.pending;
        return complete_value(r, w.pending->choices, source);
    }
    if (!w.after_dashdash && starts_with(cur, "-")) {
        FlagWord fw = split_flag_word(cur, w);
        const FlagInfo* f = fw.value ? find_flag(w, fw.name) : nullptr;
        if (f == nullptr || !f->takes_value()) {
            return complete_flags(w, cur);
        }
        // "--output=js": complete the value and hand back whole words, as cobra does.
        ValueRequest r = request(w, *fw.value);
        r.flag = f;
        Completion c = complete_value(r, f->choices, source);
        if ((c.directive & (directive_filter_file_ext | directive_filter_dirs)) == 0) {
            std::string head = cur.substr(0, cur.size() - fw.value->size());
            for (auto& cand : c.candidates) {
                cand = head + cand;
            }
        }
        return c;
    }
    const CommandInfo* cmd = w.chain.back();
    if (w.positionals == 0 && !w.after_dashdash && !cmd->subcommands.empty()) {
        Completion c;
        c.directive = directive_no_file_comp;
        for (const auto& sub : cmd->subcommands) {
            if (!sub.hidden && starts_with(sub.name, cur)) {
                c.candidates.push_back(with_description(sub.name, sub.description));
            }
        }
        return c;
    }
    const ArgInfo* arg = nullptr;
    if (w.positionals < cmd->args.size()) {
        arg = &cmd->args[w.positionals];
    } else if (!cmd->args.empty() && cmd->args.back().repeatable) {
        arg = &cmd->args.back();
    }
    if (arg == nullptr) {
        return {{}, directive_no_file_comp};
    }
    ValueRequest r = request(w, cur);
    r.arg = arg;
    return complete_value(r, arg->choices, source);
}

std::string format_completion(const Completion& c, bool with_descriptions)
{
    std::string out;
    for (const auto& cand : c.candidates) {
        out += with_descriptions ? cand : std::string(value_part(cand));
        out += '\n';
    }
    out += ':' + std::to_string(c.directive) + '\n';
    return out;
}

} // namespace kms::util
