#include <util/manpage.hpp>
#include <util/strings.hpp>

#include <algorithm>
#include <cctype>

namespace kms::util {

namespace {

struct Section
{
    std::string title;
    std::vector<std::string> lines;
};

bool is_heading(std::string_view line)
{
    bool letter = false;
    for (char c : line) {
        if (std::islower(static_cast<unsigned char>(c)) != 0 || (c != ' ' && std::isalpha(static_cast<unsigned char>(c)) == 0)) {
            return false;
        }
        letter = letter || c != ' ';
    }
    return letter && line.front() != ' ';
}

// Sections of hand-written prose; text before any heading belongs to DESCRIPTION.
std::vector<Section> parse_sections(std::string_view markup)
{
    std::vector<Section> out;
    for (const auto& line : split(markup, '\n')) {
        if (is_heading(line)) {
            out.push_back({line, {}});
            continue;
        }
        if (out.empty()) {
            out.push_back({"DESCRIPTION", {}});
        }
        out.back().lines.push_back(line);
    }
    return out;
}

// Escapes text and turns `code` into bold.
std::string inline_markup(std::string_view text)
{
    std::string out;
    auto pieces = split(text, '`');
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        std::string piece = roff_escape(pieces[i]);
        if (i > 0 && piece.rfind("\\&", 0) == 0) {
            piece.erase(0, 2); // only the start of a line needs guarding
        }
        out += i % 2 == 1 ? "\\fB" + piece + "\\fR" : piece;
    }
    return out;
}

// `after_text`: the lines continue a section that already has text, so they open a paragraph.
std::string render_lines(const std::vector<std::string>& lines, bool after_text = false)
{
    std::string out;
    bool need_para = after_text;
    bool literal = false;
    for (const auto& line : lines) {
        if (trim(line).empty()) {
            if (literal) {
                out += ".fi\n.RE\n";
                literal = false;
            }
            need_para = need_para || !out.empty();
            continue;
        }
        if (starts_with(line, "    ")) {
            if (!literal) {
                out += ".PP\n.RS 4\n.nf\n";
                literal = true;
            }
            out += roff_escape(std::string_view(line).substr(4)) + '\n';
            need_para = false;
            continue;
        }
        if (literal) {
            out += ".fi\n.RE\n";
            literal = false;
            need_para = true;
        }
        if (starts_with(line, "* ")) {
            out += ".TP\n" + inline_markup(line.substr(2)) + '\n';
            need_para = false;
            continue;
        }
        if (need_para) {
            out += ".PP\n";
            need_para = false;
        }
        out += inline_markup(trim(line)) + '\n';
    }
    if (literal) {
        out += ".fi\n.RE\n";
    }
    return out;
}

std::string page_name(const ManSettings& s, const std::vector<const CommandInfo*>& chain)
{
    std::string name = s.program;
    for (std::size_t i = 1; i < chain.size(); ++i) {
        name += "-" + chain[i]->name;
    }
    return name;
}

std::string upper(std::string s)
{
    for (char& c : s) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
}

// A one-line description as a sentence of the DESCRIPTION section.
std::string sentence(std::string text)
{
    if (!text.empty() && text.back() != '.' && text.back() != '!' && text.back() != '?') {
        text += '.';
    }
    return text;
}

bool has_own_flags(const CommandInfo& c)
{
    for (const auto& f : c.flags) {
        if (!f.has_name("--help") && !f.has_name("--help-all")) {
            return true;
        }
    }
    return false;
}

std::string synopsis(const ManSettings& s, const std::vector<const CommandInfo*>& chain)
{
    std::string out = ".B " + roff_escape(s.invocation) + '\n';
    for (std::size_t i = 0; i < chain.size(); ++i) {
        const CommandInfo& c = *chain[i];
        if (i > 0) {
            out += ".B " + roff_escape(c.name) + '\n';
        }
        bool last = i + 1 == chain.size();
        // Flags of a level go after its name unless the next level accepts them too.
        if (last ? !c.flags.empty() : has_own_flags(c) && !chain[i + 1]->inherits_flags) {
            out += last ? "[\\fIOPTIONS\\fR]\n" : "[\\fIGLOBAL OPTIONS\\fR]\n";
        }
    }
    const CommandInfo& c = *chain.back();
    bool has_visible_sub = false;
    for (const auto& sub : c.subcommands) {
        has_visible_sub = has_visible_sub || !sub.hidden;
    }
    if (has_visible_sub) {
        out += "\\fICOMMAND\\fR\n";
    }
    for (const auto& a : c.args) {
        std::string name = "\\fI" + roff_escape(a.name) + "\\fR" + (a.repeatable ? "..." : "");
        out += (a.required ? name : "[" + name + "]") + '\n';
    }
    return out;
}

std::string flag_entry(const FlagInfo& f)
{
    std::string head;
    for (const auto& sn : f.short_names) {
        head += (head.empty() ? "" : ", ") + std::string("\\fB\\-") + roff_escape(sn) + "\\fR";
    }
    for (const auto& ln : f.long_names) {
        head += (head.empty() ? "" : ", ") + std::string("\\fB\\-\\-") + roff_escape(ln) + "\\fR";
    }
    if (f.takes_value()) {
        head += "=\\fI" + roff_escape(f.value_name) + "\\fR";
    }
    std::string body = inline_markup(f.description);
    if (!f.choices.empty() && f.value_name.find('|') == std::string::npos) {
        body += " One of: " + roff_escape(join(f.choices, ", ")) + ".";
    }
    if (f.repeatable && f.description.find("repeat") == std::string::npos) {
        body += " May be repeated.";
    }
    if (!f.default_value.empty()) {
        body += " Default: " + roff_escape(f.default_value) + ".";
    }
    return ".TP\n" + head + '\n' + body + '\n';
}

std::string options_section(const std::string& title, const std::vector<const FlagInfo*>& flags)
{
    if (flags.empty()) {
        return {};
    }
    std::vector<std::string> groups;
    for (const auto* f : flags) {
        if (std::find(groups.begin(), groups.end(), f->group) == groups.end()) {
            groups.push_back(f->group);
        }
    }
    std::string out = ".SH " + title + '\n';
    for (const auto& g : groups) {
        if (groups.size() > 1) {
            out += ".SS " + roff_escape(g) + '\n';
        }
        for (const auto* f : flags) {
            if (f->group == g) {
                out += flag_entry(*f);
            }
        }
    }
    return out;
}

std::vector<const FlagInfo*> inherited_flags(const std::vector<const CommandInfo*>& chain)
{
    std::vector<const FlagInfo*> out;
    for (std::size_t i = chain.size() - 1; i > 0 && chain[i]->inherits_flags; --i) {
        for (const auto& f : chain[i - 1]->flags) {
            if (!f.has_name("--help") && !f.has_name("--help-all")) {
                out.push_back(&f);
            }
        }
    }
    return out;
}

std::string ref(const std::string& page, int section)
{
    return ".BR " + roff_escape(page) + " (" + std::to_string(section) + ")";
}

std::string header(const ManSettings& s, const std::string& name, int section)
{
    return ".\\\" Generated by `" + s.program + " __man`: edit the program or its man prose, not this file.\n" +
           ".TH \"" + roff_escape(upper(name)) + "\" \"" + std::to_string(section) + "\" \"\" \"" +
           roff_escape(s.source) + "\" \"" + roff_escape(s.manual) + "\"\n";
}

ManPage make_page(const ManSettings& s, const std::vector<const CommandInfo*>& chain)
{
    const CommandInfo& c = *chain.back();
    std::string name = page_name(s, chain);
    std::vector<Section> prose;
    if (s.prose) {
        if (auto text = s.prose(name)) {
            prose = parse_sections(*text);
        }
    }
    auto take = [&](const std::string& title) -> std::optional<Section> {
        for (auto it = prose.begin(); it != prose.end(); ++it) {
            if (it->title == title) {
                Section sec = *it;
                prose.erase(it);
                return sec;
            }
        }
        return std::nullopt;
    };

    std::string t = header(s, name, 1);
    t += ".SH NAME\n" + roff_escape(name) + " \\- " + roff_escape(c.description) + '\n';
    t += ".SH SYNOPSIS\n" + synopsis(s, chain);
    t += ".SH DESCRIPTION\n" + inline_markup(sentence(c.description)) + '\n';
    if (!c.footer.empty()) {
        std::vector<std::string> lines;
        for (const auto& l : split(c.footer, '\n')) {
            lines.push_back("    " + l);
        }
        t += render_lines(lines, true);
    }
    if (auto d = take("DESCRIPTION")) {
        t += render_lines(d->lines, true);
    }
    std::string commands;
    for (const auto& sub : c.subcommands) {
        if (!sub.hidden) {
            commands += ".TP\n" + ref(name + "-" + sub.name, 1) + '\n' + inline_markup(sub.description) + '\n';
        }
    }
    if (!commands.empty()) {
        t += ".SH COMMANDS\n" + commands;
    }
    if (!c.args.empty()) {
        t += ".SH ARGUMENTS\n";
        for (const auto& a : c.args) {
            std::string body = inline_markup(a.description);
            if (!a.choices.empty()) {
                body += " One of: " + roff_escape(join(a.choices, ", ")) + ".";
            }
            t += ".TP\n\\fI" + roff_escape(a.name) + "\\fR\n" + body + '\n';
        }
    }
    std::vector<const FlagInfo*> own;
    for (const auto& f : c.flags) {
        own.push_back(&f);
    }
    t += options_section("OPTIONS", own);
    t += options_section("OPTIONS INHERITED FROM PARENT COMMANDS", inherited_flags(chain));
    auto exit_status = take("EXIT STATUS");
    for (const auto& sec : prose) {
        if (sec.title != "SEE ALSO") {
            t += ".SH " + roff_escape(sec.title) + '\n' + render_lines(sec.lines);
        }
    }
    t += ".SH EXIT STATUS\n" +
         (exit_status ? render_lines(exit_status->lines) : render_lines(split(s.default_exit_status, '\n')));
    std::vector<std::string> refs;
    if (chain.size() > 1) {
        std::vector<const CommandInfo*> parent(chain.begin(), chain.end() - 1);
        refs.push_back(ref(page_name(s, parent), 1));
    }
    for (const auto& sub : c.subcommands) {
        if (!sub.hidden) {
            refs.push_back(ref(name + "-" + sub.name, 1));
        }
    }
    for (const auto& r : s.see_also) {
        auto open = r.find('(');
        refs.push_back(ref(r.substr(0, open), std::stoi(r.substr(open + 1))));
    }
    t += ".SH SEE ALSO\n";
    for (std::size_t i = 0; i < refs.size(); ++i) {
        t += refs[i] + (i + 1 < refs.size() ? ",\n" : "\n");
    }
    return {name + ".1", t};
}

void collect(const ManSettings& s, std::vector<const CommandInfo*>& chain, std::vector<ManPage>& out)
{
    out.push_back(make_page(s, chain));
    for (const auto& sub : chain.back()->subcommands) {
        if (!sub.hidden) {
            chain.push_back(&sub);
            collect(s, chain, out);
            chain.pop_back();
        }
    }
}

} // namespace

std::vector<ManPage> man_pages(const CommandInfo& root, const ManSettings& settings)
{
    std::vector<ManPage> out;
    std::vector<const CommandInfo*> chain{&root};
    collect(settings, chain, out);
    return out;
}

ManPage prose_page(const std::string& name, int section, const std::string& summary, std::string_view markup,
                   const ManSettings& settings)
{
    std::string t = header(settings, name, section);
    t += ".SH NAME\n" + roff_escape(name) + " \\- " + roff_escape(summary) + '\n';
    t += render_prose(markup);
    return {name + "." + std::to_string(section), t};
}

std::string roff_escape(std::string_view text)
{
    std::string out;
    if (!text.empty() && (text.front() == '.' || text.front() == '\'')) {
        out += "\\&";
    }
    for (char c : text) {
        if (c == '\\') {
            out += "\\e";
        } else if (c == '-') {
            out += "\\-";
        } else {
            out += c;
        }
    }
    return out;
}

std::string render_prose(std::string_view markup)
{
    std::string out;
    for (const auto& sec : parse_sections(markup)) {
        out += ".SH " + roff_escape(sec.title) + '\n' + render_lines(sec.lines);
    }
    return out;
}

} // namespace kms::util
