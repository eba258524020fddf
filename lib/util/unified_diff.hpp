#pragma once

#include <string>
#include <string_view>

namespace kms::util {

// A unified diff (`diff -u` layout, `context` lines around each change) of two texts, split into
// lines; "" when they are equal. The headers name the two sides.
std::string unified_diff(std::string_view before, std::string_view after, const std::string& before_name,
                         const std::string& after_name, int context = 3);

} // namespace kms::util
