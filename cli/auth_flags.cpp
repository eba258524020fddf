#include "auth_flags.hpp"

#include <oidc/secrets.hpp>
#include <util/clock.hpp>
#include <util/env.hpp>
#include <util/fs.hpp>
#include <util/terminal.hpp>

#include <iostream>

namespace kms::cli {

namespace {

void show_device_code(const oidc::DeviceAuthorization& d)
{
    std::cerr << "To log in, open " << d.verification_uri << " and enter the code " << d.user_code << '\n';
    if (!d.verification_uri_complete.empty()) {
        std::cerr << "  (or open " << d.verification_uri_complete << ")\n";
    }
    std::cerr << "Waiting for the login to be approved…" << std::endl;
}

} // namespace

void add_auth_flags(CLI::App& sub, AuthFlags& f)
{
    const char* group = "Identity provider";
    oidc::LoginSettings& l = f.login;
    auto option = [&](const char* names, std::string& value, const char* type, const char* help) {
        sub.add_option(names, value, help)->type_name(type)->group(group);
    };
    option("--profile", l.profile, "NAME", "A named identity provider and login from the user config's profiles");
    option("--issuer", l.issuer, "URL", "OIDC issuer URL (discovery at ISSUER/.well-known/openid-configuration)");
    option("--keycloak", l.keycloak, "URL", "Keycloak base URL (tries /realms/REALM, then legacy /auth/realms/REALM)");
    option("--realm", l.realm, "REALM", "Keycloak realm (with --keycloak)");
    option("--client-id", l.client_id, "ID", "OAuth client (default: the config's keycloak.clientId, else istio)");
    option("--grant", l.grant, "password|client-credentials|device", "How to log in (default: password)");
    option("--username", l.username, "USER", "User for the password grant (default: $KMS_USERNAME, keycloak.username)");
    sub.add_flag("--password-stdin", f.password_stdin,
                 "Read the password from standard input (else $KMS_PASSWORD, else a prompt on the terminal)")
        ->group(group);
    option("--client-secret-file", f.client_secret_file, "FILE",
           "File holding the client secret of a confidential client (else $KMS_CLIENT_SECRET)");
    option("--client-auth", l.client_auth, "basic|post",
           "How to send the client secret (default: basic unless the server offers only post)");
    sub.add_option("--scope", l.scopes, "Scope to request (repeatable; space-separated lists work too)")
        ->type_name("SCOPE")
        ->group(group);
    option("--cacert", f.cacert, "FILE", "CA bundle (PEM) to verify the identity provider and the service");
    sub.add_flag("--insecure", f.insecure, "Do not verify TLS certificates (unsafe; tokens can be stolen)")
        ->group(group);
}

oidc::TokenRequest make_token_request(const AuthFlags& f, const spec::Config& config)
{
    oidc::TokenRequest req = oidc::resolve_token_request(f.login, config, util::real_env());
    if (req.username.empty() && req.grant == oidc::LoginGrant::password && !f.password_stdin &&
        util::real_terminal().stdin_is_tty()) {
        req.username = util::real_terminal().read_line("Username: ");
    }
    return req;
}

http::ClientOptions http_options(const AuthFlags& f, const GlobalOptions& g)
{
    http::ClientOptions o;
    o.tls.verify = !f.insecure;
    o.tls.ca_file = f.cacert;
    o.verbosity = g.verbosity;
    o.user_agent = std::string("kubectl-microservice/") + KMS_VERSION;
    return o;
}

AuthRuntime::AuthRuntime(const AuthFlags& flags, const GlobalOptions& g)
  : m_options(http_options(flags, g))
{
    if (flags.insecure) {
        // As for the cluster's insecure-skip-tls-verify: never silent.
        std::cerr << "warning: TLS verification is off (--insecure): tokens and answers can be intercepted\n";
    }
    m_store = std::make_unique<oidc::FileTokenStore>(oidc::default_token_dir(util::real_env()), [] {
        std::cerr << "Waiting for another kubectl-microservice process to finish its login…" << std::endl;
    });
    oidc::TokenServices services{[this]() -> http::Client& { return http(); }, *m_store, util::real_clock()};
    int verbosity = g.verbosity;
    oidc::LoginInputs inputs;
    oidc::PasswordSource password{flags.password_stdin, [] { return stdin_text(); }};
    inputs.password = [password](const std::string& username, const std::string& issuer) {
        return oidc::obtain_password(password, util::real_env(), util::real_terminal(), username, issuer);
    };
    std::string secret_file = flags.client_secret_file;
    inputs.client_secret = [secret_file] {
        return oidc::obtain_client_secret(secret_file, util::real_fs(), util::real_env());
    };
    inputs.show_device_code = show_device_code;
    inputs.log = [verbosity](int level, const std::string& message) {
        if (level <= verbosity) {
            std::cerr << message << '\n';
        }
    };
    m_source = std::make_unique<oidc::TokenSource>(std::move(services), std::move(inputs));
}

http::Client& AuthRuntime::http()
{
    if (!m_http) {
        m_http = http::make_client(m_options);
    }
    return *m_http;
}

} // namespace kms::cli
