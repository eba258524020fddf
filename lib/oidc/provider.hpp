#pragma once

#include <http/http.hpp>
#include <util/json.hpp>

#include <chrono>
#include <string>
#include <vector>

// Where tokens come from: an issuer URL (OIDC discovery) or a Keycloak server and realm.
namespace kms::oidc {

// How the user named the identity provider. Exactly one form is set.
struct IssuerSpec
{
    std::string issuer;       // --issuer: discovery at {issuer}/.well-known/openid-configuration
    std::string keycloak_url; // --keycloak: {url}/realms/{realm}, else the legacy {url}/auth/realms/{realm}
    std::string realm;

    bool empty() const { return issuer.empty() && keycloak_url.empty(); }
    // The issuer URLs this spec may stand for, most likely first (Keycloak: modern, then legacy).
    std::vector<std::string> candidates() const;
    // For messages: the issuer, or "Keycloak URL realm R".
    std::string describe() const;
};

// What discovery tells us, kept in the token cache so later refreshes need no discovery.
struct ProviderInfo
{
    std::string issuer;
    std::string token_endpoint;
    std::string device_authorization_endpoint;
    std::string revocation_endpoint;
    std::string end_session_endpoint;
    std::vector<std::string> token_auth_methods; // token_endpoint_auth_methods_supported

    Json to_json() const;
    static ProviderInfo from_json(const Json& j);
};

// The result of discovery: the provider, and which candidate URL answered (the cache key's
// issuer, so the same flags find the entry again without network).
struct Discovery
{
    std::string requested_issuer;
    ProviderInfo provider;
};

// Fetches the discovery document(s) for `spec`. Errors name what was tried: an unknown Keycloak
// realm, no OIDC server at the URL, or a document whose `issuer` differs from the one asked for
// (gateways compare `iss` byte for byte, so that is an error, not a warning).
Discovery discover(http::Client& http, const IssuerSpec& spec, std::chrono::milliseconds timeout);

// Strips trailing slashes: "https://sso/realms/x/" and "https://sso/realms/x" are one issuer.
std::string normalize_issuer(std::string url);

} // namespace kms::oidc
