#include <oidc/call.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

#include <strings.h>

namespace kms::oidc {

namespace {

bool body_says(const http::Response& resp, std::string_view text)
{
    return resp.body.find(text) != std::string::npos;
}

struct Hint
{
    int status;
    std::string_view body;
    std::string_view advice;
};

// Bodies are google/jwt_verify_lib's status strings, as Envoy sends them; 403 for audiences.
constexpr Hint k_hints[] = {
    {401, "Jwt is missing",
     "the gateway wants a bearer token: pass --issuer (or --keycloak URL --realm R) so call attaches one"},
    {401, "Jwt issuer is not configured",
     "the token's issuer is not the one the gateway trusts: use the exact issuer URL of the service's JWT auth "
     "(scheme, host name, port and any /auth prefix must match byte for byte); see `token --decode`"},
    {403, "Audiences in Jwt are not allowed",
     "the token's audience is not accepted by the gateway: get the token from the client the service expects "
     "(--client-id), or add an audience mapper to that client in Keycloak; see `token --decode`"},
    {401, "Jwt is expired",
     "the gateway still finds the token expired after a refresh: compare the clocks of this machine and the "
     "gateway"},
    {401, "Jwt not yet valid",
     "the token is not valid yet for the gateway: this machine's clock or the identity provider's is ahead"},
    {401, "Jwks doesn't have key to match kid or alg from Jwt",
     "the gateway does not know the key that signed the token: the token comes from another realm or identity "
     "provider than the gateway's JWKS (check --issuer)"},
    {401, "Jwt verification fails",
     "the token's signature does not verify with the gateway's keys: it comes from another realm or identity "
     "provider (check --issuer)"},
    {401, "Jwks remote fetch is failed",
     "the gateway could not fetch its signing keys (JWKS): a problem on the gateway's side, not the token's"},
    {403, "RBAC: access denied",
     "the gateway's authorization policy denied the request: the token lacks a required role or claim (see "
     "`token --decode`)"},
};

} // namespace

CallExit exit_for_status(int status)
{
    if (status >= 200 && status < 300) {
        return CallExit::ok;
    }
    if (status >= 300 && status < 400) {
        return CallExit::redirect;
    }
    if (status >= 400 && status < 500) {
        return CallExit::client_error;
    }
    if (status >= 500 && status < 600) {
        return CallExit::server_error;
    }
    return CallExit::failure;
}

http::Headers parse_header_flags(const std::vector<std::string>& flags)
{
    http::Headers out;
    for (const auto& f : flags) {
        auto colon = f.find(':');
        std::string name(util::trim(std::string_view(f).substr(0, colon == std::string::npos ? 0 : colon)));
        if (colon == std::string::npos || name.empty() || name.find_first_of(" \t\r\n") != std::string::npos) {
            throw Error(fmt::format("flag -H: expected 'Name: value', got \"{}\"", f), ExitCode::usage);
        }
        std::string value(util::trim(std::string_view(f).substr(colon + 1)));
        if (value.find_first_of("\r\n") != std::string::npos) {
            throw Error(fmt::format("flag -H: header {} has a line break in its value", name), ExitCode::usage);
        }
        out.emplace_back(name, value);
    }
    return out;
}

bool has_header(const http::Headers& headers, std::string_view name)
{
    for (const auto& [k, v] : headers) {
        if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) {
            return true;
        }
    }
    return false;
}

std::string join_url(const std::string& base, const std::string& path)
{
    if (path.empty()) {
        return base;
    }
    std::string b = base;
    while (!b.empty() && b.back() == '/') {
        b.pop_back();
    }
    if (path.front() == '?') {
        return base + path;
    }
    return path.front() == '/' ? b + path : b + "/" + path;
}

CallResult perform_call(http::Client& http, const CallRequest& req, BearerSource* bearer, util::Clock& clock)
{
    bool attach = bearer != nullptr && !has_header(req.headers, "Authorization");
    std::string token = attach ? bearer->token() : std::string();
    CallResult result;
    result.sent_token = attach;
    auto start = clock.now();
    for (int attempt = 0;; ++attempt) {
        http::Request r;
        r.method = req.method;
        r.url = req.url;
        r.headers = req.headers;
        if (attach) {
            r.headers.emplace_back("Authorization", "Bearer " + token);
        }
        r.body = req.body;
        r.timeout = req.timeout;
        std::string body;
        bool too_large = false;
        r.on_data = [&](std::string_view chunk) {
            if (req.max_body != 0 && body.size() + chunk.size() > req.max_body) {
                too_large = true;
                return false;
            }
            body.append(chunk);
            return true;
        };
        http::Response resp;
        try {
            resp = http.send(r);
        } catch (const Error& e) {
            result.transport_error = e.what();
            break;
        }
        if (too_large) {
            throw Error(fmt::format("the response body of {} is larger than --max-body ({} bytes): raise --max-body "
                                    "(0: no limit)",
                                    req.url, req.max_body));
        }
        if (resp.body.empty()) {
            resp.body = std::move(body);
        }
        if (attach && attempt == 0 && resp.status == 401 && body_says(resp, "Jwt is expired")) {
            token = bearer->renew(token);
            result.renewed = true;
            continue;
        }
        result.response = std::move(resp);
        break;
    }
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start);
    return result;
}

std::optional<std::string> gateway_hint(const http::Response& resp, bool sent_token)
{
    for (const auto& h : k_hints) {
        if (resp.status == h.status && body_says(resp, h.body)) {
            if (h.body == "Jwt is missing" && sent_token) {
                return "the gateway did not see the token: a proxy in between may drop the Authorization header";
            }
            return std::string(h.advice);
        }
    }
    return std::nullopt;
}

} // namespace kms::oidc
