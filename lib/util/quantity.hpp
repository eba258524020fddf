#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kms::util {

// A Kubernetes resource quantity ("100m", "0.5", "128Mi", "1e3"), kept as written so rendered
// output matches the input, with just enough arithmetic to double it (limits = 2 × requests).
struct Quantity
{
    std::int64_t milli = 0; // the number in thousandths of the suffix unit
    std::string suffix;     // "", "m", "Ki", "Mi", "G", "e3", …

    // Parses `text`; nullopt when it is not a valid non-negative quantity.
    static std::optional<Quantity> parse(std::string_view text);
    std::string str() const;
    Quantity times(std::int64_t factor) const;
    // The value in base units (cores or bytes), for comparisons.
    double value() const;
};

} // namespace kms::util
