#pragma once

#include "fake_http.hpp"

#include <oidc/form.hpp>
#include <util/json.hpp>
#include <util/sha256.hpp>

#include <string>

// Shared by the tests of lib/oidc: tokens and form bodies.
namespace kms::test {

// An unsigned compact JWS with these claims (the signature segment is not checked anywhere).
inline std::string make_jwt(const Json& claims, const Json& header = Json{{"alg", "RS256"}, {"typ", "JWT"}})
{
    return util::base64_encode(header.dump(), true) + "." + util::base64_encode(claims.dump(), true) + ".c2ln";
}

// The value of `name` in a form-encoded body, "" when absent.
inline std::string form_value(const std::string& body, const std::string& name)
{
    std::string prefix = oidc::form_escape(name) + "=";
    std::size_t pos = 0;
    while (pos <= body.size()) {
        std::size_t end = body.find('&', pos);
        std::string part = body.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (part.rfind(prefix, 0) == 0) {
            return oidc::form_unescape(part.substr(prefix.size()));
        }
        if (end == std::string::npos) {
            break;
        }
        pos = end + 1;
    }
    return {};
}

inline http::Response json_answer(int status, const Json& body)
{
    return FakeHttp::answer(status, body.dump(), {{"Content-Type", "application/json"}});
}

} // namespace kms::test
