#include "oidc_fixtures.hpp"

#include <oidc/token_source.hpp>
#include <util/clock.hpp>

#include <doctest/doctest.h>

#include <map>

using namespace kms;

namespace {

// A Keycloak-shaped identity provider behind FakeHttp: discovery, password, refresh, client
// credentials, device and revocation, with switches for the failures under test.
struct FakeIdp
{
    std::string base = "https://sso.test";
    std::string issuer = "https://sso.test/realms/acme";
    std::vector<std::string> auth_methods{"client_secret_basic", "client_secret_post"};
    int ttl = 300;
    bool refresh_ok = true;
    int pending_polls = 2; // device: authorization_pending answers before approval
    bool slow_down_once = true;
    std::map<std::string, int> grants; // grant_type → count
    int discovery = 0;
    int revoked = 0;
    int issued = 0;
    test::FakeHttp http;
    std::unique_ptr<http::Client> client;

    FakeIdp()
    {
        http.handler = [this](const http::Request& r) { return handle(r); };
        client = http.factory()(http::ClientOptions{});
    }

    Json tokens()
    {
        ++issued;
        return Json{{"access_token", test::make_jwt(Json{{"n", issued}, {"iss", issuer}})},
                    {"refresh_token", "rt-" + std::to_string(issued)},
                    {"expires_in", ttl},
                    {"refresh_expires_in", 1800},
                    {"token_type", "Bearer"},
                    {"scope", "openid profile"}};
    }

    http::Response handle(const http::Request& r)
    {
        if (r.url == issuer + "/.well-known/openid-configuration") {
            ++discovery;
            return test::json_answer(
                200, Json{{"issuer", issuer},
                          {"token_endpoint", issuer + "/protocol/openid-connect/token"},
                          {"device_authorization_endpoint", issuer + "/protocol/openid-connect/auth/device"},
                          {"revocation_endpoint", issuer + "/protocol/openid-connect/revoke"},
                          {"token_endpoint_auth_methods_supported", auth_methods}});
        }
        if (r.url.find("/.well-known/") != std::string::npos) {
            return test::json_answer(404, Json{{"error", "Unable to find matching target resource method"}});
        }
        if (r.url.ends_with("/auth/device")) {
            return test::json_answer(200, Json{{"device_code", "dc"},
                                               {"user_code", "ABCD-EFGH"},
                                               {"verification_uri", issuer + "/device"},
                                               {"expires_in", 600},
                                               {"interval", 2}});
        }
        if (r.url.ends_with("/revoke")) {
            ++revoked;
            return test::FakeHttp::answer(200, "");
        }
        std::string grant = test::form_value(r.body, "grant_type");
        ++grants[grant];
        if (grant == "password") {
            return test::form_value(r.body, "password") == "secret"
                       ? test::json_answer(200, tokens())
                       : test::json_answer(
                             401, Json{{"error", "invalid_grant"}, {"error_description", "Invalid user credentials"}});
        }
        if (grant == "refresh_token") {
            return refresh_ok ? test::json_answer(200, tokens())
                              : test::json_answer(
                                    400, Json{{"error", "invalid_grant"}, {"error_description", "Session not active"}});
        }
        if (grant == "client_credentials") {
            Json t = tokens();
            t.erase("refresh_token");
            return test::json_answer(200, t);
        }
        if (grant == "urn:ietf:params:oauth:grant-type:device_code") {
            if (slow_down_once) {
                slow_down_once = false;
                return test::json_answer(400, Json{{"error", "slow_down"}});
            }
            if (pending_polls-- > 0) {
                return test::json_answer(400, Json{{"error", "authorization_pending"}});
            }
            return test::json_answer(200, tokens());
        }
        return test::json_answer(400, Json{{"error", "unsupported_grant_type"}});
    }
};

struct Rig
{
    FakeIdp idp;
    oidc::MemoryTokenStore store;
    util::FakeClock clock;
    int password_asked = 0;
    int http_created = 0;
    std::vector<std::string> shown_codes;
    std::optional<std::string> secret;
    oidc::TokenSource source;

    Rig()
      : source(oidc::TokenServices{[this]() -> http::Client& {
                                       ++http_created;
                                       return *idp.client;
                                   },
                                   store, clock},
               oidc::LoginInputs{[this](const std::string&, const std::string&) {
                                     ++password_asked;
                                     return std::string("secret");
                                 },
                                 [this] { return secret; },
                                 [this](const oidc::DeviceAuthorization& d) { shown_codes.push_back(d.user_code); },
                                 {}})
    {
    }

    oidc::TokenRequest request(oidc::LoginGrant grant = oidc::LoginGrant::password)
    {
        oidc::TokenRequest r;
        r.where.issuer = idp.issuer;
        r.username = "alice";
        r.grant = grant;
        return r;
    }
};

} // namespace

TEST_SUITE_BEGIN("oidc");

