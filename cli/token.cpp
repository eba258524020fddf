#include "auth_flags.hpp"
#include "verbs.hpp"

#include <oidc/jwt.hpp>
#include <render/yaml_emit.hpp>
#include <spec/config.hpp>
#include <util/clock.hpp>
#include <util/fs.hpp>

#include <iostream>

namespace kms::cli {

namespace {

struct TokenOptions
{
    AuthFlags auth;
    std::string output;
    bool decode = false;
    bool logout = false;
    bool force_refresh = false;
};

Json token_json(const oidc::CachedToken& t, std::int64_t now)
{
    Json j{{"access_token", t.tokens.access_token},
           {"token_type", t.tokens.token_type.empty() ? "Bearer" : t.tokens.token_type},
           {"issuer", t.provider.issuer},
           {"client_id", t.key.client_id}};
    if (!t.key.username.empty()) {
        j["username"] = t.key.username;
    }
    if (t.tokens.expires_at != 0) {
        j["expires_at"] = oidc::format_utc(t.tokens.expires_at);
        j["expires_in"] = t.tokens.expires_at - now;
    }
    j["scope"] = t.tokens.scope;
    j["refreshable"] = !t.tokens.refresh_token.empty();
    return j;
}

int run_logout(AuthRuntime& rt, const oidc::TokenRequest& req)
{
    oidc::LogoutResult r = rt.source().logout(req);
    if (!r.found) {
        std::cerr << "No cached token for " << req.where.describe() << " (client " << req.client_id << ").\n";
        return 0;
    }
    for (const auto& p : r.problems) {
        std::cerr << "warning: " << p << '\n';
    }
    std::cerr << (r.revoked ? "Logged out of " : "Deleted the cached tokens of ") << req.where.describe() << ".\n";
    return r.problems.empty() ? 0 : 1;
}

int run_token(const TokenOptions& o, const GlobalOptions& g)
{
    if (!o.output.empty() && o.output != "json" && o.output != "yaml") {
        throw Error(fmt::format("flag --output: unknown format \"{}\": use json or yaml", o.output),
                    ExitCode::usage);
    }
    spec::Config config = spec::load_config(spec::default_config_path(), util::real_fs());
    oidc::TokenRequest req = make_token_request(o.auth, config);
    req.force_refresh = o.force_refresh;
    AuthRuntime rt(o.auth, g);
    if (o.logout) {
        return run_logout(rt, req);
    }
    oidc::CachedToken t = rt.source().get(req);
    std::int64_t now = oidc::unix_now(util::real_clock());
    if (o.decode) {
        auto jwt = oidc::decode_jwt(t.tokens.access_token);
        if (!jwt) {
            throw Error("the access token is opaque (not a JWT): there is nothing to decode");
        }
        std::cout << (o.output.empty() ? oidc::describe_jwt(*jwt, now)
                                       : structured_output(oidc::describe_jwt_json(*jwt, now), o.output));
        return 0;
    }
    if (!o.output.empty()) {
        std::cout << structured_output(token_json(t, now), o.output);
    } else {
        std::cout << t.tokens.access_token << '\n';
    }
    return 0;
}

} // namespace

void setup_token(CLI::App& app, Context& ctx)
{
    auto [sub, opt] =
      add_verb(app, ctx, "token", "Print an access token from Keycloak or another OIDC issuer (cached)", run_token);
    sub->footer("Prints only the token, for $(...): curl -H \"Authorization: Bearer $(kubectl microservice token)\".\n"
                "Tokens are cached in $XDG_CACHE_HOME/kubectl-microservice/tokens and refreshed 30 s before expiry.");
    sub->fallthrough(); // global flags (-v, …) also after the verb, as kubectl takes them
    add_auth_flags(*sub, opt->auth);
    sub->add_option("-o,--output", opt->output, "json or yaml: the token with its expiry and scopes")
        ->type_name("json|yaml");
    sub->add_flag("--decode", opt->decode, "Show the JWT's header and claims (not verified)");
    sub->add_flag("--logout", opt->logout, "Revoke the cached tokens at the issuer and delete them");
    sub->add_flag("--force-refresh", opt->force_refresh, "Refresh even when the cached token is still fresh");
}

} // namespace kms::cli
