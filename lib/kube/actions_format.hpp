#pragma once

#include <chrono>
#include <string>
#include <vector>

// Output shapes shared by list, history and status: kubectl's aligned tables and ages.
namespace kms::actions {

// Columns separated by three spaces and padded to the widest cell, like kubectl's printers;
// `headers` empty: no header line (--no-headers). Trailing spaces are trimmed; colour escapes
// take no width.
std::string format_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);

// kubectl's age: "45s", "3m12s", "45m", "3h5m", "30h", "3d4h", "45d", "2y45d", "8y".
std::string human_age(std::chrono::seconds age);

// The age of an object created at `rfc3339` as seen at `now`; "<unknown>" when unparsable.
std::string age_since(const std::string& rfc3339, std::chrono::system_clock::time_point now);

} // namespace kms::actions