TEST_CASE("oidc::refresh_margin is 30 s, or half the lifetime of short tokens")
{
    oidc::TokenSet t;
    t.received_at = 1000;
    t.expires_at = 1300;
    CHECK(oidc::refresh_margin(t) == 30);
    CHECK(oidc::is_fresh(t, 1269));
    CHECK_FALSE(oidc::is_fresh(t, 1270));
    t.expires_at = 1010;
    CHECK(oidc::refresh_margin(t) == 5);
    t.expires_at = 0;
    CHECK_FALSE(oidc::is_fresh(t, 0));
}

TEST_CASE("TokenSource: login once, then the cache answers without touching the network")
{
    Rig rig;
    auto first = rig.source.get(rig.request());
    CHECK(rig.idp.discovery == 1);
    CHECK(rig.idp.grants["password"] == 1);
    CHECK(rig.password_asked == 1);
    CHECK(first.tokens.expires_at == oidc::unix_now(rig.clock) + 300);
    CHECK(first.key.issuer == rig.idp.issuer);
    // The password travelled only in the body, which is marked secret for logging.
    const auto& req = rig.idp.http.requests.back();
    CHECK(req.body_is_secret);
    CHECK(req.url.find("secret") == std::string::npos);

    rig.http_created = 0;
    std::size_t requests = rig.idp.http.requests.size();
    rig.clock.sleep_for(std::chrono::seconds(200));
    auto second = rig.source.get(rig.request());
    CHECK(second.tokens.access_token == first.tokens.access_token);
    CHECK(rig.idp.http.requests.size() == requests);
    CHECK(rig.http_created == 0); // not even a client was made
    CHECK(rig.store.locks == 1);  // only the first, cold, call locked
}

TEST_CASE("TokenSource: a stale token is refreshed with the cached endpoints, no discovery")
{
    Rig rig;
    auto first = rig.source.get(rig.request());
    rig.clock.sleep_for(std::chrono::seconds(271)); // 29 s left: inside the 30 s margin
    auto second = rig.source.get(rig.request());
    CHECK(second.tokens.access_token != first.tokens.access_token);
    CHECK(rig.idp.grants["refresh_token"] == 1);
    CHECK(test::form_value(rig.idp.http.requests.back().body, "refresh_token") == first.tokens.refresh_token);
    CHECK(rig.idp.discovery == 1);
    CHECK(rig.password_asked == 1);
}

TEST_CASE("TokenSource: an ended session logs in again; an expired refresh token is not even tried")
{
    Rig rig;
    rig.source.get(rig.request());
    rig.idp.refresh_ok = false;
    rig.clock.sleep_for(std::chrono::seconds(400));
    rig.source.get(rig.request());
    CHECK(rig.idp.grants["refresh_token"] == 1);
    CHECK(rig.idp.grants["password"] == 2);
    CHECK(rig.password_asked == 2);

    rig.clock.sleep_for(std::chrono::seconds(4000)); // past refresh_expires_in
    rig.source.get(rig.request());
    CHECK(rig.idp.grants["refresh_token"] == 1);
    CHECK(rig.idp.grants["password"] == 3);
}

TEST_CASE("TokenSource: wrong password is an actionable error and nothing is cached")
{
    Rig rig;
    oidc::TokenSource wrong(
        oidc::TokenServices{[&rig]() -> http::Client& { return *rig.idp.client; }, rig.store, rig.clock},
        oidc::LoginInputs{[](const std::string&, const std::string&) { return std::string("nope"); }, {}, {}, {}});
    CHECK_THROWS_WITH_AS(wrong.get(rig.request()), doctest::Contains("wrong username or password for \"alice\""),
                         Error);
    CHECK(rig.store.entries.empty());
}

TEST_CASE("TokenSource: --keycloak tries /realms then the legacy /auth/realms, and caches under the one that answered")
{
    Rig rig;
    rig.idp.issuer = "https://sso.test/auth/realms/acme";
    oidc::TokenRequest r = rig.request();
    r.where = oidc::IssuerSpec{"", "https://sso.test/", "acme"};
    auto t = rig.source.get(r);
    CHECK(t.key.issuer == "https://sso.test/auth/realms/acme");
    CHECK(rig.idp.http.requests[0].url == "https://sso.test/realms/acme/.well-known/openid-configuration");
    CHECK(rig.idp.http.requests[1].url == "https://sso.test/auth/realms/acme/.well-known/openid-configuration");
    std::size_t requests = rig.idp.http.requests.size();
    rig.source.get(r);
    CHECK(rig.idp.http.requests.size() == requests); // found again without network
}

