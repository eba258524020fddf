#include "oidc_fixtures.hpp"

#include <oidc/errors.hpp>

#include <doctest/doctest.h>

using namespace kms;
using oidc::Grant;

namespace {

const oidc::ErrorContext k_ctx{"https://sso/realms/acme", "istio", "alice",
                               "kubectl microservice token --issuer https://sso/realms/acme"};

std::string message(Grant g, int status, const std::string& error, const std::string& description)
{
    return oidc::grant_error(g, {status, error, description}, k_ctx).what();
}

bool has(const std::string& s, const std::string& part)
{
    return s.find(part) != std::string::npos;
}

} // namespace

TEST_SUITE_BEGIN("oidc");

TEST_CASE("oidc::parse_oauth_error reads error and error_description leniently")
{
    auto e = oidc::parse_oauth_error(test::json_answer(
        401, Json{{"error", "invalid_grant"}, {"error_description", "Invalid user credentials"}, {"x", 1}}));
    CHECK(e.status == 401);
    CHECK(e.error == "invalid_grant");
    CHECK(e.description == "Invalid user credentials");
    auto html = oidc::parse_oauth_error(test::FakeHttp::answer(502, "<html>bad gateway</html>"));
    CHECK(html.status == 502);
    CHECK(html.error.empty());
}

TEST_CASE("password grant errors are classified by status and error, quoting the description")
{
    std::string wrong = message(Grant::password, 401, "invalid_grant", "Invalid user credentials");
    CHECK(has(wrong, "wrong username or password for \"alice\" at https://sso/realms/acme (Invalid user credentials)"));

    std::string setup = message(Grant::password, 400, "invalid_grant", "Account is not fully set up");
    CHECK(has(setup, "(Account is not fully set up)"));
    CHECK(has(setup, "required actions"));
    CHECK(has(setup, "https://sso/realms/acme/account"));

    std::string direct =
        message(Grant::password, 400, "unauthorized_client", "Client not allowed for direct access grants");
    CHECK(has(direct, "Direct Access Grants"));
    CHECK(has(direct, "--grant device"));

    // The same (status, error) with other words gets the same advice: Keycloak rewords descriptions.
    CHECK(has(message(Grant::password, 401, "invalid_grant", "something else"), "wrong username or password"));
    CHECK(has(message(Grant::password, 400, "unauthorized_client", "reworded"), "Direct Access Grants"));
}

TEST_CASE("client authentication failures point at the client id and secret")
{
    std::string bad_secret =
        message(Grant::client_credentials, 401, "unauthorized_client", "Invalid client or Invalid client credentials");
    CHECK(has(bad_secret, "client \"istio\" was refused"));
    CHECK(has(bad_secret, "service accounts"));
    CHECK(has(message(Grant::password, 401, "invalid_client", "client authentication failed"), "--client-secret-file"));
}

TEST_CASE("an ended session means logging in again")
{
    CHECK(oidc::session_ended({400, "invalid_grant", "Session not active"}));
    CHECK(oidc::session_ended({400, "invalid_grant", "Token is not active"}));
    CHECK_FALSE(oidc::session_ended({401, "unauthorized_client", ""}));
    std::string m = message(Grant::refresh_token, 400, "invalid_grant", "Token is not active");
    CHECK(has(m, "has ended (Token is not active): log in again: kubectl microservice token --issuer"));
}

TEST_CASE("device flow, scope and unknown errors")
{
    CHECK(has(message(Grant::device_code, 400, "access_denied", "The end user denied the authorization request"),
              "denied in the browser"));
    CHECK(has(message(Grant::device_code, 400, "expired_token", "Device code is expired"), "run the command again"));
    CHECK(has(message(Grant::password, 400, "invalid_scope", "Invalid scopes: nope"), "check --scope"));
    CHECK(message(Grant::password, 400, "weird", "Odd") ==
          "the password grant failed at https://sso/realms/acme: HTTP 400 weird: Odd");
    CHECK(has(message(Grant::password, 503, "", ""), "answered HTTP 503 without an OAuth error"));
}

TEST_SUITE_END();
