#pragma once

#include <git/git.hpp>
#include <spec/load.hpp>
#include <util/mount_fs.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// Services that come from git: `-f git+URL//PATH@REF`, `--git-repo URL --spec PATH`,
// `git: {repo: .}`, --git-from-cwd, and pinning branches to commits. This is the glue between the
// spec loader (which only sees a util::Filesystem and a hook) and Git.
namespace kms::git {

// The git flags of the service verbs.
struct SourceOptions
{
    bool pin = true;                 // --no-pin clears it: keep branches as they are
    std::optional<std::string> spec; // --spec PATH: the service file inside --git-repo
    bool from_cwd = false;           // --git-from-cwd
    bool ssh_to_https = false;       // --git-ssh-to-https
    int verbosity = 0;
    std::function<void(const std::string&)> log;
};

class Sources
{
public:
    // `factory` makes the Git on first use, so inputs without git never load the module.
    using Factory = std::function<std::unique_ptr<Git>()>;
    Sources(Factory factory, SourceOptions options, std::string cwd, util::Filesystem& base);

    // Resolves every git source among in.files (and --spec, with --git-repo and --branch or
    // --commit from in.overrides), checks that its path exists at the commit, replaces it by the
    // path fs() serves it under, and installs the hook that fills each service's `git:`.
    void prepare(spec::LoadInput& in);

    // Local files, with the git sources mounted: what the spec loader reads through.
    const util::Filesystem& fs() const { return m_fs; }

    // Fills or completes `git:` of a service read from `file` ("" for flags alone): from the
    // repository it was read from, from the checkout for `repo: .` or --git-from-cwd.
    void complete(spec::Service& s, const std::string& file);

    // Resolves each service's branch (or default branch) to its current commit, unless --no-pin
    // or a commit is pinned already.
    void pin(std::vector<spec::Service>& services);

    Git& git();

private:
    struct Mount
    {
        std::string prefix; // what the loader sees: "git+URL@COMMIT12//"
        std::string url;
        Resolved resolved;
    };

    Factory m_factory;
    SourceOptions m_options;
    std::string m_cwd;
    util::MountFs m_fs;
    std::unique_ptr<Git> m_git;
    std::vector<Mount> m_mounts;

    std::string mount(const std::string& url, const std::string& path, const std::string& ref);
    spec::Git origin_of(const Mount& m) const;
    void complete_from_mount(spec::Service& s, const Mount& m) const;
    void complete_from_checkout(spec::Service& s, const std::string& dir);
    void log(const std::string& line) const;
};

} // namespace kms::git
