#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kms::util {

using SysTime = std::chrono::system_clock::time_point;

// "2026-01-02T03:04:05Z", "…05.123Z", "…05+02:00". nullopt when malformed.
std::optional<SysTime> parse_rfc3339(std::string_view text);

// UTC, whole seconds: "2026-01-02T03:04:05Z".
std::string format_rfc3339(SysTime t);

} // namespace kms::util
