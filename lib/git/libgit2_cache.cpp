// The bare repository caches under $XDG_CACHE_HOME/kubectl-microservice/git: naming, locking,
// creation and repair after a killed fetch.
#include <git/libgit2_common.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kms::git {

namespace {

// mkdir -p with private permissions: caches may hold private code.
void make_dirs(const std::string& path)
{
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        std::string part = path.substr(0, pos);
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
            throw Error(fmt::format("cannot create the git cache directory {}: {}", part, std::strerror(errno)));
        }
    }
}

int remove_entry(const char* path, const struct stat* /*st*/, int /*flag*/, struct FTW* /*ftw*/)
{
    ::remove(path);
    return 0;
}

void remove_tree(const std::string& path)
{
    ::nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

// Lock files a killed libgit2 left behind ("refs/heads/main.lock", "packed-refs.lock", …) would
// make every later fetch fail, and half-received packs ("pack_git2_*") are dead weight. Nothing
// else writes to the cache while we hold its lock, so both are safe to remove.
void sweep(const std::string& dir, bool pack_dir)
{
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        return;
    }
    std::vector<std::string> subdirs;
    while (auto* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") {
            continue;
        }
        std::string path = dir + "/" + name;
        struct stat st{};
        if (::lstat(path.c_str(), &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            subdirs.push_back(name);
        } else if (name.ends_with(".lock") || (pack_dir && name.find("_git2_") != std::string::npos)) {
            ::unlink(path.c_str());
        }
    }
    ::closedir(d);
    for (const auto& name : subdirs) {
        // Loose objects never carry lock files; skip the 256 fan-out directories.
        if (name.size() == 2 && dir.ends_with("/objects")) {
            continue;
        }
        sweep(dir + "/" + name, name == "pack");
    }
}

// Directories "<key>.tmp-<pid>" of a creation that was killed before its rename.
void remove_stale_creations(const std::string& path)
{
    auto slash = path.rfind('/');
    std::string parent = path.substr(0, slash);
    std::string prefix = path.substr(slash + 1) + ".tmp-";
    DIR* d = ::opendir(parent.c_str());
    if (d == nullptr) {
        return;
    }
    std::vector<std::string> stale;
    while (auto* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.starts_with(prefix)) {
            stale.push_back(parent + "/" + name);
        }
    }
    ::closedir(d);
    for (const auto& p : stale) {
        remove_tree(p);
    }
}

std::string stored_url(git_repository* repo)
{
    git_config* raw = nullptr;
    if (git_repository_config_snapshot(&raw, repo) != 0) {
        return {};
    }
    ConfigPtr cfg(raw);
    const char* value = nullptr;
    return git_config_get_string(&value, cfg.get(), "kms.url") == 0 ? std::string(value) : std::string();
}

// Creates the bare repository under a temporary name and renames it into place, so the cache
// directory either does not exist or is a complete repository.
void create_cache(const std::string& path, const std::string& url)
{
    std::string tmp = fmt::format("{}.tmp-{}", path, ::getpid());
    remove_tree(tmp);
    git_repository* raw = nullptr;
    if (git_repository_init(&raw, tmp.c_str(), 1) != 0) {
        throw Error(fmt::format("cannot create the git cache {}: {}", path, last_error()));
    }
    RepoPtr repo(raw);
    git_config* cfg_raw = nullptr;
    if (git_repository_config(&cfg_raw, repo.get()) != 0) {
        throw Error(fmt::format("cannot configure the git cache {}: {}", path, last_error()));
    }
    ConfigPtr cfg(cfg_raw);
    if (git_config_set_string(cfg.get(), "kms.url", url.c_str()) != 0) {
        throw Error(fmt::format("cannot configure the git cache {}: {}", path, last_error()));
    }
    cfg.reset();
    repo.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        remove_tree(tmp);
        throw Error(fmt::format("cannot create the git cache {}: {}", path, std::strerror(err)));
    }
}

} // namespace

CacheLock::CacheLock(const std::string& path, const Options& options, const std::string& url)
{
    make_dirs(path.substr(0, path.rfind('/')));
    std::string lock = path + ".lock";
    m_fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0) {
        throw Error(fmt::format("cannot open the git cache lock {}: {}", lock, std::strerror(errno)));
    }
    if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0) {
        return;
    }
    if (options.verbosity >= 1 && options.log) {
        options.log(fmt::format("git: waiting for another process fetching {}", url));
    }
    while (::flock(m_fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int err = errno;
            ::close(m_fd);
            throw Error(fmt::format("cannot lock the git cache {}: {}", lock, std::strerror(err)));
        }
    }
}

CacheLock::~CacheLock()
{
    ::close(m_fd); // releases the flock
}

std::string cache_key(std::string_view url)
{
    // FNV-1a 64: short and stable; the cache records its URL, so a collision is detected.
    std::uint64_t h = 14695981039346656037ULL;
    for (char c : url) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    UrlParts parts = split_url(url);
    std::string_view path = url;
    while (path.ends_with('/')) {
        path.remove_suffix(1);
    }
    std::string_view base = path.substr(path.find_last_of("/:") == std::string_view::npos ? 0
                                                                                         : path.find_last_of("/:") + 1);
    if (base.ends_with(".git")) {
        base.remove_suffix(4);
    }
    std::string slug;
    for (char c : (parts.host.empty() ? std::string() : parts.host + "-") + std::string(base)) {
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
        slug += keep ? c : '_';
    }
    return fmt::format("{}-{:016x}", slug.substr(0, 64), h);
}

RepoPtr open_cache(const std::string& path)
{
    git_repository* raw = nullptr;
    if (git_repository_open_bare(&raw, path.c_str()) != 0) {
        return nullptr;
    }
    return RepoPtr(raw);
}

void repair_cache(const std::string& path)
{
    sweep(path, false);
}

RepoPtr prepare_cache(const std::string& path, const std::string& url, const Options& options)
{
    remove_stale_creations(path);
    struct stat st{};
    if (::stat(path.c_str(), &st) == 0) {
        sweep(path, false);
        RepoPtr repo = open_cache(path);
        if (repo && stored_url(repo.get()) == url) {
            return repo;
        }
        if (repo) {
            throw Error(fmt::format("the git cache {} belongs to {}, not {}: remove it", path, stored_url(repo.get()),
                                    url));
        }
        if (options.verbosity >= 1 && options.log) {
            options.log(fmt::format("git: the cache {} is damaged ({}); rebuilding it", path, last_error()));
        }
        remove_tree(path);
    }
    create_cache(path, url);
    RepoPtr repo = open_cache(path);
    if (!repo) {
        throw Error(fmt::format("cannot open the git cache {}: {}", path, last_error()));
    }
    return repo;
}

} // namespace kms::git
