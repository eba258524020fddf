#pragma once

#include <util/fs.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kms::util {

// A filesystem that serves paths starting with a mount prefix from another filesystem (with the
// prefix removed) and everything else from `base`. The spec loader reads services from git
// commits this way without knowing about git.
class MountFs : public Filesystem
{
public:
    explicit MountFs(Filesystem& base) : m_base(base) {}

    // Paths "<prefix>rest" go to `fs` as "rest". A prefix mounted twice keeps the first one.
    void mount(const std::string& prefix, std::unique_ptr<Filesystem> fs);
    bool mounted(const std::string& prefix) const;

    std::optional<std::string> read(const std::string& path) const override;
    bool is_directory(const std::string& path) const override;
    std::vector<std::string> list(const std::string& path) const override;
    void write_atomic(const std::string& path, const std::string& content, int mode) override;

private:
    Filesystem& m_base;
    std::vector<std::pair<std::string, std::unique_ptr<Filesystem>>> m_mounts;

    // The filesystem serving `path` and the path it knows it by.
    std::pair<Filesystem*, std::string> route(const std::string& path) const;
};

} // namespace kms::util
