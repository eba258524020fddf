#pragma once

#include <spec/service.hpp>

namespace kms::spec {

// Checks a fully loaded service (after flags, preset and defaults): names, ranges, references
// between fields and conflicts. Each problem is one diagnostic at the field's position.
void validate(const Service& s, Diagnostics& diags);

} // namespace kms::spec
