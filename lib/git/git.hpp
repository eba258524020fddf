#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// The one git seam. Production uses the libgit2 module (loaded on first use, see open()); tests
// use FakeGit (git/fake.hpp) or the real module against repositories they create.
//
// Remote repositories are fetched into bare caches under Options::cache_dir, one per URL, reused
// and updated incrementally. Fetches hold a lock (parallel runs are safe) and never leave a
// half-written cache: refs move only after the objects they name are complete.
namespace kms::git {

// Credentials offered to servers. Secrets live here only in memory: never in argv or logs.
struct Credentials
{
    std::string token;        // https password/token (KMS_GIT_TOKEN or --git-token-file)
    std::string token_source; // where the token came from, for messages ("KMS_GIT_TOKEN")
    std::string username;     // https username sent with the token; "" = from the URL, else "git"
    std::string ssh_key;      // private key file (--git-ssh-key); "" = ssh-agent, then ~/.ssh/id_*
    std::string ssh_passphrase;
    std::string home;                     // for ~/.ssh defaults
    std::vector<std::string> known_hosts; // files that list trusted ssh host keys
};

struct Options
{
    std::string cache_dir; // $XDG_CACHE_HOME/kubectl-microservice/git
    // A fetch that receives nothing for this long is stopped; the cache stays as it was.
    std::chrono::milliseconds timeout{60000};
    Credentials credentials;
    int verbosity = 0;                           // ≥1: one line per fetch with transfer statistics
    std::function<void(const std::string&)> log; // where those lines go (stderr); never gets secrets
};

enum class RefKind
{
    head,   // the remote's default branch (no ref given)
    branch,
    tag,
    commit, // a full or abbreviated commit id
};

// What one fetch transferred (libgit2's indexer statistics).
struct FetchStats
{
    bool fetched = false; // false: answered from the cache without contacting the server
    std::size_t received_objects = 0;
    std::size_t received_bytes = 0;
    std::size_t total_objects = 0;
    std::size_t local_objects = 0; // objects the server left out because the cache had them
};

struct Resolved
{
    std::string commit; // full hexadecimal id; "" when `ref` names nothing in the repository
    RefKind kind = RefKind::head;
    std::string name;   // the branch or tag name; for RefKind::head the default branch
    std::vector<std::string> branches; // every branch of the repository (for "did you mean")
    std::vector<std::string> tags;
    FetchStats stats;
};

struct Entry
{
    std::string name;
    bool directory = false;
};

// Facts about a local checkout, for services deployed from the current directory.
struct LocalCheckout
{
    std::string root;                  // the work tree
    std::optional<std::string> origin; // URL of the remote "origin"
    std::optional<std::string> branch; // nullopt when HEAD is detached
    std::string commit;                // HEAD; "" before the first commit
    std::size_t changed_files = 0;     // modified, staged, deleted or untracked
    bool has_remote_branches = false;  // any refs/remotes/origin/* at all
    bool on_remote = false;            // HEAD is reachable from a branch of origin (as last fetched)
};

class Git
{
public:
    virtual ~Git() = default;
    // Fetches `url` into its cache when `ref` needs it (a full commit id already cached does not)
    // and resolves `ref`: "" (the default branch), a branch, a tag, or a full or abbreviated
    // commit. A ref that names nothing gives Resolved::commit == "". Unreachable or missing
    // repositories, failed authentication and timeouts throw kms::Error in plain words.
    virtual Resolved resolve(const std::string& url, const std::string& ref) = 0;
    // The file `path` (relative to the root, '/'-separated) at `commit`, which resolve() made
    // available; nullopt when there is no such file.
    virtual std::optional<std::string> read_file(const std::string& url, const std::string& commit,
                                                 const std::string& path) = 0;
    // The entries of directory `path` ("" is the root) at `commit`; nullopt when not a directory.
    virtual std::optional<std::vector<Entry>> list_dir(const std::string& url, const std::string& commit,
                                                       const std::string& path) = 0;
    // Every file path at `commit`, sorted (for "nearby files" in messages).
    virtual std::vector<std::string> list_paths(const std::string& url, const std::string& commit) = 0;
    // The checkout holding `dir`; nullopt when `dir` is not inside a git work tree.
    virtual std::optional<LocalCheckout> local_checkout(const std::string& dir) = 0;
};

// A libgit2-backed Git from the kms-git module, loaded on first use.
std::unique_ptr<Git> open(const Options& options);

} // namespace kms::git
