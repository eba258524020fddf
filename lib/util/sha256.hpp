#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kms::util {

// SHA-256 of `data` (FIPS 180-4). Kept here so hashing needs no crypto library at start-up.
std::array<std::uint8_t, 32> sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

// RFC 4648 base64 ("url" selects the URL-safe alphabet without padding).
std::string base64_encode(std::string_view data, bool url = false);

} // namespace kms::util
