#include "oidc_fixtures.hpp"

#include <oidc/jwt.hpp>

#include <doctest/doctest.h>

#include <limits>

using namespace kms;

namespace {

Json keycloak_claims()
{
    return Json{{"exp", 1700000300},
                {"iat", 1700000000},
                {"iss", "http://127.0.0.1:8080/realms/test"},
                {"aud", Json::array({"api", "account"})},
                {"sub", "f1e2"},
                {"typ", "Bearer"},
                {"azp", "istio"},
                {"scope", "openid profile"},
                {"preferred_username", "alice"},
                {"realm_access", {{"roles", Json::array({"user", "dev"})}}},
                {"resource_access", {{"account", {{"roles", Json::array({"manage-account"})}}}}}};
}

} // namespace

TEST_SUITE_BEGIN("oidc");

TEST_CASE("oidc::decode_jwt reads unpadded base64url segments")
{
    // Claims whose base64url form needs padding and uses '-' / '_'.
    Json claims{{"sub", "?~>?~>"}, {"n", 1}};
    auto jwt = oidc::decode_jwt(test::make_jwt(claims));
    REQUIRE(jwt);
    CHECK(jwt->claims == claims);
    CHECK(jwt->header["alg"] == "RS256");
}

TEST_CASE("oidc::decode_jwt rejects opaque and malformed tokens")
{
    CHECK_FALSE(oidc::decode_jwt("2YotnFZFEjr1zCsicMWpAA"));
    CHECK_FALSE(oidc::decode_jwt("a.b"));
    CHECK_FALSE(oidc::decode_jwt("a.b.c.d"));
    CHECK_FALSE(oidc::decode_jwt(util::base64_encode("[1]", true) + "." + util::base64_encode("{}", true) + ".x"));
    CHECK_FALSE(oidc::decode_jwt(util::base64_encode("{}", false) + "=.e30.x")); // padded: not base64url
}

TEST_CASE("oidc::audiences accepts a string or an array; roles flattens Keycloak's claims")
{
    CHECK(oidc::audiences(Json{{"aud", "api"}}) == std::vector<std::string>{"api"});
    CHECK(oidc::audiences(keycloak_claims()) == std::vector<std::string>{"api", "account"});
    CHECK(oidc::audiences(Json::object()).empty());
    CHECK(oidc::roles(keycloak_claims()) == std::vector<std::string>{"user", "dev", "account:manage-account"});
}

TEST_CASE("oidc::format_utc and format_relative")
{
    CHECK(oidc::format_utc(0) == "1970-01-01T00:00:00Z");
    CHECK(oidc::format_utc(1700000000) == "2023-11-14T22:13:20Z");
    CHECK(oidc::format_relative(90) == "in 1m30s");
    CHECK(oidc::format_relative(-5) == "5s ago");
    CHECK(oidc::format_relative(0) == "now");
}

TEST_CASE("oidc::describe_jwt says it is unverified and shows the claims a user looks for")
{
    auto jwt = oidc::decode_jwt(test::make_jwt(keycloak_claims()));
    REQUIRE(jwt);
    std::string text = oidc::describe_jwt(*jwt, 1700000100);
    CHECK(text.find("NOT checked") != std::string::npos);
    CHECK(text.find("preferred_username: alice") != std::string::npos);
    CHECK(text.find("authorized party:   istio") != std::string::npos);
    CHECK(text.find("audience:           api, account") != std::string::npos);
    CHECK(text.find("roles:              user, dev, account:manage-account") != std::string::npos);
    CHECK(text.find("expires:            2023-11-14T22:18:20Z (in 3m20s)") != std::string::npos);
    CHECK(text.find("issued at:          2023-11-14T22:13:20Z (1m40s ago)") != std::string::npos);

    Json j = oidc::describe_jwt_json(*jwt, 1700000100);
    CHECK(j["verified"] == false);
    CHECK(j["times"]["exp"]["seconds_from_now"] == 200);
    CHECK(j["claims"]["azp"] == "istio");
}

TEST_SUITE_END();

TEST_CASE("oidc::seconds_value refuses times no clock can hold")
{
    CHECK(oidc::seconds_value(Json(1700000300)) == 1700000300);
    CHECK(oidc::seconds_value(Json(-5)) == -5);
    CHECK(oidc::seconds_value(Json(1.5e9)) == 1500000000);
    CHECK(oidc::seconds_value(Json(oidc::k_max_seconds)) == oidc::k_max_seconds);
    // Out of range: absent, so "now + expires_in" and time_point conversions cannot overflow.
    CHECK_FALSE(oidc::seconds_value(Json(oidc::k_max_seconds + 1)));
    CHECK_FALSE(oidc::seconds_value(Json(1e300)));
    CHECK_FALSE(oidc::seconds_value(Json(-1e300)));
    CHECK_FALSE(oidc::seconds_value(Json(std::numeric_limits<std::int64_t>::min())));
    CHECK_FALSE(oidc::seconds_value(Json(std::numeric_limits<std::uint64_t>::max())));
    CHECK_FALSE(oidc::seconds_value(Json("300")));
    CHECK_FALSE(oidc::numeric_claim(Json::array(), "exp"));
    auto jwt = oidc::decode_jwt(test::make_jwt(Json{{"exp", 1e300}, {"iat", -9223372036854775807LL}}));
    REQUIRE(jwt);
    CHECK_FALSE(oidc::numeric_claim(jwt->claims, "exp"));
    CHECK(oidc::describe_jwt(*jwt, 1700000000).find("1e+300") != std::string::npos); // still listed as a claim
}
