// The libgit2 implementation of git::Git, built as the kms-git module (see CMakeLists.txt) and
// loaded on first use, so commands that never touch git do not pay for loading libgit2.
#include <git/libgit2_common.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

namespace kms::git {

namespace {

bool is_hex(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::vector<std::string> ref_names(git_repository* repo, const char* glob, std::size_t prefix)
{
    std::vector<std::string> out;
    git_reference_iterator* it = nullptr;
    if (git_reference_iterator_glob_new(&it, repo, glob) != 0) {
        return out;
    }
    const char* name = nullptr;
    while (git_reference_next_name(&name, it) == 0) {
        out.emplace_back(name + prefix);
    }
    git_reference_iterator_free(it);
    std::sort(out.begin(), out.end());
    return out;
}

// The commit a reference finally names (tags are peeled); "" when it does not exist.
std::string peel_ref(git_repository* repo, const std::string& name)
{
    git_reference* raw = nullptr;
    if (git_reference_lookup(&raw, repo, name.c_str()) != 0) {
        return {};
    }
    ReferencePtr ref(raw);
    git_object* obj = nullptr;
    if (git_reference_peel(&obj, ref.get(), GIT_OBJECT_COMMIT) != 0) {
        return {};
    }
    ObjectPtr owned(obj);
    return oid_hex(*git_object_id(obj));
}

class Libgit2Git : public Git
{
public:
    explicit Libgit2Git(const Options& options) : m_options(options)
    {
        // Once per process and never shut down: the module is never unloaded, and libgit2 1.5
        // does not survive a shutdown followed by a second initialisation in the same process.
        static std::once_flag once;
        std::call_once(once, [] {
            // No user agent here: fetches run in a child that shuts libgit2 down and up again,
            // and libgit2's shutdown frees the user agent without forgetting it (see run_child).
            git_libgit2_init();
        });
    }

    Libgit2Git(const Libgit2Git&) = delete;
    Libgit2Git& operator=(const Libgit2Git&) = delete;

    Resolved resolve(const std::string& url, const std::string& ref) override
    {
        std::string path = cache_path(url);
        if (ref.size() == GIT_OID_HEXSZ && is_hex(ref)) {
            // A full commit id never changes meaning: no need to ask the server if it is cached.
            if (RepoPtr repo = open_cache(path); repo && has_commit(repo.get(), ref)) {
                if (m_options.verbosity >= 1 && m_options.log) {
                    m_options.log(fmt::format("git: {} {} is cached; not fetching", url, ref));
                }
                Resolved r;
                r.commit = ref;
                r.kind = RefKind::commit;
                return r;
            }
        }
        FetchStats stats;
        if (m_fetched.count(url) == 0) {
            CacheLock lock(path, m_options, url);
            prepare_cache(path, url, m_options);
            stats = fetch(path, url, m_options);
            m_fetched.insert(url);
            m_repos.erase(url); // reopen: the fetch added packs and moved refs
        }
        Resolved r = resolve_in(repo_for(url), url, ref);
        r.stats = stats;
        return r;
    }

    std::optional<std::string> read_file(const std::string& url, const std::string& commit,
                                         const std::string& path) override
    {
        TreePtr tree = commit_tree(url, commit);
        if (path.empty()) {
            return std::nullopt;
        }
        git_tree_entry* raw = nullptr;
        if (git_tree_entry_bypath(&raw, tree.get(), path.c_str()) != 0) {
            return std::nullopt;
        }
        TreeEntryPtr entry(raw);
        if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
            return std::nullopt;
        }
        git_blob* blob = nullptr;
        if (git_blob_lookup(&blob, repo_for(url), git_tree_entry_id(entry.get())) != 0) {
            throw Error(fmt::format("cannot read {} at {} of {}: {}", path, commit, url, last_error()));
        }
        BlobPtr owned(blob);
        const char* data = static_cast<const char*>(git_blob_rawcontent(blob));
        return std::string(data, static_cast<std::size_t>(git_blob_rawsize(blob)));
    }

    std::optional<std::vector<Entry>> list_dir(const std::string& url, const std::string& commit,
                                               const std::string& path) override
    {
        TreePtr tree = commit_tree(url, commit);
        if (!path.empty()) {
            git_tree_entry* raw = nullptr;
            if (git_tree_entry_bypath(&raw, tree.get(), path.c_str()) != 0) {
                return std::nullopt;
            }
            TreeEntryPtr entry(raw);
            if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) {
                return std::nullopt;
            }
            git_tree* sub = nullptr;
            if (git_tree_lookup(&sub, repo_for(url), git_tree_entry_id(entry.get())) != 0) {
                throw Error(fmt::format("cannot read {} at {} of {}: {}", path, commit, url, last_error()));
            }
            tree.reset(sub);
        }
        std::vector<Entry> out;
        for (std::size_t i = 0, n = git_tree_entrycount(tree.get()); i < n; ++i) {
            const git_tree_entry* e = git_tree_entry_byindex(tree.get(), i);
            out.push_back(Entry{git_tree_entry_name(e), git_tree_entry_type(e) == GIT_OBJECT_TREE});
        }
        return out;
    }

