#include <util/strings.hpp>

#include <algorithm>
#include <cctype>

namespace kms::util {

std::string to_env_name(std::string_view key)
{
    std::string out;
    out.reserve(key.size());
    for (char c : key) {
        auto u = static_cast<unsigned char>(c);
        out += std::isalnum(u) && u < 0x80 ? static_cast<char>(std::toupper(u)) : '_';
    }
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> prev(b.size() + 1);
    std::vector<std::size_t> cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        prev[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates)
{
    std::optional<std::string> best;
    std::size_t best_d = 0;
    for (auto c : candidates) {
        std::size_t d = edit_distance(word, c);
        // A typo changes at most a third of the word (and at least one character is allowed).
        std::size_t limit = std::max<std::size_t>(1, std::max(word.size(), c.size()) / 3);
        if (d <= limit && (!best || d < best_d)) {
            best = std::string(c);
            best_d = d;
        }
    }
    return best;
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates)
{
    std::vector<std::string_view> views(candidates.begin(), candidates.end());
    return closest_match(word, std::span<const std::string_view>(views));
}

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_dns1123_label(std::string_view s)
{
    if (s.empty() || s.size() > 63 || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
}

bool is_dns1123_subdomain(std::string_view s)
{
    if (s.empty() || s.size() > 253) {
        return false;
    }
    for (const auto& part : split(s, '.')) {
        if (!is_dns1123_label(part)) {
            return false;
        }
    }
    return true;
}

std::string to_dns1123_label(std::string_view s)
{
    std::string out;
    for (char c : s) {
        char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (is_lower_alnum(l)) {
            out += l;
        } else if (!out.empty() && out.back() != '-') {
            out += '-';
        }
    }
    if (out.size() > 63) {
        out.resize(63);
    }
    while (!out.empty() && out.back() == '-') {
        out.pop_back();
    }
    return out;
}

std::vector<std::string> split(std::string_view s, char sep)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        std::size_t pos = s.find(sep, start);
        out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) {
            return out;
        }
        start = pos + 1;
    }
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return s;
}

bool starts_with(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep)
{
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
            out += sep;
        }
        out += parts[i];
    }
    return out;
}

std::string shell_quote(std::string_view s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    out += '\'';
    return out;
}

std::size_t utf8_error(std::string_view s)
{
    // RFC 3629 strictly (no overlong forms, no surrogates), as JSON serialisation demands.
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (i + n >= s.size()) {
            return i;
        }
        for (std::size_t k = 1; k <= n; ++k) {
            auto b = static_cast<unsigned char>(s[i + k]);
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
                return i;
            }
        }
        i += n + 1;
    }
    return std::string_view::npos;
}

} // namespace kms::util
