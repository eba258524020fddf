#pragma once

#include <oidc/token_source.hpp>
#include <spec/config.hpp>
#include <util/env.hpp>

#include <string>
#include <vector>

// Which token the user asks for: flags first, then the named profile (--profile), then
// $KMS_USERNAME, then the user config's `keycloak:` section, then the defaults (client istio,
// the password grant).
namespace kms::oidc {

// The identity-provider flags as given ("" = not given).
struct LoginSettings
{
    std::string profile; // a name under the user config's `profiles:`
    std::string issuer;
    std::string keycloak;
    std::string realm;
    std::string client_id;
    std::string grant;
    std::string username;
    std::vector<std::string> scopes;
    std::string client_auth;

    // True when any flag naming the identity provider or the login was given.
    bool any() const;
};

// Throws a usage error for contradictory or incomplete flags, and when no identity provider is
// named anywhere.
TokenRequest resolve_token_request(const LoginSettings& s, const spec::Config& config, const util::Environment& env);

} // namespace kms::oidc
