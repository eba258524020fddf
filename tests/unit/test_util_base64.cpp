#include <doctest/doctest.h>
#include <util/base64.hpp>
#include <util/sha256.hpp>

using namespace kms;

TEST_SUITE_BEGIN("util");

TEST_CASE("util::base64_decode")
{
    CHECK(util::base64_decode("aGVsbG8=") == "hello");
    CHECK(util::base64_decode("aGVsbG8") == "hello");      // padding optional
    CHECK(util::base64_decode("aGVs\nbG8=\n") == "hello"); // wrapped PEM-style
    CHECK(util::base64_decode("-_8") == "\xfb\xff");       // URL alphabet
    CHECK(util::base64_decode("+/8=") == "\xfb\xff");
    CHECK(util::base64_decode("") == "");
    CHECK_FALSE(util::base64_decode("a$bc"));
    CHECK_FALSE(util::base64_decode("aGVsbG8=x")); // data after padding
    CHECK_FALSE(util::base64_decode("a"));         // 6 bits make no byte
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all += static_cast<char>(i);
    }
    CHECK(util::base64_decode(util::base64_encode(all)) == all);
    CHECK(util::base64_decode(util::base64_encode(all, true)) == all);
}

TEST_SUITE_END();
