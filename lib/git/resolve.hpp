#pragma once

#include <git/git.hpp>
#include <spec/service.hpp>

#include <string>

// Resolution with the messages users see: the one place that turns "nothing found" answers of
// Git into plain words. render, apply and restart (service actions) all resolve through here.
namespace kms::git {

// Resolves `ref` ("" = the default branch) of `url` to a commit. Throws kms::Error when the
// repository has no such ref, naming the closest branches (and tags).
Resolved resolve_ref(Git& git, const std::string& url, const std::string& ref);

// The commit a service's `git:` means right now: its branch's current head (the default branch
// when none is named). This is what `restart` re-resolves; a pinned commit is ignored.
std::string current_commit(Git& git, const spec::Git& g);

// Fills `g.commit` from its branch (or the default branch) unless a commit is already pinned.
// Returns what was resolved, or nullopt when `g` was pinned already.
std::optional<Resolved> pin(Git& git, spec::Git& g);

// Throws kms::Error (usage) unless `path` ("" = the root) is a file or directory at `commit`;
// the message lists the nearby files that do exist.
void require_path(Git& git, const std::string& url, const std::string& commit, const std::string& path);

// "branch main", "tag v1.2", "commit 0123abc", "the default branch (main)", for messages.
std::string describe(const Resolved& r);

} // namespace kms::git
