#include <git/fake.hpp>
#include <util/error.hpp>
#include <util/sha256.hpp>

#include <algorithm>

namespace kms::git {

std::string FakeGit::commit(const std::string& url, const std::string& branch, std::map<std::string, std::string> files)
{
    Repo& r = repos[url];
    std::string id = util::sha256_hex(fmt::format("{}\n{}\n{}", url, branch, r.commits.size())).substr(0, 40);
    r.commits[id] = std::move(files);
    r.branches[branch] = id;
    if (r.head.empty()) {
        r.head = branch;
    }
    return id;
}

Resolved FakeGit::resolve(const std::string& url, const std::string& ref)
{
    ++resolve_calls;
    auto it = repos.find(url);
    if (it == repos.end()) {
        throw Error(fmt::format("repository not found: {}", url));
    }
    const Repo& repo = it->second;
    Resolved r;
    r.stats.fetched = true;
    for (const auto& [name, _] : repo.branches) {
        r.branches.push_back(name);
    }
    for (const auto& [name, _] : repo.tags) {
        r.tags.push_back(name);
    }
    auto pick = [&](RefKind kind, const std::string& name, const std::map<std::string, std::string>& refs) {
        r.kind = kind;
        r.name = name;
        auto found = refs.find(name);
        r.commit = found == refs.end() ? std::string() : found->second;
        return r;
    };
    if (ref.empty()) {
        return pick(RefKind::head, repo.head, repo.branches);
    }
    if (repo.branches.count(ref) != 0) {
        return pick(RefKind::branch, ref, repo.branches);
    }
    if (repo.tags.count(ref) != 0) {
        return pick(RefKind::tag, ref, repo.tags);
    }
    r.kind = RefKind::commit;
    if (ref.size() >= 4) {
        for (const auto& [id, _] : repo.commits) {
            if (id.starts_with(ref)) {
                if (!r.commit.empty()) {
                    throw Error(fmt::format("commit {} is ambiguous in {}: give more digits", ref, url));
                }
                r.commit = id;
            }
        }
    }
    return r;
}

const std::map<std::string, std::string>& FakeGit::files(const std::string& url, const std::string& commit) const
{
    auto repo = repos.find(url);
    if (repo == repos.end() || repo->second.commits.count(commit) == 0) {
        throw Error(fmt::format("commit {} of {} is not in the cache", commit, url));
    }
    return repo->second.commits.at(commit);
}

std::optional<std::string> FakeGit::read_file(const std::string& url, const std::string& commit,
                                              const std::string& path)
{
    const auto& f = files(url, commit);
    auto it = f.find(path);
    return it == f.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<std::vector<Entry>> FakeGit::list_dir(const std::string& url, const std::string& commit,
                                                    const std::string& path)
{
    std::string prefix = path.empty() ? std::string() : path + "/";
    std::vector<Entry> out;
    for (const auto& [p, _] : files(url, commit)) {
        if (!p.starts_with(prefix)) {
            continue;
        }
        std::string rest = p.substr(prefix.size());
        auto slash = rest.find('/');
        Entry e{rest.substr(0, slash), slash != std::string::npos};
        if (out.empty() || out.back().name != e.name) {
            out.push_back(e);
        }
    }
    if (out.empty() && !path.empty()) {
        return std::nullopt;
    }
    return out;
}

std::vector<std::string> FakeGit::list_paths(const std::string& url, const std::string& commit)
{
    std::vector<std::string> out;
    for (const auto& [p, _] : files(url, commit)) {
        out.push_back(p);
    }
    return out;
}

std::optional<LocalCheckout> FakeGit::local_checkout(const std::string& dir)
{
    for (const auto& [root, co] : checkouts) {
        if (dir == root || dir.starts_with(root + "/")) {
            return co;
        }
    }
    return std::nullopt;
}

} // namespace kms::git
