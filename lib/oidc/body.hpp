#pragma once

#include <http/http.hpp>

#include <optional>
#include <string>
#include <string_view>

// How `call` shows a response: raw bytes, or pretty JSON / YAML, with a guard against dumping
// binary bodies into a terminal.
namespace kms::oidc {

enum class BodyFormat
{
    automatic, // pretty JSON on a terminal, raw bytes into a pipe or file
    raw,
    json,
    yaml,
};
std::optional<BodyFormat> parse_body_format(std::string_view s);

// Binary by Content-Type (anything but text, JSON, YAML, XML, forms, JavaScript) or, when the
// type says nothing, by content (a NUL byte or invalid UTF-8).
bool is_binary(const http::Response& resp);

// The bytes for stdout. Throws kms::Error for a binary body on a terminal (unless raw) and for
// -o json / -o yaml when the body is neither JSON nor (for yaml) YAML.
std::string render_body(const http::Response& resp, BodyFormat format, bool tty);

// "HTTP 200 OK" and the response headers, then an empty line (for -i).
std::string render_head(const http::Response& resp);

// The reason phrase of a status code ("Not Found"), "" when unknown.
std::string_view reason_phrase(int status);

} // namespace kms::oidc
