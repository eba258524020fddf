#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kms::util {

// A Go-style duration as kubectl flags take it: "30s", "1m30s", "500ms", "2h", or a bare
// number of seconds ("10"). nullopt when malformed or negative.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// "1m30s", "250ms", "0s" — for messages and the ?timeout= query.
std::string format_duration(std::chrono::milliseconds d);

} // namespace kms::util
