#include <oidc/request.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>

using namespace kms;

namespace {

spec::Config with_keycloak(std::string username = "")
{
    spec::Config c;
    c.path = "/home/u/.config/kubectl-microservice/config.yaml";
    c.keycloak = spec::KeycloakConfig{"https://sso.example.com", "acme", "portal", std::move(username)};
    return c;
}

} // namespace

TEST_SUITE_BEGIN("oidc");

TEST_CASE("resolve_token_request: flags win over the environment and the config")
{
    util::MapEnvironment env;
    env.vars = {{"KMS_USERNAME", "env-user"}};
    oidc::LoginSettings s;
    s.issuer = "https://login.example.com/realms/x";
    s.username = "flag-user";
    s.client_id = "cli";
    s.grant = "device";
    s.scopes = {"openid"};
    auto r = oidc::resolve_token_request(s, with_keycloak("config-user"), env);
    CHECK(r.where.issuer == "https://login.example.com/realms/x");
    CHECK(r.where.keycloak_url.empty());
    CHECK(r.username == "flag-user");
    CHECK(r.client_id == "cli");
    CHECK(r.grant == oidc::LoginGrant::device);
    CHECK(r.scopes == std::vector<std::string>{"openid"});
}

TEST_CASE("resolve_token_request: the config's keycloak section and $KMS_USERNAME fill the gaps")
{
    util::MapEnvironment env;
    oidc::LoginSettings none;
    auto r = oidc::resolve_token_request(none, with_keycloak("config-user"), env);
    CHECK(r.where.keycloak_url == "https://sso.example.com");
    CHECK(r.where.realm == "acme");
    CHECK(r.client_id == "portal");
    CHECK(r.username == "config-user");
    CHECK(r.grant == oidc::LoginGrant::password);
    env.vars = {{"KMS_USERNAME", "env-user"}};
    CHECK(oidc::resolve_token_request(none, with_keycloak("config-user"), env).username == "env-user");
    oidc::LoginSettings realm_only;
    realm_only.realm = "other";
    CHECK(oidc::resolve_token_request(realm_only, with_keycloak(), env).where.realm == "other");
    // Without a config, the seed's defaults: client istio, password grant.
    oidc::LoginSettings kc;
    kc.keycloak = "https://kc";
    kc.realm = "r";
    auto d = oidc::resolve_token_request(kc, spec::Config{}, env);
    CHECK(d.client_id == "istio");
    CHECK(d.grant == oidc::LoginGrant::password);
}

TEST_CASE("resolve_token_request: usage errors")
{
    util::MapEnvironment env;
    auto usage = [&](oidc::LoginSettings s, const spec::Config& c = spec::Config{}) {
        try {
            oidc::resolve_token_request(s, c, env);
        } catch (const Error& e) {
            CHECK(e.code() == ExitCode::usage);
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(usage({}).find("no identity provider") != std::string::npos);
    oidc::LoginSettings both;
    both.issuer = "https://a";
    both.keycloak = "https://b";
    CHECK(usage(both) == "give either --issuer or --keycloak, not both");
    oidc::LoginSettings no_realm;
    no_realm.keycloak = "https://b";
    CHECK(usage(no_realm) == "flag --keycloak needs --realm");
    oidc::LoginSettings grant;
    grant.issuer = "https://a";
    grant.grant = "implicit";
    CHECK(usage(grant).find("unknown grant \"implicit\"") != std::string::npos);
    oidc::LoginSettings method;
    method.issuer = "https://a";
    method.client_auth = "jwt";
    CHECK(usage(method) == "flag --client-auth: \"jwt\": use basic or post");
    spec::Config realmless = with_keycloak();
    realmless.keycloak->realm.clear();
    CHECK(usage({}, realmless).find("keycloak.realm is not set") != std::string::npos);
}

TEST_CASE("the user config's keycloak.username is read")
{
    util::MemoryFs fs;
    fs.files["/c.yaml"] = "keycloak: {url: https://sso.example.com, realm: acme, username: alice}\n";
    auto c = spec::load_config("/c.yaml", fs);
    REQUIRE(c.keycloak);
    CHECK(c.keycloak->username == "alice");
    fs.files["/c.yaml"] = "keycloak: {url: https://sso.example.com, realm: acme, user: alice}\n";
    CHECK_THROWS_AS(spec::load_config("/c.yaml", fs), Error);
}

TEST_CASE("named profiles: read from the user config, flags override their fields")
{
    util::MemoryFs fs;
    fs.files["/c.yaml"] = "keycloak: {url: https://sso.example.com, realm: acme}\n"
                          "profiles:\n"
                          "  ci: {issuer: https://login.example.com, clientId: ci, grant: client-credentials,\n"
                          "       scopes: [api], clientAuth: post}\n"
                          "  legacy: {keycloak: https://old.example.com, realm: r, username: bob}\n";
    auto c = spec::load_config("/c.yaml", fs);
    REQUIRE(c.profiles.size() == 2);
    util::MapEnvironment env;
    oidc::LoginSettings s;
    s.profile = "ci";
    auto ci = oidc::resolve_token_request(s, c, env);
    CHECK(ci.where.issuer == "https://login.example.com");
    CHECK(ci.client_id == "ci");
    CHECK(ci.grant == oidc::LoginGrant::client_credentials);
    CHECK(ci.scopes == std::vector<std::string>{"api"});
    CHECK(ci.client_auth_method == "post");
    s.client_id = "other";
    s.scopes = {"openid"};
    auto overridden = oidc::resolve_token_request(s, c, env);
    CHECK(overridden.client_id == "other");
    CHECK(overridden.scopes == std::vector<std::string>{"openid"});
    s = {};
    s.profile = "legacy";
    auto legacy = oidc::resolve_token_request(s, c, env);
    CHECK(legacy.where.keycloak_url == "https://old.example.com");
    CHECK(legacy.where.realm == "r");
    CHECK(legacy.username == "bob");
    CHECK(legacy.client_id == "istio");
    // A provider flag replaces the profile's provider; its login fields still apply.
    s.issuer = "https://elsewhere.example.com";
    auto elsewhere = oidc::resolve_token_request(s, c, env);
    CHECK(elsewhere.where.issuer == "https://elsewhere.example.com");
    CHECK(elsewhere.where.keycloak_url.empty());
    CHECK(elsewhere.username == "bob");
    s = {};
    s.profile = "nope";
    CHECK_THROWS_WITH(oidc::resolve_token_request(s, c, env),
                      "flag --profile: no profile \"nope\" in /c.yaml (it has ci, legacy)");
    fs.files["/bad.yaml"] = "profiles: {x: {clientId: a}}\n";
    CHECK_THROWS_WITH(spec::load_config("/bad.yaml", fs), doctest::Contains("give either 'issuer' or 'keycloak'"));
}

TEST_CASE("LoginSettings::any")
{
    oidc::LoginSettings s;
    CHECK_FALSE(s.any());
    s.scopes = {"openid"};
    CHECK(s.any());
}

TEST_SUITE_END();
