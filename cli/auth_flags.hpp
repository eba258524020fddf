#pragma once

#include "common.hpp"

#include <http/http.hpp>
#include <oidc/cache.hpp>
#include <oidc/request.hpp>
#include <oidc/token_source.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

// The identity-provider flags `token` and `call` share, and the wiring from them to a
// TokenSource (cache, lazily loaded HTTP client, password/secret/device prompts).
namespace kms::cli {

struct AuthFlags
{
    oidc::LoginSettings login;
    std::string client_secret_file;
    bool password_stdin = false;
    std::string cacert;
    bool insecure = false;
};

void add_auth_flags(CLI::App& sub, AuthFlags& f);

// The token request (oidc::resolve_token_request); a password login without any user name asks
// for one on the terminal.
oidc::TokenRequest make_token_request(const AuthFlags& f, const spec::Config& config);

// HTTP options for token and service requests: TLS from --cacert/--insecure, -v logging.
http::ClientOptions http_options(const AuthFlags& f, const GlobalOptions& g);

// Everything a TokenSource needs, owned together. The HTTP client is created on first use.
class AuthRuntime
{
public:
    AuthRuntime(const AuthFlags& flags, const GlobalOptions& g);
    oidc::TokenSource& source() { return *m_source; }
    http::Client& http();

private:
    http::ClientOptions m_options;
    std::unique_ptr<http::Client> m_http;
    std::unique_ptr<oidc::FileTokenStore> m_store;
    std::unique_ptr<oidc::TokenSource> m_source;
};

} // namespace kms::cli
