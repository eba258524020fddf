#pragma once

#include <optional>
#include <string>
#include <string_view>

// Naming repositories: the `-f git+URL//PATH@REF` syntax and the URL rules shared by the loader,
// pinning and local checkouts. Pure functions; nothing here touches git.
namespace kms::git {

// A service description inside a repository.
struct SourceRef
{
    std::string url;  // the repository, without the "git+" prefix
    std::string path; // inside the repository, '/'-separated; "" = its root directory
    std::string ref;  // branch, tag or commit; "" = the default branch
};

// Whether a -f value names a git source: git+https://, git+http://, git+ssh://, git+git://,
// git+file:// or file:// (anything else is a local path or "-").
bool is_source(std::string_view arg);

// Parses "git+https://host/org/repo.git//path/service.yaml@ref". The repository ends at the first
// "//" after the host; the ref follows the last '@' after that point. Throws kms::Error (usage)
// naming what is wrong.
SourceRef parse_source(std::string_view arg);

// Throws kms::Error (usage) when `url` cannot be used as a repository: empty, or carrying a
// password (it would end up in manifests, argv and logs: use KMS_GIT_TOKEN or --git-token-file).
// `what` names where the URL came from ("-f", "--git-repo", "git.repo"); the URL is not echoed.
void check_url(std::string_view url, std::string_view what);

// A name git could have for a branch or tag (git check-ref-format's rules, as a single name may
// contain '/'): no spaces or control characters, none of ~^:?*[\, no "..", "@{" or "//", not
// starting with '-' or '/', not ending with '/', '.' or ".lock". Checked before any fetch, so a
// mistyped ref is a usage error rather than a network round trip.
bool is_ref_name(std::string_view ref);

// The https form of an ssh URL ("git@github.com:acme/x.git" or "ssh://git@github.com/acme/x.git"
// → "https://github.com/acme/x.git"); nullopt when `url` is not an ssh URL.
std::optional<std::string> ssh_to_https(std::string_view url);

// Whether `url` is a local path or file:// URL (a cluster cannot clone those).
bool is_local_url(std::string_view url);

// Whether two URLs name the same repository (a trailing ".git" or '/' does not matter).
bool same_repo(std::string_view a, std::string_view b);

// "a/./b/../c" → "a/c", "" for the root; nullopt when the path leaves the root or is absolute.
std::optional<std::string> normalize_path(std::string_view path);

// $XDG_CACHE_HOME/kubectl-microservice/git, else $HOME/.cache/kubectl-microservice/git; "" when
// both are empty.
std::string default_cache_dir(const std::string& xdg_cache_home, const std::string& home);

} // namespace kms::git
