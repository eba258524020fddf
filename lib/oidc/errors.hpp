#pragma once

#include <http/http.hpp>
#include <util/error.hpp>

#include <string>
#include <string_view>

// OAuth 2.0 error answers (RFC 6749 §5.2, RFC 8628 §3.5) and the one-line advice a user needs.
// Classification is by (HTTP status, `error`), never by the description: Keycloak has reworded
// and re-coded these between releases. The description is quoted verbatim.
namespace kms::oidc {

enum class Grant
{
    password,
    client_credentials,
    refresh_token,
    device_code,
};

// The grant_type form value.
std::string_view grant_type_value(Grant g);

struct OAuthError
{
    int status = 0;
    std::string error;       // "" when the body was not an OAuth error object
    std::string description; // error_description, may be ""
};

// The OAuth error in a token/device endpoint answer (lenient: any JSON object with `error`).
OAuthError parse_oauth_error(const http::Response& resp);

// What the messages may name. Never a secret.
struct ErrorContext
{
    std::string issuer;
    std::string client_id;
    std::string username;
    std::string login_command; // how to log in again, e.g. "kubectl microservice token --keycloak …"
};

// The refresh token is no longer usable (expired, logged out, revoked): log in again.
bool session_ended(const OAuthError& e);

// The actionable error for a failed grant.
Error grant_error(Grant grant, const OAuthError& e, const ErrorContext& ctx);

} // namespace kms::oidc
