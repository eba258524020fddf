#pragma once

#include <git/git.hpp>
#include <git/sources.hpp>

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace kms::cli {

// The git flags of the service verbs, next to --git-repo, --branch, --commit and --git-secret.
struct GitFlags
{
    bool no_pin = false;
    std::string spec;
    bool from_cwd = false;
    bool ssh_to_https = false;
    std::string ssh_key;
    std::string token_file;
    std::vector<std::string> known_hosts;
    std::string timeout = "60s";
};
void add_git_flags(CLI::App& sub, GitFlags& f);
// Only the flags that reach a repository (key, token, known hosts, timeout): for verbs that
// re-resolve a recorded repository (restart, clone).
void add_git_access_flags(CLI::App& sub, GitFlags& f);

// git::Options from the flags and the environment: KMS_GIT_TOKEN (or --git-token-file),
// KMS_GIT_USERNAME, KMS_GIT_SSH_PASSPHRASE, XDG_CACHE_HOME, HOME. Secrets stay in memory.
git::Options git_options(const GitFlags& f, int verbosity);

// The git side of loading services; libgit2 is loaded only when an input needs it.
git::Sources make_sources(const GitFlags& f, int verbosity, const std::string& cwd);

} // namespace kms::cli
