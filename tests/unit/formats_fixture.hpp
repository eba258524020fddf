#pragma once

// Loading Opta and pipeline files through the real loader (spec::load_services) from a MemoryFs
// that may hold several files, as `render -f FILE` does in a directory /repo.

#include "error_of.hpp"

#include <render/render.hpp>
#include <spec/config.hpp>
#include <spec/load.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>

namespace kms::test {

struct FormatsInput
{
    std::map<std::string, std::string> files; // path → text; "service.yaml" is given with -f
    spec::Overrides overrides{};
    spec::Config config{};
};

inline spec::Loaded load_formats(const FormatsInput& in)
{
    util::MemoryFs fs;
    fs.files = in.files;
    spec::LoadInput li;
    li.files = {"service.yaml"};
    li.cwd = "/repo";
    li.overrides = in.overrides;
    return spec::load_services(li, in.config, fs);
}

// The services of `in`; fails the test when loading throws.
inline spec::Loaded load_formats_ok(const FormatsInput& in)
{
    try {
        return load_formats(in);
    } catch (const Error& e) {
        FAIL("unexpected error: " << std::string(e.what()));
    }
    return {};
}

// The message load_services throws (exit code 2), or "" when it loads.
inline std::string load_formats_error(const FormatsInput& in)
{
    return usage_error_of([&] { load_formats(in); });
}

// True when one of `warnings` contains `text`.
inline bool has_warning(const std::vector<std::string>& warnings, const std::string& text)
{
    for (const auto& w : warnings) {
        if (w.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

} // namespace kms::test
