#pragma once

#include <git/git.hpp>

#include <map>
#include <string>

namespace kms::git {

// An in-memory Git for tests: repositories are branches and tags naming commits, and commits are
// sets of files. It answers like the libgit2 module (same ref rules, same "not found" results).
class FakeGit : public Git
{
public:
    struct Repo
    {
        std::map<std::string, std::map<std::string, std::string>> commits; // id → path → content
        std::map<std::string, std::string> branches;                       // name → commit id
        std::map<std::string, std::string> tags;
        std::string head; // the default branch
    };
    std::map<std::string, Repo> repos;              // by URL
    std::map<std::string, LocalCheckout> checkouts; // by work tree root
    int resolve_calls = 0;

    // Records a commit of `files` on `branch` of `url` (created as needed, the first branch being
    // the default one) and returns its 40-digit id.
    std::string commit(const std::string& url, const std::string& branch, std::map<std::string, std::string> files);

    Resolved resolve(const std::string& url, const std::string& ref) override;
    std::optional<std::string> read_file(const std::string& url, const std::string& commit,
                                         const std::string& path) override;
    std::optional<std::vector<Entry>> list_dir(const std::string& url, const std::string& commit,
                                               const std::string& path) override;
    std::vector<std::string> list_paths(const std::string& url, const std::string& commit) override;
    std::optional<LocalCheckout> local_checkout(const std::string& dir) override;

private:
    const std::map<std::string, std::string>& files(const std::string& url, const std::string& commit) const;
};

} // namespace kms::git
