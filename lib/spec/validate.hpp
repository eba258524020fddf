#pragma once

#include <spec/service.hpp>

namespace kms::spec {

// Checks a fully loaded service (after flags, preset and defaults): names, ranges, references
// between fields and conflicts. Each problem is one diagnostic at the field's position.
void validate(const Service& s, Diagnostics& diags);

// True for a path inside the repository: relative, without "..".
bool is_relative_path(std::string_view p);

} // namespace kms::spec
