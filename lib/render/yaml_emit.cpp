#include <render/yaml_emit.hpp>

#include <fmt/format.h>

#include <cctype>

namespace kms::render {

namespace {

bool all_digits(std::string_view s, bool allow_underscore)
{
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!(std::isdigit(static_cast<unsigned char>(c)) || (allow_underscore && c == '_'))) {
            return false;
        }
    }
    return true;
}

// True when a YAML 1.1 or 1.2 reader would resolve `s` (lower-cased) to a number or a date.
bool looks_like_number(std::string_view s)
{
    if (s == ".inf" || s == "-.inf" || s == "+.inf" || s == ".nan") {
        return true;
    }
    if (s.size() >= 10 && all_digits(s.substr(0, 4), false) && s[4] == '-') {
        return true; // a timestamp such as 2001-12-14
    }
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        s.remove_prefix(1);
    }
    if (s.starts_with("0x") || s.starts_with("0o") || s.starts_with("0b")) {
        return s.size() > 2;
    }
    // Sexagesimal (YAML 1.1): 1:30, 190:20:30.15
    if (s.find(':') != std::string_view::npos) {
        auto parts = s.substr(0, s.find('.'));
        bool ok = !parts.empty();
        std::size_t start = 0;
        while (ok && start <= parts.size()) {
            auto colon = parts.find(':', start);
            ok = all_digits(parts.substr(start, colon == std::string_view::npos ? colon : colon - start), true);
            if (colon == std::string_view::npos) {
                break;
            }
            start = colon + 1;
        }
        return ok;
    }
    auto e = s.find('e');
    std::string_view mant = s.substr(0, e);
    if (e != std::string_view::npos) {
        std::string_view exp = s.substr(e + 1);
        if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) {
            exp.remove_prefix(1);
        }
        if (!all_digits(exp, false)) {
            return false;
        }
    }
    auto dot = mant.find('.');
    std::string_view whole = mant.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view() : mant.substr(dot + 1);
    if (whole.empty() && frac.empty()) {
        return false;
    }
    return (whole.empty() || all_digits(whole, true)) && (frac.empty() || all_digits(frac, true));
}

bool looks_like_other_type(std::string_view s)
{
    static constexpr std::string_view k_words[] = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"};
    std::string lower;
    for (char c : s) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (auto w : k_words) {
        if (lower == w) {
            return true;
        }
    }
    return looks_like_number(lower);
}

bool needs_quotes(std::string_view s)
{
    if (s.empty() || looks_like_other_type(s)) {
        return true;
    }
    static constexpr std::string_view k_first = "-?:,[]{}#&*!|>'\"%@`";
    if (k_first.find(s.front()) != std::string_view::npos || s.front() == ' ' || s.back() == ' ' || s.back() == ':') {
        // "-x" and "?x" are fine in YAML 1.2, but plain "- " forms confuse readers; keep it simple.
        if (!((s.front() == '-' || s.front() == '?' || s.front() == ':') && s.size() > 1 && s[1] != ' ' &&
              s.back() != ' ' && s.back() != ':')) {
            return true;
        }
    }
    if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) {
        return true;
    }
    // At the start of a line (a top-level scalar or key) "---" and "..." mark documents.
    if (s.starts_with("---") || s.starts_with("...")) {
        return true;
    }
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return true;
        }
    }
    return false;
}

