#include <util/error.hpp>
#include <util/fs.hpp>
#include <util/private_files.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kms::util {

namespace {

Error os_error(const char* what, const std::string& path, int err)
{
    return Error(fmt::format("cannot {} {}: {}", what, path, std::strerror(err)));
}

// Closes the descriptor on every path out of a scope.
struct Fd
{
    int fd;
    ~Fd()
    {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

// mkdir -p with mode 0700 for what it creates; existing parents are left as they are.
void make_dirs(const std::string& dir)
{
    std::size_t slash = dir.find_last_of('/');
    if (slash != std::string::npos && slash > 0) {
        std::string parent = dir.substr(0, slash);
        struct stat st
        {
        };
        if (::stat(parent.c_str(), &st) != 0) {
            make_dirs(parent);
        }
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw os_error("create directory", dir, errno);
    }
}

} // namespace

void ensure_private_dir(const std::string& dir)
{
    struct stat st
    {
    };
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) {
            throw os_error("access", dir, errno);
        }
        make_dirs(dir);
        if (::stat(dir.c_str(), &st) != 0) {
            throw os_error("access", dir, errno);
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        throw Error(fmt::format("{} is not a directory", dir));
    }
    if (st.st_uid != ::geteuid()) {
        throw Error(fmt::format("refusing to keep secrets in {}: it belongs to another user", dir));
    }
    if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0) {
        throw os_error("restrict the permissions of", dir, errno);
    }
}

void write_private_file(const std::string& path, const std::string& content)
{
    write_file_atomic(path, content, 0600);
}

void append_private_file(const std::string& path, const std::string& text)
{
    Fd f{::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600)};
    if (f.fd < 0) {
        throw os_error("write", path, errno);
    }
    write_all(f.fd, text, path);
}

bool remove_file(const std::string& path)
{
    if (::unlink(path.c_str()) == 0) {
        return true;
    }
    if (errno == ENOENT) {
        return false;
    }
    throw os_error("remove", path, errno);
}

FileLock::FileLock(const std::string& path, const std::function<void()>& on_wait)
{
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (m_fd < 0) {
        throw os_error("open the lock file", path, errno);
    }
    if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0) {
        return;
    }
    if (errno != EWOULDBLOCK) {
        int err = errno;
        ::close(m_fd);
        throw os_error("lock", path, err);
    }
    if (on_wait) {
        on_wait();
    }
    while (::flock(m_fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int err = errno;
            ::close(m_fd);
            throw os_error("lock", path, err);
        }
    }
}

FileLock::~FileLock()
{
    if (m_fd >= 0) {
        ::close(m_fd); // releases the flock
    }
}

} // namespace kms::util
