#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kms::util {

// The filesystem as the rest of the code sees it; tests swap in MemoryFs.
class Filesystem
{
public:
    virtual ~Filesystem() = default;
    // The whole file, or nullopt when it does not exist. Other failures throw kms::Error.
    virtual std::optional<std::string> read(const std::string& path) const = 0;
    virtual bool is_directory(const std::string& path) const = 0;
    // Names (not paths) of the entries of a directory, sorted.
    virtual std::vector<std::string> list(const std::string& path) const = 0;
    // Writes via a temporary file and rename, so readers never see a partial file.
    virtual void write_atomic(const std::string& path, const std::string& content, int mode = 0644) = 0;
};

Filesystem& real_fs();

// An in-memory filesystem for tests. Directories are implied by the files' paths.
class MemoryFs : public Filesystem
{
public:
    std::map<std::string, std::string> files;

    std::optional<std::string> read(const std::string& path) const override;
    bool is_directory(const std::string& path) const override;
    std::vector<std::string> list(const std::string& path) const override;
    void write_atomic(const std::string& path, const std::string& content, int mode) override;
};

// real_fs().write_atomic, for code that only ever writes real files: `content` goes to a new
// `path`.tmp.<pid>.<n> (O_EXCL, not through a link, `mode` before the umask), is fsync'ed and renamed
// over `path`; on failure the temporary file is removed and the kms::Error names `path`.
void write_file_atomic(const std::string& path, const std::string& content, int mode);
// All of `content` to `fd`, through short writes and EINTR; errors name `path`.
void write_all(int fd, const std::string& content, const std::string& path);

// The last path component without trailing slashes ("/a/b/" → "b").
std::string base_name(std::string path);
// The directory part ("a/b/c.yaml" → "a/b", "c.yaml" → ".").
std::string dir_name(const std::string& path);

} // namespace kms::util
