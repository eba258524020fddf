#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

// application/x-www-form-urlencoded, the body format of every OAuth 2.0 token request.
namespace kms::oidc {

using Form = std::vector<std::pair<std::string, std::string>>;

// One name or value: unreserved characters (RFC 3986) stay, space becomes '+', everything else
// is %XX with upper-case hex (the WHATWG / Java URLEncoder form Keycloak decodes).
std::string form_escape(std::string_view s);

// "a=1&b=two+words", in the given order.
std::string form_encode(const Form& form);

// The inverse of form_escape; a malformed %-escape is kept as written.
std::string form_unescape(std::string_view s);

// The Authorization header value for client_secret_basic: RFC 6749 §2.3.1 form-encodes the id
// and the secret before base64, so secrets with ':' or '%' survive.
std::string basic_authorization(std::string_view client_id, std::string_view secret);

} // namespace kms::oidc