TEST_CASE("discovery: unknown realm, missing server and issuer mismatch")
{
    Rig rig;
    rig.idp.http.handler = [](const http::Request&) {
        return test::json_answer(404, Json{{"error", "Realm does not exist"}});
    };
    oidc::TokenRequest r = rig.request();
    r.where = oidc::IssuerSpec{"", "https://sso.test", "nope"};
    CHECK_THROWS_WITH(rig.source.get(r),
                      "realm \"nope\" does not exist at https://sso.test (realm names are case-sensitive)");

    rig.idp.http.handler = [](const http::Request&) { return test::FakeHttp::answer(404, "not found"); };
    CHECK_THROWS_WITH(
        rig.source.get(rig.request()),
        doctest::Contains("no OpenID Connect discovery document at https://sso.test/realms/acme (HTTP 404)"));

    Rig other;
    other.idp.issuer = "https://sso.test/realms/acme";
    oidc::TokenRequest mismatch = other.request();
    other.idp.http.handler = [&other](const http::Request& req) {
        http::Response resp = other.idp.handle(req);
        if (req.url.ends_with("openid-configuration")) {
            resp = test::json_answer(200, Json{{"issuer", "https://login.test/realms/acme"},
                                               {"token_endpoint", "https://login.test/token"}});
        }
        return resp;
    };
    CHECK_THROWS_WITH(other.source.get(mismatch), doctest::Contains("issuer mismatch"));
}

TEST_CASE("client credentials: Basic first, the form when only client_secret_post is offered")
{
    Rig rig;
    rig.secret = "s3:cr%t";
    auto t = rig.source.get(rig.request(oidc::LoginGrant::client_credentials));
    CHECK(t.key.username.empty());
    CHECK(t.tokens.refresh_token.empty());
    const auto& basic = rig.idp.http.requests.back();
    CHECK(std::find(basic.headers.begin(), basic.headers.end(),
                    std::pair<std::string, std::string>{
                        "Authorization", oidc::basic_authorization("istio", "s3:cr%t")}) != basic.headers.end());
    CHECK(test::form_value(basic.body, "client_secret").empty());

    Rig post;
    post.secret = "s3:cr%t";
    post.idp.auth_methods = {"client_secret_post"};
    post.source.get(post.request(oidc::LoginGrant::client_credentials));
    const auto& form = post.idp.http.requests.back();
    CHECK(test::form_value(form.body, "client_secret") == "s3:cr%t");
    CHECK(test::form_value(form.body, "client_id") == "istio");

    Rig none;
    CHECK_THROWS_WITH(none.source.get(none.request(oidc::LoginGrant::client_credentials)),
                      doctest::Contains("--client-secret-file"));
}

TEST_CASE("client credentials without a refresh token are simply requested again when stale")
{
    Rig rig;
    rig.secret = "s";
    rig.source.get(rig.request(oidc::LoginGrant::client_credentials));
    rig.clock.sleep_for(std::chrono::seconds(290));
    rig.source.get(rig.request(oidc::LoginGrant::client_credentials));
    CHECK(rig.idp.grants["client_credentials"] == 2);
    CHECK(rig.idp.grants["refresh_token"] == 0);
}

TEST_CASE("device flow: shows the code, waits the interval, adds 5 s after slow_down")
{
    Rig rig;
    auto t = rig.source.get(rig.request(oidc::LoginGrant::device));
    CHECK(rig.shown_codes == std::vector<std::string>{"ABCD-EFGH"});
    CHECK(!t.tokens.access_token.empty());
    // Polls: slow_down (after 2 s), pending (after 7 s), pending (7 s), approved (7 s).
    CHECK(rig.idp.grants["urn:ietf:params:oauth:grant-type:device_code"] == 4);
    CHECK(rig.clock.slept == std::chrono::seconds(2 + 7 + 7 + 7));
    CHECK(test::form_value(rig.idp.http.requests.back().body, "device_code") == "dc");
}

TEST_CASE("device flow: a code that outlives its lifetime stops polling")
{
    Rig rig;
    rig.idp.pending_polls = 1000;
    CHECK_THROWS_WITH(rig.source.get(rig.request(oidc::LoginGrant::device)), doctest::Contains("device code expired"));
    CHECK(rig.clock.slept <= std::chrono::seconds(610));
}

TEST_CASE("renew: refreshes a rejected token, but reuses one another process already renewed")
{
    Rig rig;
    auto first = rig.source.get(rig.request());
    auto renewed = rig.source.renew(rig.request(), first.tokens.access_token);
    CHECK(renewed.tokens.access_token != first.tokens.access_token);
    CHECK(rig.idp.grants["refresh_token"] == 1);
    // A stale rejection (the cache already holds a newer token) costs no request.
    auto again = rig.source.renew(rig.request(), first.tokens.access_token);
    CHECK(again.tokens.access_token == renewed.tokens.access_token);
    CHECK(rig.idp.grants["refresh_token"] == 1);
}

TEST_CASE("logout revokes the refresh and access tokens and forgets them")
{
    Rig rig;
    rig.source.get(rig.request());
    auto result = rig.source.logout(rig.request());
    CHECK(result.found);
    CHECK(result.revoked);
    CHECK(result.problems.empty());
    CHECK(rig.idp.revoked == 2);
    CHECK(rig.store.entries.empty());
    CHECK_FALSE(rig.source.logout(rig.request()).found);
}

TEST_CASE("the password grant needs a user name")
{
    Rig rig;
    oidc::TokenRequest r = rig.request();
    r.username.clear();
    CHECK_THROWS_WITH(rig.source.get(r), doctest::Contains("needs a user name"));
    CHECK(rig.idp.http.requests.empty());
}

TEST_SUITE_END();
