#include <doctest/doctest.h>
#include <util/duration.hpp>
#include <util/rfc3339.hpp>

using namespace kms;
using std::chrono::milliseconds;

TEST_SUITE_BEGIN("util");

TEST_CASE("util::parse_duration and format_duration")
{
    CHECK(util::parse_duration("30s") == milliseconds(30000));
    CHECK(util::parse_duration("1m30s") == milliseconds(90000));
    CHECK(util::parse_duration("1.5h") == milliseconds(5400000));
    CHECK(util::parse_duration("250ms") == milliseconds(250));
    CHECK(util::parse_duration("10") == milliseconds(10000)); // bare seconds, as kubectl's --request-timeout
    CHECK(util::parse_duration("0") == milliseconds(0));
    for (const char* bad : { "", "s", "10x", "-5s", "1m-1s", "soon", "9999999999" }) {
        CHECK_FALSE(util::parse_duration(bad));
    }
    CHECK(util::format_duration(milliseconds(90000)) == "1m30s");
    CHECK(util::format_duration(milliseconds(3600000)) == "1h");
    CHECK(util::format_duration(milliseconds(250)) == "250ms");
    CHECK(util::format_duration(milliseconds(0)) == "0s");
}

TEST_CASE("util::rfc3339")
{
    auto t = util::parse_rfc3339("2026-01-02T03:04:05Z");
    REQUIRE(t);
    CHECK(util::format_rfc3339(*t) == "2026-01-02T03:04:05Z");
    CHECK(util::parse_rfc3339("2026-01-02T05:04:05+02:00") == t);
    CHECK(*util::parse_rfc3339("2026-01-02T03:04:05.5Z") - *t == milliseconds(500));
    // Years the nanosecond clock cannot hold are not times at all (no overflow).
    CHECK_FALSE(util::parse_rfc3339("1014-01-02T03:04:05Z"));
    CHECK_FALSE(util::parse_rfc3339("9999-12-31T23:59:59Z"));
    CHECK(util::parse_rfc3339("2261-01-01T00:00:00Z"));
    for (const char* bad : { "",
                             "2026-01-02",
                             "2026-13-02T03:04:05Z",
                             "2026-02-30T03:04:05Z",
                             "2026-01-02T03:04:05",
                             "2026-01-02T03:04:05Zjunk" }) {
        CHECK_FALSE(util::parse_rfc3339(bad));
    }
}

TEST_SUITE_END();
