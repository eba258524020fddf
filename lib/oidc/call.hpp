#pragma once

#include <http/http.hpp>
#include <oidc/token_source.hpp>
#include <util/clock.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// `call`: one HTTP request to a service, with a bearer token that is renewed once when the
// gateway says it expired, and the gateway's JWT errors turned into hints.
namespace kms::oidc {

// Exit codes of `call`, so scripts can branch (README "Exit codes").
enum class CallExit : int
{
    ok = 0,           // 2xx
    failure = 1,      // no request was made or it could not be judged: token, file, body limits
    usage = 2,        // bad flags
    redirect = 3,     // 3xx (redirects are not followed)
    client_error = 4, // 4xx
    server_error = 5, // 5xx
    transport = 6,    // no HTTP answer: DNS, connection refused, TLS, timeout
};
CallExit exit_for_status(int status);

struct CallRequest
{
    std::string method = "GET";
    std::string url;
    http::Headers headers;
    std::string body;
    std::chrono::milliseconds timeout{0};
    std::size_t max_body = 10 * 1024 * 1024; // 0: no limit
};

// "Name: value" flags (curl -H); "Name:" sends an empty value. Throws a usage error otherwise.
http::Headers parse_header_flags(const std::vector<std::string>& flags);

bool has_header(const http::Headers& headers, std::string_view name);

// The service's base URL and the path the user gave: "https://h/api" + "v1/x" → "https://h/api/v1/x".
std::string join_url(const std::string& base, const std::string& path);

// Bearer tokens for a call.
class BearerSource
{
public:
    virtual ~BearerSource() = default;
    virtual std::string token() = 0;
    // A newer token after the gateway rejected `rejected` as expired.
    virtual std::string renew(const std::string& rejected) = 0;
};

struct CallResult
{
    http::Response response;
    std::chrono::milliseconds duration{0};
    bool renewed = false; // retried once with a refreshed token
    bool sent_token = false;
    std::string transport_error; // set (and `response` empty) when no HTTP answer came
};

// Sends the request, attaching `bearer`'s token unless the caller set Authorization. On 401
// "Jwt is expired" it renews the token and retries once. A body over max_body stops the
// transfer and throws kms::Error; a transport failure is reported in `transport_error`.
CallResult perform_call(http::Client& http, const CallRequest& req, BearerSource* bearer, util::Clock& clock);

// Tokens from a TokenSource for one request (the cache, refresh and login rules apply).
class TokenSourceBearer : public BearerSource
{
public:
    TokenSourceBearer(TokenSource& source, TokenRequest request)
      : m_source(source)
      , m_request(std::move(request))
    {
    }
    std::string token() override { return m_source.get(m_request).tokens.access_token; }
    std::string renew(const std::string& rejected) override
    {
        return m_source.renew(m_request, rejected).tokens.access_token;
    }

private:
    TokenSource& m_source;
    TokenRequest m_request;
};

// Envoy jwt_authn's answers (shared by Istio and Envoy Gateway) and Istio RBAC's, as advice.
std::optional<std::string> gateway_hint(const http::Response& resp, bool sent_token);

} // namespace kms::oidc
