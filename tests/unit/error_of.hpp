#pragma once

#include <util/error.hpp>

#include <doctest/doctest.h>

#include <string>

namespace kms::test {

// The message of the kms::Error `f` throws ("" when it throws nothing).
template <typename F>
std::string error_of(F f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

// The same for an error that must be bad input (exit code 2, nothing done).
template <typename F>
std::string usage_error_of(F f)
{
    try {
        f();
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::usage);
        return e.what();
    }
    return {};
}

} // namespace kms::test
