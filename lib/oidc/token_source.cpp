#include <oidc/jwt.hpp>
#include <oidc/token_source.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace kms::oidc {

namespace {

bool refresh_usable(const TokenSet& t, std::int64_t now)
{
    return !t.refresh_token.empty() && (t.refresh_expires_at == 0 || now + 5 < t.refresh_expires_at);
}

} // namespace

std::string_view to_string(LoginGrant g)
{
    switch (g) {
        case LoginGrant::password:
            return "password";
        case LoginGrant::client_credentials:
            return "client-credentials";
        case LoginGrant::device:
            return "device";
    }
    return "";
}

std::optional<LoginGrant> parse_login_grant(std::string_view s)
{
    for (auto g : {LoginGrant::password, LoginGrant::client_credentials, LoginGrant::device}) {
        if (s == to_string(g)) {
            return g;
        }
    }
    return std::nullopt;
}

std::vector<CacheKey> TokenRequest::keys() const
{
    std::string user = grant == LoginGrant::client_credentials ? std::string() : username;
    std::string scope = normalize_scope(scopes);
    std::vector<CacheKey> out;
    for (const auto& issuer : where.candidates()) {
        out.push_back(CacheKey{issuer, client_id, user, scope});
    }
    return out;
}

std::string TokenRequest::login_command() const
{
    std::string cmd = "kubectl microservice token";
    if (!where.issuer.empty()) {
        cmd += " --issuer " + where.issuer;
    } else {
        cmd += " --keycloak " + where.keycloak_url + " --realm " + where.realm;
    }
    cmd += " --client-id " + client_id;
    if (grant != LoginGrant::password) {
        cmd += fmt::format(" --grant {}", to_string(grant));
    }
    if (!username.empty() && grant != LoginGrant::client_credentials) {
        cmd += " --username " + username;
    }
    return cmd;
}

std::int64_t refresh_margin(const TokenSet& t)
{
    std::int64_t lifetime = t.expires_at - t.received_at;
    return lifetime > 0 ? std::min<std::int64_t>(30, lifetime / 2) : 30;
}

bool is_fresh(const TokenSet& t, std::int64_t now)
{
    return t.expires_at != 0 && now + refresh_margin(t) < t.expires_at;
}

TokenSource::TokenSource(TokenServices services, LoginInputs inputs)
  : m_services(std::move(services))
  , m_inputs(std::move(inputs))
{
}

void TokenSource::log(int level, const std::string& message) const
{
    if (m_inputs.log) {
        m_inputs.log(level, message);
    }
}

std::optional<CachedToken> TokenSource::load_any(const std::vector<CacheKey>& keys)
{
    for (const auto& key : keys) {
        if (auto entry = m_services.store.load(key)) {
            return entry;
        }
    }
    return std::nullopt;
}

ClientAuth TokenSource::client_auth(const TokenRequest& req)
{
    ClientAuth auth{req.client_id, std::nullopt, req.client_auth_method};
    if (m_inputs.client_secret) {
        auth.secret = m_inputs.client_secret();
    }
    return auth;
}

ErrorContext TokenSource::context(const TokenRequest& req, const std::string& issuer) const
{
    return ErrorContext{issuer, req.client_id, req.username, req.login_command()};
}

CachedToken TokenSource::get(const TokenRequest& req)
{
    auto keys = req.keys();
    std::int64_t now = unix_now(m_services.clock);
    // The fast path takes no lock: entries are replaced atomically, so a read sees a whole one.
    if (!req.force_refresh) {
        if (auto cached = load_any(keys); cached && is_fresh(cached->tokens, now)) {
            log(6, "token: cache hit, expires " + format_relative(cached->tokens.expires_at - now));
            return *cached;
        }
    }
    auto lock = m_services.store.lock(keys.front());
    auto cached = load_any(keys);
    // Another process may have refreshed the entry while this one waited for the lock.
    if (cached && is_fresh(cached->tokens, unix_now(m_services.clock)) && !req.force_refresh) {
        return *cached;
    }
    return refresh_or_login(req, cached);
}

