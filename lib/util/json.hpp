#pragma once

#include <nlohmann/json.hpp>

namespace kms {

// Manifests and API objects: JSON values that keep their keys in insertion order, so rendered
// output has the field order a person expects (apiVersion, kind, metadata, spec …).
using Json = nlohmann::ordered_json;

} // namespace kms
