#pragma once

#include <git/git.hpp>
#include <util/fs.hpp>

#include <string>

namespace kms::git {

// A read-only util::Filesystem view of one commit of a repository: the spec loader reads a
// service file from a repository, and the files it references (run.pipeline), through it.
// Paths are relative to the repository root; "." and ".." are resolved, nothing above the root.
class CommitFs : public util::Filesystem
{
public:
    CommitFs(Git& git, std::string url, std::string commit);

    std::optional<std::string> read(const std::string& path) const override;
    bool is_directory(const std::string& path) const override;
    std::vector<std::string> list(const std::string& path) const override;
    // Throws: a commit cannot be written to.
    void write_atomic(const std::string& path, const std::string& content, int mode) override;

private:
    Git& m_git;
    std::string m_url;
    std::string m_commit;
};

} // namespace kms::git