std::string double_quoted(std::string_view s)
{
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (u < 0x20 || u == 0x7f) {
                out += fmt::format("\\x{:02x}", u);
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

// A multi-line string that a literal block can carry exactly.
bool literal_block_ok(std::string_view s)
{
    if (s.find('\n') == std::string_view::npos || s.front() == ' ' || s.front() == '\n') {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto u = static_cast<unsigned char>(s[i]);
        if ((u < 0x20 && s[i] != '\n') || u == 0x7f) {
            return false;
        }
        // Trailing spaces on a line survive a literal block, but a space-only line after a
        // newline would change indentation detection; refuse those.
        if (s[i] == '\n' && i + 1 < s.size() && s[i + 1] == ' ') {
            bool only_spaces = true;
            for (std::size_t j = i + 1; j < s.size() && s[j] != '\n'; ++j) {
                only_spaces = only_spaces && s[j] == ' ';
            }
            if (only_spaces) {
                return false;
            }
        }
    }
    // Several trailing newlines need "|+"; keep those quoted.
    return !(s.size() >= 2 && s[s.size() - 1] == '\n' && s[s.size() - 2] == '\n');
}

std::string scalar(const Json& v)
{
    switch (v.type()) {
    case Json::value_t::null:
        return "null";
    case Json::value_t::boolean:
        return v.get<bool>() ? "true" : "false";
    case Json::value_t::string: {
        const auto& s = v.get_ref<const std::string&>();
        return needs_quotes(s) ? double_quoted(s) : s;
    }
    default:
        return v.dump();
    }
}

bool is_empty_collection(const Json& v)
{
    return (v.is_object() || v.is_array()) && v.empty();
}

void emit(const Json& v, int indent, std::string& out);

// Writes " value\n" after a "key:" or "-", or a nested block on the next lines.
void emit_after_key(const Json& v, int indent, bool in_list, std::string& out)
{
    if (v.is_object() && !v.empty()) {
        out += '\n';
        emit(v, indent + 2, out);
    } else if (v.is_array() && !v.empty()) {
        out += '\n';
        emit(v, in_list ? indent + 2 : indent, out);
    } else if (is_empty_collection(v)) {
        out += v.is_object() ? " {}\n" : " []\n";
    } else if (v.is_string() && literal_block_ok(v.get_ref<const std::string&>())) {
        const auto& s = v.get_ref<const std::string&>();
        out += s.back() == '\n' ? " |\n" : " |-\n";
        std::string pad(static_cast<std::size_t>(indent + 2), ' ');
        std::size_t start = 0;
        while (start < s.size()) {
            std::size_t nl = s.find('\n', start);
            std::string_view line(s.data() + start, (nl == std::string::npos ? s.size() : nl) - start);
            if (!line.empty()) {
                out += pad;
                out += line;
            }
            out += '\n';
            if (nl == std::string::npos) {
                break;
            }
            start = nl + 1;
        }
    } else {
        out += ' ';
        out += scalar(v);
        out += '\n';
    }
}

void emit(const Json& v, int indent, std::string& out)
{
    std::string pad(static_cast<std::size_t>(indent), ' ');
    if (v.is_object()) {
        for (const auto& [k, child] : v.items()) {
            out += pad;
            out += needs_quotes(k) ? double_quoted(k) : k;
            out += ':';
            emit_after_key(child, indent, false, out);
        }
    } else if (v.is_array()) {
        for (const auto& item : v) {
            out += pad;
            out += '-';
            if (item.is_object() && !item.empty()) {
                // The first key goes on the dash's line; the rest align under it.
                std::string nested;
                emit(item, indent + 2, nested);
                out += ' ';
                out += nested.substr(static_cast<std::size_t>(indent + 2));
            } else {
                emit_after_key(item, indent, true, out);
            }
        }
    } else {
        out += pad + scalar(v) + "\n";
    }
}

} // namespace

std::string to_yaml(const Json& value)
{
    std::string out;
    if (value.is_object() || value.is_array()) {
        if (value.empty()) {
            return value.is_object() ? "{}\n" : "[]\n";
        }
        emit(value, 0, out);
    } else {
        out = scalar(value) + "\n";
    }
    return out;
}

std::string to_yaml_stream(const std::vector<Json>& objects)
{
    std::string out;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        if (i > 0) {
            out += "---\n";
        }
        out += to_yaml(objects[i]);
    }
    return out;
}

} // namespace kms::render
