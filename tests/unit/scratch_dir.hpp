#pragma once

#include <doctest/doctest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace kms::test {

// A fresh directory under the system temp dir (TMPDIR), removed with everything in it at scope
// exit. The test stops here when the directory cannot be made: every later step would only fail
// less clearly.
class ScratchDir
{
public:
    explicit ScratchDir(const std::string& prefix = "kms-unit")
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        const bool made = ::mkdtemp(tmpl.data()) != nullptr;
        const int err = errno;
        REQUIRE_MESSAGE(made, "mkdtemp " << tmpl << ": " << std::strerror(err));
        path = tmpl;
    }
    ~ScratchDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    std::filesystem::path path;
};

} // namespace kms::test
