#include <oidc/grants.hpp>
#include <oidc/jwt.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace kms::oidc {

namespace {

// expires_in is a number in the RFC, a numeric string on some servers.
std::optional<std::int64_t> seconds_field(const Json& j, const char* name)
{
    auto it = j.find(name);
    if (it == j.end()) {
        return std::nullopt;
    }
    if (it->is_string()) {
        try {
            return seconds_value(Json(std::stoll(it->get<std::string>())));
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return seconds_value(*it);
}

bool advertises(const ProviderInfo& p, std::string_view method)
{
    return std::find(p.token_auth_methods.begin(), p.token_auth_methods.end(), method) != p.token_auth_methods.end();
}

} // namespace

std::int64_t unix_now(const util::Clock& clock)
{
    return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
}

Json TokenSet::to_json() const
{
    return Json{{"access_token", access_token},
                {"refresh_token", refresh_token},
                {"id_token", id_token},
                {"token_type", token_type},
                {"scope", scope},
                {"received_at", received_at},
                {"expires_at", expires_at},
                {"refresh_expires_at", refresh_expires_at}};
}

TokenSet TokenSet::from_json(const Json& j)
{
    TokenSet t;
    t.access_token = util::str_at(j, "access_token");
    t.refresh_token = util::str_at(j, "refresh_token");
    t.id_token = util::str_at(j, "id_token");
    t.token_type = util::str_at(j, "token_type");
    t.scope = util::str_at(j, "scope");
    t.received_at = seconds_field(j, "received_at").value_or(0);
    t.expires_at = seconds_field(j, "expires_at").value_or(0);
    t.refresh_expires_at = seconds_field(j, "refresh_expires_at").value_or(0);
    return t;
}

GrantClient::GrantClient(http::Client& http, ProviderInfo provider, ClientAuth client, util::Clock& clock,
                         std::chrono::milliseconds timeout, ErrorContext context)
  : m_http(http)
  , m_provider(std::move(provider))
  , m_client(std::move(client))
  , m_clock(clock)
  , m_timeout(timeout)
  , m_context(std::move(context))
{
}

http::Response GrantClient::post(const std::string& url, Form form)
{
    http::Request req;
    req.method = "POST";
    req.url = url;
    req.timeout = m_timeout;
    req.body_is_secret = true; // passwords, secrets, refresh tokens and device codes
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    // Basic first (RFC 6749 §2.3.1 makes it mandatory for servers), the form only when that is
    // what the server advertises or the user asked for it.
    bool post_only = advertises(m_provider, "client_secret_post") && !advertises(m_provider, "client_secret_basic");
    bool basic = m_client.secret && (m_client.method == "basic" || (m_client.method.empty() && !post_only));
    if (basic) {
        req.headers.emplace_back("Authorization", basic_authorization(m_client.client_id, *m_client.secret));
    } else {
        form.emplace_back("client_id", m_client.client_id);
        if (m_client.secret) {
            form.emplace_back("client_secret", *m_client.secret);
        }
    }
    req.body = form_encode(form);
    return m_http.send(req);
}

TokenSet GrantClient::tokens_from(const http::Response& resp, Grant grant)
{
    if (resp.status != 200) {
        throw grant_error(grant, parse_oauth_error(resp), m_context);
    }
    Json j = Json::parse(resp.body, nullptr, false);
    if (!j.is_object() || util::str_at(j, "access_token").empty()) {
        throw Error(
            fmt::format("the token endpoint {} answered 200 without an access_token", m_provider.token_endpoint));
    }
    TokenSet t;
    t.access_token = util::str_at(j, "access_token");
    t.refresh_token = util::str_at(j, "refresh_token");
    t.id_token = util::str_at(j, "id_token");
    t.token_type = util::str_at(j, "token_type");
    t.scope = util::str_at(j, "scope");
    t.received_at = unix_now(m_clock);
    if (auto in = seconds_field(j, "expires_in"); in && *in > 0) {
        t.expires_at = t.received_at + *in;
    } else if (auto jwt = decode_jwt(t.access_token)) {
        t.expires_at = numeric_claim(jwt->claims, "exp").value_or(0);
    }
    if (auto in = seconds_field(j, "refresh_expires_in"); in && *in > 0 && !t.refresh_token.empty()) {
        t.refresh_expires_at = t.received_at + *in;
    }
    std::string type = t.token_type;
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!type.empty() && type != "bearer") {
        throw Error(
            fmt::format("{} issued a \"{}\" token; only Bearer tokens are supported", m_provider.issuer, t.token_type));
    }
    return t;
}

TokenSet GrantClient::password(const std::string& username, const std::string& password, const std::string& scope)
{
    Form f{{"grant_type", "password"}, {"username", username}, {"password", password}};
    if (!scope.empty()) {
        f.emplace_back("scope", scope);
    }
    return tokens_from(post(m_provider.token_endpoint, std::move(f)), Grant::password);
}

TokenSet GrantClient::client_credentials(const std::string& scope)
{
    if (!m_client.secret) {
        throw Error(fmt::format("the client credentials grant needs the secret of client \"{}\": use "
                                "--client-secret-file FILE or $KMS_CLIENT_SECRET",
                                m_client.client_id),
                    ExitCode::usage);
    }
    Form f{{"grant_type", "client_credentials"}};
    if (!scope.empty()) {
        f.emplace_back("scope", scope);
    }
    return tokens_from(post(m_provider.token_endpoint, std::move(f)), Grant::client_credentials);
}

std::optional<TokenSet> GrantClient::refresh(const std::string& refresh_token)
{
    http::Response resp =
        post(m_provider.token_endpoint, {{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}});
    if (resp.status != 200 && session_ended(parse_oauth_error(resp))) {
        return std::nullopt;
    }
    TokenSet t = tokens_from(resp, Grant::refresh_token);
    if (t.refresh_token.empty()) {
        t.refresh_token = refresh_token; // RFC 6749 §6: the old one stays valid when none is issued
    }
    return t;
}

DeviceAuthorization GrantClient::start_device(const std::string& scope)
{
    if (m_provider.device_authorization_endpoint.empty()) {
        throw Error(fmt::format("{} does not offer the device authorization grant (no device_authorization_endpoint "
                                "in its discovery document)",
                                m_provider.issuer));
    }
    Form f;
    if (!scope.empty()) {
        f.emplace_back("scope", scope);
    }
    http::Response resp = post(m_provider.device_authorization_endpoint, std::move(f));
    if (resp.status != 200) {
        throw grant_error(Grant::device_code, parse_oauth_error(resp), m_context);
    }
    Json j = Json::parse(resp.body, nullptr, false);
    DeviceAuthorization d;
    if (j.is_object()) {
        d.device_code = util::str_at(j, "device_code");
        d.user_code = util::str_at(j, "user_code");
        // "verification_url" is Google's pre-RFC spelling.
        d.verification_uri = util::str_at(j, j.contains("verification_uri") ? "verification_uri" : "verification_url");
        d.verification_uri_complete = util::str_at(j, "verification_uri_complete");
        d.expires_at = unix_now(m_clock) + seconds_field(j, "expires_in").value_or(600);
        d.interval = static_cast<int>(std::clamp<std::int64_t>(seconds_field(j, "interval").value_or(5), 1, 300));
    }
    if (d.device_code.empty() || d.user_code.empty() || d.verification_uri.empty()) {
        throw Error(fmt::format("the device authorization answer of {} lacks device_code, user_code or "
                                "verification_uri",
                                m_provider.issuer));
    }
    return d;
}

TokenSet GrantClient::poll_device(DeviceAuthorization device)
{
    int interval = device.interval;
    while (true) {
        m_clock.sleep_for(std::chrono::seconds(interval));
        if (unix_now(m_clock) >= device.expires_at) {
            throw grant_error(Grant::device_code, {400, "expired_token", "the code's lifetime is over"}, m_context);
        }
        http::Response resp =
            post(m_provider.token_endpoint, {{"grant_type", std::string(grant_type_value(Grant::device_code))},
                                             {"device_code", device.device_code}});
        if (resp.status == 200) {
            return tokens_from(resp, Grant::device_code);
        }
        OAuthError e = parse_oauth_error(resp);
        if (e.error == "authorization_pending") {
            continue;
        }
        if (e.error == "slow_down") {
            interval += 5; // RFC 8628 §3.5: for this and every later poll
            continue;
        }
        throw grant_error(Grant::device_code, e, m_context);
    }
}

void GrantClient::revoke(const std::string& token, std::string_view hint)
{
    http::Response resp =
        post(m_provider.revocation_endpoint, {{"token", token}, {"token_type_hint", std::string(hint)}});
    // RFC 7009 §2.2: 200 also for tokens that were already invalid.
    if (resp.status != 200) {
        OAuthError e = parse_oauth_error(resp);
        throw Error(
            fmt::format("{} did not revoke the {}: HTTP {}{}", m_provider.revocation_endpoint, hint, resp.status,
                        e.error.empty() ? "" : " " + e.error + (e.description.empty() ? "" : ": " + e.description)));
    }
}

void GrantClient::end_session(const std::string& refresh_token)
{
    http::Response resp = post(m_provider.end_session_endpoint, {{"refresh_token", refresh_token}});
    if (resp.status != 204 && resp.status != 200) {
        OAuthError e = parse_oauth_error(resp);
        throw Error(
            fmt::format("{} did not end the session: HTTP {}{}", m_provider.end_session_endpoint, resp.status,
                        e.error.empty() ? "" : " " + e.error + (e.description.empty() ? "" : ": " + e.description)));
    }
}

} // namespace kms::oidc
