#pragma once

#include <util/json.hpp>

#include <string>
#include <vector>

namespace kms::render {

// Block-style YAML in kubectl's layout (lists not indented under their key), deterministic:
// the same value always gives the same bytes. Strings that a YAML 1.1 or 1.2 reader would take
// for another type are quoted; multi-line strings use literal blocks.
std::string to_yaml(const Json& value);

// Several objects as one multi-document stream ("---" between documents).
std::string to_yaml_stream(const std::vector<Json>& objects);

} // namespace kms::render
