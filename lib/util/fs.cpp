#include <util/error.hpp>
#include <util/fs.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kms::util {

namespace {

class RealFs : public Filesystem
{
public:
    std::optional<std::string> read(const std::string& path) const override
    {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) {
                return std::nullopt;
            }
            throw Error(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
        }
        std::string out;
        char buf[65536];
        while (true) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                int err = errno;
                ::close(fd);
                throw Error(fmt::format("cannot read {}: {}", path, std::strerror(err)));
            }
            if (n == 0) {
                break;
            }
            out.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fd);
        return out;
    }

    bool is_directory(const std::string& path) const override
    {
        struct stat st{};
        return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }

    std::vector<std::string> list(const std::string& path) const override
    {
        std::vector<std::string> out;
        DIR* d = ::opendir(path.c_str());
        if (d == nullptr) {
            throw Error(fmt::format("cannot list {}: {}", path, std::strerror(errno)));
        }
        while (auto* e = ::readdir(d)) {
            std::string name = e->d_name;
            if (name != "." && name != "..") {
                out.push_back(name);
            }
        }
        ::closedir(d);
        std::sort(out.begin(), out.end());
        return out;
    }

    void write_atomic(const std::string& path, const std::string& content, int mode) override
    {
        write_file_atomic(path, content, mode);
    }
};

Error write_error(const std::string& path, int err)
{
    return Error(fmt::format("cannot write {}: {}", path, std::strerror(err)));
}

} // namespace

void write_all(int fd, const std::string& content, const std::string& path)
{
    std::size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw write_error(path, errno);
        }
        done += static_cast<std::size_t>(n);
    }
}

void write_file_atomic(const std::string& path, const std::string& content, int mode)
{
    // The counter keeps two threads writing the same path apart.
    static std::atomic<unsigned> counter{0};
    std::string tmp = fmt::format("{}.tmp.{}.{}", path, ::getpid(), counter++);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        throw write_error(path, errno);
    }
    try {
        write_all(fd, content, path);
        if (::fsync(fd) != 0) {
            throw write_error(path, errno);
        }
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw write_error(path, err);
    }
}

Filesystem& real_fs()
{
    static RealFs fs;
    return fs;
}

std::optional<std::string> MemoryFs::read(const std::string& path) const
{
    auto it = files.find(path);
    if (it == files.end()) {
        return std::nullopt;
    }
    return it->second;
}

bool MemoryFs::is_directory(const std::string& path) const
{
    std::string prefix = path.ends_with('/') ? path : path + "/";
    return std::any_of(files.begin(), files.end(), [&](const auto& f) { return f.first.starts_with(prefix); });
}

std::vector<std::string> MemoryFs::list(const std::string& path) const
{
    std::string prefix = path.ends_with('/') ? path : path + "/";
    std::vector<std::string> out;
    for (const auto& [name, _] : files) {
        if (name.starts_with(prefix)) {
            std::string rest = name.substr(prefix.size());
            std::string entry = rest.substr(0, rest.find('/'));
            if (out.empty() || out.back() != entry) {
                out.push_back(entry);
            }
        }
    }
    return out;
}

void MemoryFs::write_atomic(const std::string& path, const std::string& content, int /*mode*/)
{
    files[path] = content;
}

std::string base_name(std::string path)
{
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    auto pos = path.rfind('/');
    return pos == std::string::npos ? path : path.substr(pos + 1);
}

std::string dir_name(const std::string& path)
{
    auto pos = path.rfind('/');
    if (pos == std::string::npos) {
        return ".";
    }
    return pos == 0 ? "/" : path.substr(0, pos);
}

} // namespace kms::util
