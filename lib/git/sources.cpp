#include <git/commit_fs.hpp>
#include <git/resolve.hpp>
#include <git/source.hpp>
#include <git/sources.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

namespace kms::git {

Sources::Sources(Factory factory, SourceOptions options, std::string cwd, util::Filesystem& base)
    : m_factory(std::move(factory)), m_options(std::move(options)), m_cwd(std::move(cwd)), m_fs(base)
{
}

Git& Sources::git()
{
    if (!m_git) {
        m_git = m_factory();
    }
    return *m_git;
}

void Sources::log(const std::string& line) const
{
    if (m_options.verbosity >= 1 && m_options.log) {
        m_options.log(line);
    }
}

void Sources::prepare(spec::LoadInput& in)
{
    for (auto& f : in.files) {
        // "git+ftp://…" and other git+ spellings are a source we cannot read, not a file name.
        if (is_source(f) || util::starts_with(f, "git+")) {
            SourceRef src = parse_source(f);
            f = mount(src.url, src.path, src.ref);
        }
    }
    if (m_options.spec) {
        const auto& o = in.overrides;
        if (!o.git_repo) {
            throw Error("--spec needs --git-repo: the repository the service file is read from", ExitCode::usage);
        }
        if (*o.git_repo == ".") {
            throw Error("--spec reads from a repository's commit; for the checkout you are in, use -f PATH "
                        "--git-from-cwd",
                        ExitCode::usage);
        }
        auto path = normalize_path(*m_options.spec);
        if (!path || path->empty()) {
            throw Error(fmt::format("--spec: \"{}\" must be a relative path inside the repository", *m_options.spec),
                        ExitCode::usage);
        }
        check_url(*o.git_repo, "--git-repo");
        in.files.push_back(mount(*o.git_repo, *path, o.commit ? *o.commit : o.branch.value_or("")));
    }
    in.complete_git = [this](spec::Service& s, const std::string& file) { complete(s, file); };
}

std::string Sources::mount(const std::string& url, const std::string& path, const std::string& ref)
{
    Resolved r = resolve_ref(git(), url, ref);
    log(fmt::format("git: {} {} is commit {}", url, describe(r), r.commit));
    require_path(git(), url, r.commit, path);
    std::string prefix = fmt::format("git+{}@{}//", url, r.commit.substr(0, 12));
    if (!m_fs.mounted(prefix)) {
        m_fs.mount(prefix, std::make_unique<CommitFs>(git(), url, r.commit));
        m_mounts.push_back(Mount{prefix, url, r});
    }
    return prefix + path;
}

spec::Git Sources::origin_of(const Mount& m) const
{
    spec::Git g;
    g.repo = m.url;
    const Resolved& r = m.resolved;
    switch (r.kind) {
    case RefKind::head:
    case RefKind::branch:
        g.branch = r.name;
        if (m_options.pin) {
            g.commit = r.commit;
        }
        break;
    case RefKind::tag:
        // Unpinned, the clone follows the tag by name (git clone --branch takes tags too).
        if (m_options.pin) {
            g.commit = r.commit;
        } else {
            g.branch = r.name;
        }
        break;
    case RefKind::commit:
        g.commit = r.commit;
        break;
    }
    return g;
}

void Sources::complete_from_mount(spec::Service& s, const Mount& m) const
{
    spec::Git origin = origin_of(m);
    if (!s.git) {
        s.git = origin;
        return;
    }
    if (s.git->repo != "." && !same_repo(s.git->repo, m.url)) {
        return; // the code lives in another repository than the service file
    }
    s.git->repo = m.url;
    if (!s.git->branch && !s.git->commit) {
        s.git->branch = origin.branch;
        s.git->commit = origin.commit;
    } else if (!s.git->commit && s.git->branch == origin.branch) {
        s.git->commit = origin.commit;
    }
}

void Sources::complete_from_checkout(spec::Service& s, const std::string& dir)
{
    SourcePos where = s.git ? s.pos_of("git.repo") : SourcePos{{}, 0, 0, "--git-from-cwd"};
    auto co = git().local_checkout(dir);
    if (!co) {
        throw input_error(where, fmt::format("git.repo: {} is not inside a git checkout", dir));
    }
    if (!co->origin) {
        throw input_error(where, fmt::format("git.repo: the checkout {} has no remote \"origin\": set git.repo (or "
                                             "--git-repo) to the repository the cluster should clone",
                                             co->root));
    }
    if (co->commit.empty()) {
        throw input_error(where, fmt::format("git.repo: the checkout {} has no commits yet", co->root));
    }
    std::string url = *co->origin;
    if (m_options.ssh_to_https) {
        url = ssh_to_https(url).value_or(url);
    }
    check_url(url, fmt::format("the origin of {}", co->root));
    if (!s.git) {
        s.git = spec::Git{};
    }
    s.git->repo = url;
    bool same_branch = !s.git->branch || s.git->branch == co->branch;
    if (!s.git->branch) {
        s.git->branch = co->branch;
    }
    bool use_head = !s.git->commit && same_branch && (m_options.pin || !s.git->branch);
    if (use_head) {
        s.git->commit = co->commit;
    }
    log(fmt::format("git: {} is a checkout of {}{} at {}", co->root, url,
                    co->branch ? " branch " + *co->branch : std::string(" (detached HEAD)"), co->commit));
    std::string head = co->commit.substr(0, 12);
    if (is_local_url(url)) {
        s.notes.push_back(fmt::format("warning: {}: origin of {} is a local path ({}): the cluster cannot clone it",
                                      s.name.empty() ? co->root : s.name, co->root, url));
    }
    if (co->changed_files > 0) {
        s.notes.push_back(fmt::format("warning: {} has {} uncommitted change{}: the cluster clones {} at {} and "
                                      "cannot see them (commit and push first)",
                                      co->root, co->changed_files, co->changed_files == 1 ? "" : "s", url,
                                      use_head ? head : s.git->commit.value_or(s.git->branch.value_or("HEAD"))));
    }
    if (use_head && !co->has_remote_branches) {
        s.notes.push_back(fmt::format("warning: cannot tell whether commit {} is on {}: no branch of origin has been "
                                      "fetched into {}; if it is not pushed, the cluster cannot clone it",
                                      head, url, co->root));
    } else if (use_head && !co->on_remote) {
        s.notes.push_back(fmt::format("warning: commit {} is not on {} (as of the last fetch of {}): push it, or the "
                                      "cluster cannot clone it and cannot see the local changes",
                                      head, url, co->root));
    }
}

void Sources::complete(spec::Service& s, const std::string& file)
{
    for (const auto& m : m_mounts) {
        if (file.starts_with(m.prefix)) {
            complete_from_mount(s, m);
            return;
        }
    }
    bool dot = s.git && s.git->repo == ".";
    if (m_options.from_cwd && s.git && !dot) {
        s.notes.push_back(fmt::format("warning: --git-from-cwd ignored for {}: it names its repository ({})",
                                      file.empty() ? std::string("the service") : file, s.git->repo));
    }
    if (dot) {
        complete_from_checkout(s, file.empty() || file == "<stdin>" ? m_cwd : util::dir_name(file));
    } else if (m_options.from_cwd && !s.git) {
        complete_from_checkout(s, m_cwd);
    }
    if (s.git) {
        std::string where = s.pos_of("git.repo").str();
        check_url(s.git->repo, where.empty() ? std::string("git.repo") : where + ": git.repo");
        if (s.git->branch && !s.git->branch->empty() && !is_ref_name(*s.git->branch)) {
            std::string at = s.pos_of("git.branch").str();
            throw Error(fmt::format("{}git.branch: \"{}\" is not a valid branch or tag name",
                                    at.empty() ? std::string() : at + ": ",
                                    *s.git->branch),
                        ExitCode::usage);
        }
    }
}

void Sources::pin(std::vector<spec::Service>& services)
{
    if (!m_options.pin) {
        return;
    }
    for (auto& s : services) {
        if (!s.git || s.git->commit) {
            continue;
        }
        if (auto r = git::pin(git(), *s.git)) {
            log(fmt::format("git: pinned {} to {} of {}: commit {}", s.name, describe(*r), s.git->repo, r->commit));
        }
    }
}

} // namespace kms::git
