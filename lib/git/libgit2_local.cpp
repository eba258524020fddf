// Facts about a local checkout: origin URL, branch, HEAD, uncommitted changes, and whether HEAD
// has reached the remote (as far as the last fetch of the checkout knows).
#include <git/libgit2_common.hpp>

namespace kms::git {

namespace {

std::size_t count_changes(git_repository* repo)
{
    git_status_options opts = GIT_STATUS_OPTIONS_INIT;
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                 GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    git_status_list* raw = nullptr;
    if (git_status_list_new(&raw, repo, &opts) != 0) {
        throw Error(fmt::format("cannot read the status of {}: {}", git_repository_workdir(repo), last_error()));
    }
    StatusListPtr list(raw);
    std::size_t changed = 0;
    std::size_t n = git_status_list_entrycount(list.get());
    for (std::size_t i = 0; i < n; ++i) {
        const git_status_entry* e = git_status_byindex(list.get(), i);
        if (e->status != GIT_STATUS_CURRENT && (e->status & GIT_STATUS_IGNORED) == 0) {
            ++changed;
        }
    }
    return changed;
}

// Is `head` an ancestor of (or equal to) a tip of refs/remotes/origin/*?
void check_remote(git_repository* repo, const git_oid& head, LocalCheckout& out)
{
    git_reference_iterator* it = nullptr;
    if (git_reference_iterator_glob_new(&it, repo, "refs/remotes/origin/*") != 0) {
        return;
    }
    git_reference* ref = nullptr;
    while (!out.on_remote && git_reference_next(&ref, it) == 0) {
        ReferencePtr owned(ref);
        if (git_reference_type(ref) != GIT_REFERENCE_DIRECT) {
            continue; // origin/HEAD points at another remote branch
        }
        out.has_remote_branches = true;
        const git_oid* tip = git_reference_target(ref);
        out.on_remote = git_oid_equal(tip, &head) != 0 || git_graph_descendant_of(repo, tip, &head) == 1;
    }
    git_reference_iterator_free(it);
}

} // namespace

LocalCheckout read_local_checkout(git_repository* repo)
{
    LocalCheckout out;
    std::string root = git_repository_workdir(repo);
    while (root.size() > 1 && root.ends_with('/')) {
        root.pop_back();
    }
    out.root = root;
    git_remote* raw_remote = nullptr;
    if (git_remote_lookup(&raw_remote, repo, "origin") == 0) {
        RemotePtr remote(raw_remote);
        if (const char* url = git_remote_url(remote.get()); url != nullptr) {
            out.origin = url;
        }
    }
    git_reference* raw_head = nullptr;
    int rc = git_repository_head(&raw_head, repo);
    if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
        out.changed_files = count_changes(repo);
        return out;
    }
    if (rc != 0) {
        throw Error(fmt::format("cannot read HEAD of {}: {}", root, last_error()));
    }
    ReferencePtr head(raw_head);
    if (git_reference_is_branch(head.get()) != 0) {
        out.branch = git_reference_shorthand(head.get());
    }
    git_object* raw_commit = nullptr;
    if (git_reference_peel(&raw_commit, head.get(), GIT_OBJECT_COMMIT) != 0) {
        throw Error(fmt::format("cannot read HEAD of {}: {}", root, last_error()));
    }
    ObjectPtr commit(raw_commit);
    out.commit = oid_hex(*git_object_id(commit.get()));
    out.changed_files = count_changes(repo);
    check_remote(repo, *git_object_id(commit.get()), out);
    return out;
}

} // namespace kms::git
