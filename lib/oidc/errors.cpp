#include <oidc/errors.hpp>
#include <util/json.hpp>

#include <fmt/format.h>

#include <optional>

namespace kms::oidc {

namespace {

std::string quoted(const OAuthError& e)
{
    return e.description.empty() ? e.error : e.description;
}

std::string user_part(const ErrorContext& ctx)
{
    return ctx.username.empty() ? std::string("the user") : fmt::format("\"{}\"", ctx.username);
}

// The password grant's own failures; nullopt for the ones every grant shares.
std::optional<Error> password_error(const OAuthError& e, const ErrorContext& ctx)
{
    if (e.error == "invalid_grant" && e.status == 401) {
        return Error(
            fmt::format("wrong username or password for {} at {} ({})", user_part(ctx), ctx.issuer, quoted(e)));
    }
    if (e.error == "invalid_grant") {
        return Error(fmt::format("{} may not log in at {} ({}): if the password is right, the account is disabled or "
                                 "has pending required actions (temporary password, e-mail verification, profile "
                                 "fields); sign in once at {}/account in a browser to finish them, or ask a realm "
                                 "administrator",
                                 user_part(ctx), ctx.issuer, quoted(e), ctx.issuer));
    }
    if (e.error == "unauthorized_client" && e.status == 400) {
        return Error(fmt::format("client \"{}\" may not use the password grant at {} ({}): turn on \"Direct Access "
                                 "Grants\" for the client in Keycloak, or use --grant device",
                                 ctx.client_id, ctx.issuer, quoted(e)));
    }
    if (e.error == "invalid_request" && e.status == 401) {
        return Error(fmt::format("the password grant was rejected by {} ({}): give --username", ctx.issuer, quoted(e)));
    }
    return std::nullopt;
}

Error client_error(Grant grant, const OAuthError& e, const ErrorContext& ctx)
{
    std::string advice = grant == Grant::client_credentials
                             ? "client credentials need a confidential client with service accounts enabled and "
                               "its secret (--client-secret-file or $KMS_CLIENT_SECRET)"
                             : "check --client-id and, for a confidential client, its secret (--client-secret-file "
                               "or $KMS_CLIENT_SECRET)";
    return Error(fmt::format("client \"{}\" was refused by {} ({}): {}", ctx.client_id, ctx.issuer, quoted(e), advice));
}

} // namespace

std::string_view grant_type_value(Grant g)
{
    switch (g) {
        case Grant::password:
            return "password";
        case Grant::client_credentials:
            return "client_credentials";
        case Grant::refresh_token:
            return "refresh_token";
        case Grant::device_code:
            return "urn:ietf:params:oauth:grant-type:device_code";
    }
    return "";
}

OAuthError parse_oauth_error(const http::Response& resp)
{
    OAuthError e;
    e.status = resp.status;
    Json body = Json::parse(resp.body, nullptr, false);
    if (body.is_object() && body.contains("error") && body["error"].is_string()) {
        e.error = body["error"].get<std::string>();
        if (body.contains("error_description") && body["error_description"].is_string()) {
            e.description = body["error_description"].get<std::string>();
        }
    }
    return e;
}

bool session_ended(const OAuthError& e)
{
    // RFC 6749 §5.2: an invalid, expired or revoked refresh token is invalid_grant.
    return e.error == "invalid_grant";
}

Error grant_error(Grant grant, const OAuthError& e, const ErrorContext& ctx)
{
    if (e.error.empty()) {
        return Error(
            fmt::format("the token endpoint of {} answered HTTP {} without an OAuth error", ctx.issuer, e.status));
    }
    if (grant == Grant::password) {
        if (auto specific = password_error(e, ctx)) {
            return *specific;
        }
    }
    if (e.error == "invalid_client" || e.error == "unauthorized_client") {
        return client_error(grant, e, ctx);
    }
    if (grant == Grant::refresh_token && session_ended(e)) {
        return Error(fmt::format("the session of {} at {} has ended ({}): log in again{}", user_part(ctx), ctx.issuer,
                                 quoted(e), ctx.login_command.empty() ? "" : ": " + ctx.login_command));
    }
    if (grant == Grant::device_code && e.error == "access_denied") {
        return Error(fmt::format("the device login was denied in the browser ({})", quoted(e)));
    }
    if (grant == Grant::device_code && e.error == "expired_token") {
        return Error(fmt::format("the device code expired before the login was approved ({}): run the command again",
                                 quoted(e)));
    }
    if (e.error == "invalid_scope") {
        return Error(fmt::format("{} refused the requested scope ({}): check --scope", ctx.issuer, quoted(e)));
    }
    if (e.error == "unsupported_grant_type") {
        return Error(fmt::format("{} does not support the {} grant ({}): choose another --grant", ctx.issuer,
                                 grant_type_value(grant), quoted(e)));
    }
    return Error(fmt::format("the {} grant failed at {}: HTTP {} {}{}", grant_type_value(grant), ctx.issuer, e.status,
                             e.error, e.description.empty() ? "" : ": " + e.description));
}

} // namespace kms::oidc
