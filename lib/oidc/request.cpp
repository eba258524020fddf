#include <oidc/request.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

namespace kms::oidc {

bool LoginSettings::any() const
{
    return !profile.empty() || !issuer.empty() || !keycloak.empty() || !realm.empty() || !client_id.empty() ||
           !grant.empty() || !username.empty() || !scopes.empty() || !client_auth.empty();
}

namespace {

// The flags, with the fields they leave empty taken from the profile they name.
LoginSettings with_profile(const LoginSettings& flags, const spec::Config& config)
{
    if (flags.profile.empty()) {
        return flags;
    }
    auto it = config.profiles.find(flags.profile);
    if (it == config.profiles.end()) {
        std::vector<std::string> names;
        for (const auto& entry : config.profiles) {
            names.push_back(entry.first);
        }
        throw Error(fmt::format("flag --profile: no profile \"{}\" in {} ({})", flags.profile,
                                config.path.empty() ? "the user config" : config.path,
                                names.empty() ? "it has none" : "it has " + util::join(names, ", ")),
                    ExitCode::usage);
    }
    const spec::TokenProfile& p = it->second;
    LoginSettings s = flags;
    // A flag naming the provider replaces the profile's provider as a whole.
    if (s.issuer.empty() && s.keycloak.empty()) {
        s.issuer = p.issuer;
        s.keycloak = p.keycloak;
        s.realm = s.realm.empty() ? p.realm : s.realm;
    }
    for (auto [mine, theirs] : {std::pair{&s.client_id, &p.client_id}, std::pair{&s.username, &p.username},
                                std::pair{&s.grant, &p.grant}, std::pair{&s.client_auth, &p.client_auth}}) {
        if (mine->empty()) {
            *mine = *theirs;
        }
    }
    if (s.scopes.empty()) {
        s.scopes = p.scopes;
    }
    return s;
}

} // namespace

TokenRequest resolve_token_request(const LoginSettings& flags, const spec::Config& config, const util::Environment& env)
{
    LoginSettings s = with_profile(flags, config);
    TokenRequest req;
    const auto& kc = config.keycloak;
    if (!s.issuer.empty() && !s.keycloak.empty()) {
        throw Error("give either --issuer or --keycloak, not both", ExitCode::usage);
    }
    if (!s.issuer.empty()) {
        req.where.issuer = s.issuer;
    } else if (!s.keycloak.empty()) {
        if (s.realm.empty()) {
            throw Error("flag --keycloak needs --realm", ExitCode::usage);
        }
        req.where.keycloak_url = s.keycloak;
        req.where.realm = s.realm;
    } else if (kc && !kc->url.empty()) {
        req.where.keycloak_url = kc->url;
        req.where.realm = s.realm.empty() ? kc->realm : s.realm;
        if (req.where.realm.empty()) {
            throw Error(fmt::format("{}: keycloak.realm is not set: give --realm", config.path), ExitCode::usage);
        }
    } else {
        throw Error("no identity provider: give --issuer URL, or --keycloak URL --realm REALM, or set keycloak.url "
                    "and keycloak.realm in the user config",
                    ExitCode::usage);
    }
    req.client_id = !s.client_id.empty() ? s.client_id : kc ? kc->client_id : "istio";
    if (!s.grant.empty()) {
        auto g = parse_login_grant(s.grant);
        if (!g) {
            throw Error(
                fmt::format("flag --grant: unknown grant \"{}\": use password, client-credentials or device", s.grant),
                ExitCode::usage);
        }
        req.grant = *g;
    }
    if (!s.client_auth.empty() && s.client_auth != "basic" && s.client_auth != "post") {
        throw Error(fmt::format("flag --client-auth: \"{}\": use basic or post", s.client_auth), ExitCode::usage);
    }
    req.client_auth_method = s.client_auth;
    req.username = s.username;
    if (req.username.empty()) {
        req.username = env.value("KMS_USERNAME");
    }
    if (req.username.empty() && kc) {
        req.username = kc->username;
    }
    req.scopes = s.scopes;
    return req;
}

} // namespace kms::oidc
