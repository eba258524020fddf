#pragma once

#include <http/http.hpp>
#include <oidc/cache.hpp>
#include <oidc/grants.hpp>
#include <oidc/provider.hpp>
#include <util/clock.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

// Getting a usable access token: from the cache while it is fresh, else by refreshing it, else
// by logging in again, with a lock so parallel processes refresh once.
namespace kms::oidc {

enum class LoginGrant
{
    password,
    client_credentials,
    device,
};
std::string_view to_string(LoginGrant g);
std::optional<LoginGrant> parse_login_grant(std::string_view s);

struct TokenRequest
{
    IssuerSpec where;
    std::string client_id = "istio";
    LoginGrant grant = LoginGrant::password;
    std::string username;
    std::vector<std::string> scopes;
    std::string client_auth_method; // "", "basic" or "post"
    bool force_refresh = false;     // ignore a fresh cached access token

    // The cache keys this request may be stored under, one per candidate issuer.
    std::vector<CacheKey> keys() const;
    // The command that logs in again, for messages (no secrets).
    std::string login_command() const;
};

// What a login needs, asked for only when a login actually happens.
struct LoginInputs
{
    std::function<std::string(const std::string& username, const std::string& issuer)> password;
    std::function<std::optional<std::string>()> client_secret;
    std::function<void(const DeviceAuthorization&)> show_device_code;
    // Progress for stderr: level 0 always, higher levels only at that -v.
    std::function<void(int level, const std::string& message)> log;
};

// The outside world. `http` is called on first use only, so a cache hit loads no libcurl.
struct TokenServices
{
    std::function<http::Client&()> http;
    TokenStore& store;
    util::Clock& clock;
    std::chrono::milliseconds timeout{30000};
};

// Seconds before expiry at which a token counts as stale: 30, or half the lifetime of tokens
// shorter than a minute (else they would never be reused).
std::int64_t refresh_margin(const TokenSet& t);
bool is_fresh(const TokenSet& t, std::int64_t now);

struct LogoutResult
{
    bool found = false;                // there was a cached entry
    bool revoked = false;              // the server confirmed revocation / logout
    std::vector<std::string> problems; // why revocation did not happen; the entry is deleted anyway
};

class TokenSource
{
public:
    TokenSource(TokenServices services, LoginInputs inputs);

    CachedToken get(const TokenRequest& req);
    // After a gateway rejected `rejected` as expired: a newer token, refreshed unless another
    // process already renewed it.
    CachedToken renew(const TokenRequest& req, const std::string& rejected);
    LogoutResult logout(const TokenRequest& req);

private:
    std::optional<CachedToken> load_any(const std::vector<CacheKey>& keys);
    CachedToken refresh_or_login(const TokenRequest& req, std::optional<CachedToken> cached);
    CachedToken login(const TokenRequest& req);
    ClientAuth client_auth(const TokenRequest& req);
    ErrorContext context(const TokenRequest& req, const std::string& issuer) const;
    void log(int level, const std::string& message) const;

    TokenServices m_services;
    LoginInputs m_inputs;
};

} // namespace kms::oidc
