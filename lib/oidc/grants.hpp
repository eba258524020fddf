#pragma once

#include <http/http.hpp>
#include <oidc/errors.hpp>
#include <oidc/form.hpp>
#include <oidc/provider.hpp>
#include <util/clock.hpp>
#include <util/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

// The OAuth 2.0 grants against one token endpoint: password, client credentials, refresh and
// the device authorization grant (RFC 8628), plus revocation (RFC 7009).
namespace kms::oidc {

// Unix seconds from a clock.
std::int64_t unix_now(const util::Clock& clock);

struct TokenSet
{
    std::string access_token;
    std::string refresh_token; // "" when none was issued (client credentials)
    std::string id_token;
    std::string token_type;
    std::string scope;
    std::int64_t received_at = 0;
    std::int64_t expires_at = 0;         // from expires_in at receipt (else the JWT's exp); 0: unknown
    std::int64_t refresh_expires_at = 0; // 0: unknown or does not expire on its own

    Json to_json() const;
    static TokenSet from_json(const Json& j);
};

struct ClientAuth
{
    std::string client_id;
    std::optional<std::string> secret; // confidential clients only
    std::string method;                // "basic", "post", or "" = Basic unless the server advertises only post
};

struct DeviceAuthorization
{
    std::string device_code; // never shown
    std::string user_code;
    std::string verification_uri;
    std::string verification_uri_complete;
    std::int64_t expires_at = 0;
    int interval = 5; // seconds; RFC 8628 §3.2 default
};

class GrantClient
{
public:
    GrantClient(http::Client& http, ProviderInfo provider, ClientAuth client, util::Clock& clock,
                std::chrono::milliseconds timeout, ErrorContext context);

    TokenSet password(const std::string& username, const std::string& password, const std::string& scope);
    TokenSet client_credentials(const std::string& scope);
    // nullopt when the session has ended (the refresh token is invalid, expired or revoked).
    std::optional<TokenSet> refresh(const std::string& refresh_token);
    DeviceAuthorization start_device(const std::string& scope);
    // Polls until the user approves: waits `interval` between polls, adds 5 s on slow_down, and
    // stops with an error on access_denied, expired_token or when the code's lifetime is over.
    TokenSet poll_device(DeviceAuthorization device);
    // RFC 7009 revocation of one token; `hint` is "refresh_token" or "access_token".
    void revoke(const std::string& token, std::string_view hint);
    // Keycloak's legacy logout (POST end_session_endpoint with the refresh token), for servers
    // without a revocation endpoint.
    void end_session(const std::string& refresh_token);

    const ProviderInfo& provider() const { return m_provider; }

private:
    http::Response post(const std::string& url, Form form);
    TokenSet tokens_from(const http::Response& resp, Grant grant);

    http::Client& m_http;
    ProviderInfo m_provider;
    ClientAuth m_client;
    util::Clock& m_clock;
    std::chrono::milliseconds m_timeout;
    ErrorContext m_context;
};

} // namespace kms::oidc
