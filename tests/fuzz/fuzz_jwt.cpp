// Fuzzes unverified JWT decoding (`token --decode`, expiry cross-checks): the input is used as a
// compact token as-is, and as the claims and header segments of one, so the JSON inside is
// reached too. Nothing may throw: a token that is not a JWT is simply opaque.
#include "fuzz_common.hpp"

#include <oidc/jwt.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

std::string base64url(const std::string& in)
{
    static const char* k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += k_alphabet[(acc >> bits) & 63U];
        }
    }
    if (bits > 0) {
        out += k_alphabet[(acc << (6 - bits)) & 63U];
    }
    return out;
}

void inspect(std::string_view token)
{
    auto jwt = kms::oidc::decode_jwt(token);
    if (!jwt) {
        return;
    }
    for (std::int64_t now : {std::int64_t{0}, std::int64_t{1'700'000'000}, std::int64_t{-1}}) {
        std::string text = kms::oidc::describe_jwt(*jwt, now);
        kms::Json j = kms::oidc::describe_jwt_json(*jwt, now);
        (void)j.dump(2); // as `token --decode -o json` prints it
    }
    (void)kms::oidc::audiences(jwt->claims);
    (void)kms::oidc::roles(jwt->claims);
    for (const char* claim : {"exp", "iat", "nbf"}) {
        if (auto v = kms::oidc::numeric_claim(jwt->claims, claim)) {
            (void)kms::oidc::format_utc(*v);
            (void)kms::oidc::format_relative(*v);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    kms::fuzz::Input in(data, size);
    inspect(in.all());
    inspect("eyJhbGciOiJSUzI1NiJ9." + base64url(in.all()) + ".c2ln");
    inspect(base64url(in.all()) + ".e30.");
    return 0;
}
