#pragma once

#include <git/git.hpp>
#include <spec/service.hpp>
#include <string>
#include <vector>

// `restart` moving a service that follows a branch onto the branch's new head.
namespace kms::git {

// Pins `s` to `commit` of its repository. A pipeline (run.pipeline) is rendered into the
// container's command, so it is read again at that commit; when the file is gone there, the
// recorded pipeline stays and a warning says so. Throws kms::Error when the new file is invalid.
std::vector<std::string> move_to_commit(Git& git, spec::Service& s, const std::string& commit);

} // namespace kms::git
