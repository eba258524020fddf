#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kms::util {

// Upper-case, every character that is not [A-Za-z0-9] becomes '_' ("model-name" → "MODEL_NAME").
std::string to_env_name(std::string_view key);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates);
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
bool is_dns1123_label(std::string_view s);
// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
bool is_dns1123_subdomain(std::string_view s);

// Lower-cases and maps every run of invalid characters to '-', trims to a valid DNS-1123 label
// (at most 63 characters). Returns "" when nothing usable remains.
std::string to_dns1123_label(std::string_view s);

std::vector<std::string> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Quotes a string for a POSIX shell: 'it'\''s'.
std::string shell_quote(std::string_view s);

// The offset of the first byte that breaks UTF-8 (RFC 3629 strictly: no overlong forms, no
// surrogates, as JSON serialisation demands), or npos when `s` is valid.
std::size_t utf8_error(std::string_view s);
inline bool is_utf8(std::string_view s)
{
    return utf8_error(s) == std::string_view::npos;
}

} // namespace kms::util
