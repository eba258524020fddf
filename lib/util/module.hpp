#pragma once

#include <string>

namespace kms::util {

// Loads one of our own modules (kms-curl.so, kms-git.so) on first use and returns the address of
// `symbol` in it. Modules keep libcurl and libgit2 out of the start-up of commands that never
// touch the network or git. Search order: $KMS_MODULE_DIR, <dir of the executable>/modules,
// <dir of the executable>/../lib/kubectl-microservice, then the install-time directory.
// Throws kms::Error naming every place it looked when the module or symbol is missing.
void* module_symbol(const std::string& module, const std::string& symbol);

} // namespace kms::util
