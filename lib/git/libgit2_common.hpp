#pragma once

// Private to the kms-git module (lib/git/libgit2_*.cpp). Only header-inline parts of lib/ may be
// used here: the module does not link kms_core.
#include <git/git.hpp>
#include <util/error.hpp>

#include <git2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kms::git {

// unique_ptr deleters for libgit2's free functions.
template <auto Free>
struct Freer
{
    template <typename T>
    void operator()(T* p) const
    {
        Free(p);
    }
};
using RepoPtr = std::unique_ptr<git_repository, Freer<git_repository_free>>;
using RemotePtr = std::unique_ptr<git_remote, Freer<git_remote_free>>;
using ObjectPtr = std::unique_ptr<git_object, Freer<git_object_free>>;
using CommitPtr = std::unique_ptr<git_commit, Freer<git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, Freer<git_tree_free>>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, Freer<git_tree_entry_free>>;
using BlobPtr = std::unique_ptr<git_blob, Freer<git_blob_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Freer<git_reference_free>>;
using ConfigPtr = std::unique_ptr<git_config, Freer<git_config_free>>;
using StatusListPtr = std::unique_ptr<git_status_list, Freer<git_status_list_free>>;

// libgit2's message for the last failed call.
inline std::string last_error()
{
    const git_error* e = git_error_last();
    return e != nullptr && e->message != nullptr ? std::string(e->message) : std::string("unknown libgit2 error");
}

inline std::string oid_hex(const git_oid& oid)
{
    char buf[GIT_OID_HEXSZ + 1];
    git_oid_tostr(buf, sizeof buf, &oid);
    return buf;
}

// The parts of a remote URL the transports need for messages and host-key checks.
struct UrlParts
{
    std::string scheme; // "https", "ssh", "git", "file"; "ssh" for scp-like user@host:path
    std::string user;
    std::string host;
    int port = 0;       // 0 = the scheme's default
};
UrlParts split_url(std::string_view url);

// --- cache (libgit2_cache.cpp) ---

// An exclusive flock(2) on a file next to a cache; released by the destructor (or by the
// kernel when the process dies, so a crashed run never blocks the next one).
class CacheLock
{
public:
    CacheLock(const std::string& path, const Options& options, const std::string& url);
    ~CacheLock();
    CacheLock(const CacheLock&) = delete;
    CacheLock& operator=(const CacheLock&) = delete;

private:
    int m_fd = -1;
};

// "<host>-<repo>-<hash of the URL>", the cache directory name of `url`.
std::string cache_key(std::string_view url);
// Opens the bare cache of `url`, creating it when missing (call with the lock held). A cache that
// cannot be opened is rebuilt; leftovers of a fetch that was killed are removed.
RepoPtr prepare_cache(const std::string& path, const std::string& url, const Options& options);
// Opens an existing cache without writing to it; nullptr when there is none.
RepoPtr open_cache(const std::string& path);
// Removes what a killed fetch left in the cache at `path` (call with the lock held).
void repair_cache(const std::string& path);

// --- fetch (libgit2_fetch.cpp) ---

// Fetches every branch and tag of `url` into the bare repository at `path` (lock held) in a
// child process that is killed when it makes no progress for options.timeout; records the
// remote's default branch as HEAD. Throws kms::Error in plain words.
FetchStats fetch(const std::string& path, const std::string& url, const Options& options);

// --- local checkouts (libgit2_local.cpp) ---

LocalCheckout read_local_checkout(git_repository* repo);

// --- authentication (libgit2_auth.cpp) ---

// Credential and host-key state of one fetch: what was offered, and why the server was refused.
struct AuthState
{
    const Credentials* credentials = nullptr;
    UrlParts url;
    std::vector<std::string> ssh_candidates; // "agent" or key file paths, in the order tried
    std::size_t next_ssh = 0;
    // How often the token was handed out. libgit2 asks again for each request that meets a 401 (a
    // fetch after the ref listing reconnects), so one refusal must not end the run; three must.
    int token_offers = 0;
    bool exhausted = false;        // every credential was refused
    std::vector<std::string> tried; // descriptions, never secrets
    std::string host_key_problem;  // why the ssh host key was rejected
};
AuthState make_auth_state(const Credentials& credentials, const std::string& url);

// The payload of every libgit2 callback during a fetch (in the fetching child process).
struct CallbackState
{
    AuthState auth;
    int report_fd = -1; // progress lines go to the parent through this pipe
    long long last_report_ms = 0;
};
int acquire_credential(git_credential** out, const char* url, const char* username_from_url,
                       unsigned int allowed_types, void* payload);
int check_certificate(git_cert* cert, int valid, const char* host, void* payload);

} // namespace kms::git
