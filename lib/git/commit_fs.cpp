#include <git/commit_fs.hpp>
#include <git/source.hpp>
#include <util/error.hpp>

#include <algorithm>

namespace kms::git {

CommitFs::CommitFs(Git& git, std::string url, std::string commit)
    : m_git(git), m_url(std::move(url)), m_commit(std::move(commit))
{
}

std::optional<std::string> CommitFs::read(const std::string& path) const
{
    auto p = normalize_path(path);
    if (!p || p->empty()) {
        return std::nullopt;
    }
    return m_git.read_file(m_url, m_commit, *p);
}

bool CommitFs::is_directory(const std::string& path) const
{
    auto p = normalize_path(path);
    return p && m_git.list_dir(m_url, m_commit, *p).has_value();
}

std::vector<std::string> CommitFs::list(const std::string& path) const
{
    auto p = normalize_path(path);
    auto entries = p ? m_git.list_dir(m_url, m_commit, *p) : std::nullopt;
    if (!entries) {
        throw Error(fmt::format("cannot list {}: not a directory at commit {} of {}", path, m_commit.substr(0, 12),
                                m_url));
    }
    std::vector<std::string> names;
    for (const auto& e : *entries) {
        names.push_back(e.name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

void CommitFs::write_atomic(const std::string& path, const std::string& /*content*/, int /*mode*/)
{
    throw Error(fmt::format("cannot write {}: it is inside commit {} of {}", path, m_commit.substr(0, 12), m_url));
}

} // namespace kms::git