CachedToken TokenSource::renew(const TokenRequest& req, const std::string& rejected)
{
    auto keys = req.keys();
    auto lock = m_services.store.lock(keys.front());
    auto cached = load_any(keys);
    if (cached && cached->tokens.access_token != rejected && is_fresh(cached->tokens, unix_now(m_services.clock))) {
        return *cached;
    }
    return refresh_or_login(req, cached);
}

CachedToken TokenSource::refresh_or_login(const TokenRequest& req, std::optional<CachedToken> cached)
{
    std::int64_t now = unix_now(m_services.clock);
    if (cached && refresh_usable(cached->tokens, now)) {
        log(6, "token: refreshing at " + cached->provider.token_endpoint);
        GrantClient grants(m_services.http(), cached->provider, client_auth(req), m_services.clock, m_services.timeout,
                           context(req, cached->key.issuer));
        if (auto fresh = grants.refresh(cached->tokens.refresh_token)) {
            cached->tokens = *fresh;
            m_services.store.save(*cached);
            return *cached;
        }
        log(0, fmt::format("The session at {} has ended; logging in again.", cached->key.issuer));
    } else if (cached && !cached->tokens.refresh_token.empty()) {
        log(0, fmt::format("The session at {} has expired; logging in again.", cached->key.issuer));
    }
    return login(req);
}

CachedToken TokenSource::login(const TokenRequest& req)
{
    if (req.grant == LoginGrant::password && req.username.empty()) {
        throw Error("the password grant needs a user name: give --username (or set $KMS_USERNAME, or keycloak.username "
                    "in the config), or use --grant device",
                    ExitCode::usage);
    }
    http::Client& http = m_services.http();
    Discovery found = discover(http, req.where, m_services.timeout);
    log(6, "token: token endpoint " + found.provider.token_endpoint);
    GrantClient grants(http, found.provider, client_auth(req), m_services.clock, m_services.timeout,
                       context(req, found.provider.issuer));
    CachedToken entry;
    std::string scope = normalize_scope(req.scopes);
    switch (req.grant) {
        case LoginGrant::password:
            entry.tokens = grants.password(req.username, m_inputs.password(req.username, found.provider.issuer), scope);
            break;
        case LoginGrant::client_credentials:
            entry.tokens = grants.client_credentials(scope);
            break;
        case LoginGrant::device: {
            DeviceAuthorization device = grants.start_device(scope);
            m_inputs.show_device_code(device);
            entry.tokens = grants.poll_device(device);
            break;
        }
    }
    entry.key = req.keys().front();
    entry.key.issuer = found.requested_issuer;
    entry.provider = found.provider;
    entry.grant = std::string(to_string(req.grant));
    m_services.store.save(entry);
    return entry;
}

LogoutResult TokenSource::logout(const TokenRequest& req)
{
    LogoutResult result;
    auto keys = req.keys();
    auto lock = m_services.store.lock(keys.front());
    for (const auto& key : keys) {
        auto cached = m_services.store.load(key);
        if (!cached) {
            continue;
        }
        result.found = true;
        const TokenSet& t = cached->tokens;
        try {
            GrantClient grants(m_services.http(), cached->provider, client_auth(req), m_services.clock,
                               m_services.timeout, context(req, key.issuer));
            if (!cached->provider.revocation_endpoint.empty()) {
                // Revoking the refresh token ends the session; the access token goes too, for
                // servers that track it.
                if (!t.refresh_token.empty()) {
                    grants.revoke(t.refresh_token, "refresh_token");
                }
                grants.revoke(t.access_token, "access_token");
                result.revoked = true;
            } else if (!cached->provider.end_session_endpoint.empty() && !t.refresh_token.empty()) {
                grants.end_session(t.refresh_token);
                result.revoked = true;
            } else {
                result.problems.push_back(key.issuer + " offers no revocation endpoint; the tokens stay valid until "
                                                       "they expire");
            }
        } catch (const Error& e) {
            result.problems.push_back(e.what());
        }
        m_services.store.remove(key);
    }
    return result;
}

} // namespace kms::oidc
