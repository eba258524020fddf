#include <util/quantity.hpp>

#include <doctest/doctest.h>

#include <string>

using kms::util::Quantity;

namespace {

// parse → times(2) → str, the path a limit takes from its request.
std::string doubled(const char* text)
{
    auto q = Quantity::parse(text);
    REQUIRE_MESSAGE(q.has_value(), text);
    return q->times(2).str();
}

} // namespace

TEST_SUITE("util::quantity")
{
    TEST_CASE("parse accepts Kubernetes quantities and keeps the suffix as written")
    {
        for (const char* text : {"100m", "2", "0.5", ".5", "1.25", "128Mi", "1Gi", "500M", "1e3", "1E3", "+1", "64Ki",
                                 "2Ti", "1Pi", "1Ei", "3k", "4G", "5T"}) {
            CAPTURE(text);
            CHECK(Quantity::parse(text).has_value());
        }
        auto q = Quantity::parse("128Mi");
        REQUIRE(q);
        CHECK(q->milli == 128000);
        CHECK(q->suffix == "Mi");
    }

    TEST_CASE("parse rejects what the API server would reject")
    {
        for (const char* text : {"", "lots", "m", "-1", "1.5.5Gi", "128MB", "1mi", "1 Gi", " 1", "1 ", "1GiB", "0x10",
                                 "1e", "1e999", "Gi", "."}) {
            CAPTURE(text);
            CHECK_FALSE(Quantity::parse(text).has_value());
        }
    }

    TEST_CASE("parse refuses numbers too large to double safely and sub-milli precision")
    {
        CHECK(Quantity::parse("1000000000000").has_value());
        CHECK_FALSE(Quantity::parse("1000000000001").has_value());
        CHECK_FALSE(Quantity::parse("99999999999999999999999").has_value());
        CHECK(Quantity::parse("0.001").has_value());
        CHECK_FALSE(Quantity::parse("0.0001").has_value());
    }

    TEST_CASE("str prints the shortest exact decimal")
    {
        CHECK(Quantity::parse("0.5")->str() == "0.5");
        CHECK(Quantity::parse("1.50")->str() == "1.5");
        CHECK(Quantity::parse("2.000")->str() == "2");
        CHECK(Quantity::parse("0.025")->str() == "0.025");
        CHECK(Quantity::parse("100m")->str() == "100m");
        CHECK(Quantity::parse("1e3")->str() == "1e3");
    }

    TEST_CASE("times(2) doubles in the request's own unit (limits = 2 × requests, seed 004)")
    {
        CHECK(doubled("100m") == "200m");
        CHECK(doubled("250m") == "500m");
        CHECK(doubled("128Mi") == "256Mi");
        CHECK(doubled("0.5") == "1");
        CHECK(doubled("1.5") == "3");
        CHECK(doubled("2") == "4");
        CHECK(doubled("300M") == "600M");
        CHECK(doubled("1e3") == "2e3");
        CHECK(doubled("0.75Gi") == "1.5Gi");
    }

    TEST_CASE("times(2) writes a whole number of the next unit up as Kubernetes prints it")
    {
        // The API server returns 1Gi for 1024Mi; writing it that way keeps diffs quiet.
        CHECK(doubled("500m") == "1");
        CHECK(doubled("1500m") == "3");
        CHECK(doubled("512Mi") == "1Gi");
        CHECK(doubled("512Ki") == "1Mi");
        CHECK(doubled("512Gi") == "1Ti");
        CHECK(doubled("1536Mi") == "3Gi");
        // Not a whole number of the next unit: unchanged.
        CHECK(doubled("768Mi") == "1536Mi");
        CHECK(doubled("750m") == "1500m");
    }

    TEST_CASE("value compares quantities across units")
    {
        CHECK(Quantity::parse("1Gi")->value() == doctest::Approx(1073741824.0));
        CHECK(Quantity::parse("500m")->value() == doctest::Approx(0.5));
        CHECK(Quantity::parse("1e3")->value() == doctest::Approx(1000.0));
        CHECK(Quantity::parse("1G")->value() < Quantity::parse("1Gi")->value());
        CHECK(Quantity::parse("1024Mi")->value() == doctest::Approx(Quantity::parse("1Gi")->value()));
    }
}
