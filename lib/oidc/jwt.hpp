#pragma once

#include <util/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Unverified JWT inspection: what a token says about itself. Nothing here checks a signature;
// the gateway does that. Used for `token --decode`, expiry cross-checks and hints.
namespace kms::oidc {

struct Jwt
{
    Json header;
    Json claims;
};

// The header and claims of a compact JWS (three base64url segments, padding optional), or
// nullopt when `token` is not one (an opaque access token).
std::optional<Jwt> decode_jwt(std::string_view token);

// Seconds (a time or a duration) beyond this are nonsense from a broken or hostile server; they are
// treated as absent, so sums with "now" and conversions to clock time points cannot overflow.
inline constexpr std::int64_t k_max_seconds = 7'000'000'000; // the year 2191

// A JSON number as seconds, when it is one and within ±k_max_seconds.
std::optional<std::int64_t> seconds_value(const Json& v);

// A NumericDate claim (exp, iat, nbf) as seconds, when present, numeric and within range.
std::optional<std::int64_t> numeric_claim(const Json& claims, const char* name);

// `aud` is a string or an array (RFC 7519 §4.1.3); always a list here.
std::vector<std::string> audiences(const Json& claims);

// Keycloak roles: realm_access.roles as-is, resource_access.<client>.roles as "<client>:<role>".
std::vector<std::string> roles(const Json& claims);

// "2026-11-22T00:17:00Z".
std::string format_utc(std::int64_t unix_seconds);

// "in 4m59s", "3m0s ago", "now".
std::string format_relative(std::int64_t seconds_from_now);

// `token --decode` as text: a warning that nothing was verified, the usual claims with
// times, then every claim.
std::string describe_jwt(const Jwt& jwt, std::int64_t now);

// The same for -o json: {"verified": false, "header", "claims", "times": {...}}.
Json describe_jwt_json(const Jwt& jwt, std::int64_t now);

} // namespace kms::oidc
