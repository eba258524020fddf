#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kms::util {

// RFC 4648 base64 decoding of either alphabet (standard or URL-safe), padding optional,
// whitespace ignored (kubeconfig *-data fields are often wrapped). nullopt on any other byte.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace kms::util
