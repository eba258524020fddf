#include <util/mount_fs.hpp>

namespace kms::util {

void MountFs::mount(const std::string& prefix, std::unique_ptr<Filesystem> fs)
{
    if (!mounted(prefix)) {
        m_mounts.emplace_back(prefix, std::move(fs));
    }
}

bool MountFs::mounted(const std::string& prefix) const
{
    for (const auto& [p, _] : m_mounts) {
        if (p == prefix) {
            return true;
        }
    }
    return false;
}

std::pair<Filesystem*, std::string> MountFs::route(const std::string& path) const
{
    for (const auto& [prefix, fs] : m_mounts) {
        if (path.starts_with(prefix)) {
            return {fs.get(), path.substr(prefix.size())};
        }
        // The mount point itself without its trailing '/' ("…//" given as "…/").
        if (prefix.ends_with('/') && path == prefix.substr(0, prefix.size() - 1)) {
            return {fs.get(), std::string()};
        }
    }
    return {&m_base, path};
}

std::optional<std::string> MountFs::read(const std::string& path) const
{
    auto [fs, p] = route(path);
    return fs->read(p);
}

bool MountFs::is_directory(const std::string& path) const
{
    auto [fs, p] = route(path);
    return fs->is_directory(p);
}

std::vector<std::string> MountFs::list(const std::string& path) const
{
    auto [fs, p] = route(path);
    return fs->list(p);
}

void MountFs::write_atomic(const std::string& path, const std::string& content, int mode)
{
    auto [fs, p] = route(path);
    fs->write_atomic(p, content, mode);
}

} // namespace kms::util
