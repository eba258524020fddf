#include <oidc/jwt.hpp>
#include <util/base64.hpp>
#include <util/duration.hpp>
#include <util/rfc3339.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

#include <chrono>

namespace kms::oidc {

namespace {

std::optional<Json> decode_segment(std::string_view seg)
{
    // base64url only: a '+' or '/' means this is not a JWS segment.
    if (seg.empty() || seg.find_first_of("+/= \n") != std::string_view::npos) {
        return std::nullopt;
    }
    auto bytes = util::base64_decode(seg);
    if (!bytes) {
        return std::nullopt;
    }
    Json j = Json::parse(*bytes, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return std::nullopt;
    }
    return j;
}

std::string claim_text(const Json& v)
{
    return v.is_string() ? v.get<std::string>() : v.dump();
}

} // namespace

std::optional<Jwt> decode_jwt(std::string_view token)
{
    auto parts = util::split(token, '.');
    if (parts.size() != 3) {
        return std::nullopt;
    }
    auto header = decode_segment(parts[0]);
    auto claims = decode_segment(parts[1]);
    if (!header || !claims) {
        return std::nullopt;
    }
    return Jwt{*header, *claims};
}

std::optional<std::int64_t> seconds_value(const Json& v)
{
    auto in_range = [](auto x) { return x >= -k_max_seconds && x <= k_max_seconds; };
    if (v.is_number_unsigned()) {
        auto u = v.get<std::uint64_t>();
        return u <= static_cast<std::uint64_t>(k_max_seconds) ? std::optional<std::int64_t>(u) : std::nullopt;
    }
    if (v.is_number_integer()) {
        auto i = v.get<std::int64_t>();
        return in_range(i) ? std::optional<std::int64_t>(i) : std::nullopt;
    }
    if (v.is_number_float()) {
        // Checked as a double first: casting an out-of-range double to an integer is undefined.
        double d = v.get<double>();
        return in_range(d) ? std::optional<std::int64_t>(static_cast<std::int64_t>(d)) : std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::int64_t> numeric_claim(const Json& claims, const char* name)
{
    if (!claims.is_object()) {
        return std::nullopt;
    }
    auto it = claims.find(name);
    return it == claims.end() ? std::nullopt : seconds_value(*it);
}

std::vector<std::string> audiences(const Json& claims)
{
    std::vector<std::string> out;
    auto it = claims.find("aud");
    if (it == claims.end()) {
        return out;
    }
    if (it->is_string()) {
        out.push_back(it->get<std::string>());
    } else if (it->is_array()) {
        for (const auto& a : *it) {
            out.push_back(claim_text(a));
        }
    }
    return out;
}

std::vector<std::string> roles(const Json& claims)
{
    std::vector<std::string> out;
    auto realm = claims.find("realm_access");
    if (realm != claims.end() && realm->is_object() && realm->contains("roles") && (*realm)["roles"].is_array()) {
        for (const auto& r : (*realm)["roles"]) {
            out.push_back(claim_text(r));
        }
    }
    auto resource = claims.find("resource_access");
    if (resource != claims.end() && resource->is_object()) {
        for (const auto& [client, access] : resource->items()) {
            if (access.is_object() && access.contains("roles") && access["roles"].is_array()) {
                for (const auto& r : access["roles"]) {
                    out.push_back(client + ":" + claim_text(r));
                }
            }
        }
    }
    return out;
}

std::string format_utc(std::int64_t unix_seconds)
{
    return util::format_rfc3339(util::SysTime(std::chrono::seconds(unix_seconds)));
}

std::string format_relative(std::int64_t seconds_from_now)
{
    if (seconds_from_now == 0) {
        return "now";
    }
    auto abs = std::chrono::seconds(seconds_from_now < 0 ? -seconds_from_now : seconds_from_now);
    std::string d = util::format_duration(abs);
    return seconds_from_now > 0 ? "in " + d : d + " ago";
}

std::string describe_jwt(const Jwt& jwt, std::int64_t now)
{
    const Json& c = jwt.claims;
    std::string out = "JWT, decoded without verification: the signature, issuer and audience are NOT checked\n";
    auto line = [&](std::string_view label, const std::string& value) {
        if (!value.empty()) {
            out += fmt::format("{:<19} {}\n", std::string(label) + ":", value);
        }
    };
    auto text = [&](const char* name) { return c.contains(name) ? claim_text(c[name]) : std::string(); };
    auto time_of = [&](const char* name) {
        auto t = numeric_claim(c, name);
        return t ? fmt::format("{} ({})", format_utc(*t), format_relative(*t - now)) : std::string();
    };
    line("algorithm", jwt.header.contains("alg") ? claim_text(jwt.header["alg"]) : "");
    line("type", jwt.header.contains("typ") ? claim_text(jwt.header["typ"]) : "");
    line("key id", jwt.header.contains("kid") ? claim_text(jwt.header["kid"]) : "");
    line("issuer", text("iss"));
    line("subject", text("sub"));
    line("preferred_username", text("preferred_username"));
    line("authorized party", text("azp"));
    line("client id", text("client_id"));
    line("audience", util::join(audiences(c), ", "));
    line("scope", text("scope"));
    line("roles", util::join(roles(c), ", "));
    line("issued at", time_of("iat"));
    line("not before", time_of("nbf"));
    line("expires", time_of("exp"));
    out += "header: " + jwt.header.dump(2) + "\n";
    out += "claims: " + c.dump(2) + "\n";
    return out;
}

Json describe_jwt_json(const Jwt& jwt, std::int64_t now)
{
    Json times = Json::object();
    for (const char* name : {"iat", "nbf", "exp"}) {
        if (auto t = numeric_claim(jwt.claims, name)) {
            times[name] = {{"utc", format_utc(*t)}, {"seconds_from_now", *t - now}};
        }
    }
    return Json{{"verified", false},          {"header", jwt.header},
                {"claims", jwt.claims},       {"audiences", audiences(jwt.claims)},
                {"roles", roles(jwt.claims)}, {"times", times}};
}

} // namespace kms::oidc
