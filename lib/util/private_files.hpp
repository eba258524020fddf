#pragma once

#include <functional>
#include <string>

// Files only the current user may read: token caches and request history. Directories are
// 0700, files 0600; writes are atomic (temporary file + rename) and a flock(2) lock file
// serializes processes that update the same entry.
namespace kms::util {

// Creates `dir` and its missing parents with mode 0700. An existing `dir` that group or others
// can access is tightened to 0700; one owned by another user is refused (kms::Error).
void ensure_private_dir(const std::string& dir);

// Replaces `path` with `content` atomically, mode 0600, through `path`.tmp.<pid>.<n>.
void write_private_file(const std::string& path, const std::string& content);

// Appends `text` with one write(2) on an O_APPEND descriptor (mode 0600 when created).
void append_private_file(const std::string& path, const std::string& text);

// Removes `path`; false when it did not exist.
bool remove_file(const std::string& path);

// An exclusive flock(2) on `path` (created 0600), held until destruction. When another process
// holds it, `on_wait` is called once before blocking (to tell the user why nothing happens).
class FileLock
{
public:
    explicit FileLock(const std::string& path, const std::function<void()>& on_wait = {});
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int m_fd = -1;
};

} // namespace kms::util