    std::vector<std::string> list_paths(const std::string& url, const std::string& commit) override
    {
        TreePtr tree = commit_tree(url, commit);
        std::vector<std::string> out;
        auto collect = [](const char* root, const git_tree_entry* e, void* payload) {
            if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
                static_cast<std::vector<std::string>*>(payload)->push_back(std::string(root) + git_tree_entry_name(e));
            }
            return 0;
        };
        git_tree_walk(tree.get(), GIT_TREEWALK_PRE, collect, &out);
        std::sort(out.begin(), out.end());
        return out;
    }

    std::optional<LocalCheckout> local_checkout(const std::string& dir) override
    {
        git_repository* raw = nullptr;
        int rc = git_repository_open_ext(&raw, dir.c_str(), 0, nullptr);
        if (rc == GIT_ENOTFOUND) {
            return std::nullopt;
        }
        if (rc != 0) {
            throw Error(fmt::format("cannot open the git checkout at {}: {}", dir, last_error()));
        }
        RepoPtr repo(raw);
        if (git_repository_is_bare(repo.get()) != 0) {
            return std::nullopt;
        }
        return read_local_checkout(repo.get());
    }

private:
    Options m_options;
    std::map<std::string, RepoPtr> m_repos; // url → its open cache
    std::set<std::string> m_fetched;        // fetched once per process; later resolves reuse it

    std::string cache_path(const std::string& url) const
    {
        if (m_options.cache_dir.empty()) {
            throw Error("no git cache directory: set XDG_CACHE_HOME or HOME");
        }
        return m_options.cache_dir + "/" + cache_key(url);
    }

    static bool has_commit(git_repository* repo, const std::string& hex)
    {
        git_oid oid;
        git_commit* c = nullptr;
        if (git_oid_fromstr(&oid, hex.c_str()) != 0 || git_commit_lookup(&c, repo, &oid) != 0) {
            return false;
        }
        git_commit_free(c);
        return true;
    }

    git_repository* repo_for(const std::string& url)
    {
        auto it = m_repos.find(url);
        if (it == m_repos.end()) {
            RepoPtr repo = open_cache(cache_path(url));
            if (!repo) {
                throw Error(fmt::format("{} has not been fetched yet", url));
            }
            it = m_repos.emplace(url, std::move(repo)).first;
        }
        return it->second.get();
    }

    TreePtr commit_tree(const std::string& url, const std::string& commit)
    {
        git_oid oid;
        git_commit* raw = nullptr;
        if (git_oid_fromstr(&oid, commit.c_str()) != 0 || git_commit_lookup(&raw, repo_for(url), &oid) != 0) {
            throw Error(fmt::format("commit {} of {} is not in the cache: {}", commit, url, last_error()));
        }
        CommitPtr c(raw);
        git_tree* tree = nullptr;
        if (git_commit_tree(&tree, c.get()) != 0) {
            throw Error(fmt::format("cannot read the tree of commit {} of {}: {}", commit, url, last_error()));
        }
        return TreePtr(tree);
    }

    static Resolved resolve_in(git_repository* repo, const std::string& url, const std::string& ref)
    {
        Resolved r;
        r.branches = ref_names(repo, "refs/heads/*", 11);
        r.tags = ref_names(repo, "refs/tags/*", 10);
        if (ref.empty()) {
            r.kind = RefKind::head;
            git_reference* head = nullptr;
            if (git_reference_lookup(&head, repo, "HEAD") == 0) {
                ReferencePtr owned(head);
                const char* target = git_reference_symbolic_target(head);
                std::string name = target != nullptr ? target : "";
                if (name.starts_with("refs/heads/")) {
                    r.name = name.substr(11);
                    r.commit = peel_ref(repo, name);
                }
            }
            return r;
        }
        if (ref.starts_with("refs/")) {
            r.kind = ref.starts_with("refs/tags/") ? RefKind::tag : RefKind::branch;
            r.name = ref.substr(ref.find('/', 5) + 1);
            r.commit = peel_ref(repo, ref);
            return r;
        }
        if (std::binary_search(r.branches.begin(), r.branches.end(), ref)) {
            r.kind = RefKind::branch;
            r.name = ref;
            r.commit = peel_ref(repo, "refs/heads/" + ref);
            return r;
        }
        if (std::binary_search(r.tags.begin(), r.tags.end(), ref)) {
            r.kind = RefKind::tag;
            r.name = ref;
            r.commit = peel_ref(repo, "refs/tags/" + ref);
            return r;
        }
        r.kind = RefKind::commit;
        std::string hex = ref;
        std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
        if (hex.size() >= 4 && hex.size() <= GIT_OID_HEXSZ && is_hex(hex)) {
            git_oid oid;
            git_object* obj = nullptr;
            git_oid_fromstrn(&oid, hex.c_str(), hex.size());
            int rc = git_object_lookup_prefix(&obj, repo, &oid, hex.size(), GIT_OBJECT_COMMIT);
            if (rc == GIT_EAMBIGUOUS) {
                throw Error(fmt::format("commit {} is ambiguous in {}: give more digits", ref, url));
            }
            if (rc == 0) {
                ObjectPtr owned(obj);
                r.commit = oid_hex(*git_object_id(obj));
            }
        }
        return r;
    }
};

} // namespace

} // namespace kms::git

extern "C" __attribute__((visibility("default"))) kms::git::Git* kms_git_open(const kms::git::Options* options)
{
    return new kms::git::Libgit2Git(*options);
}
