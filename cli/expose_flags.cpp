#include "common.hpp"

namespace kms::cli {

void add_expose_flags(CLI::App& sub, spec::ExposeFlags& f)
{
    const char* group = "Exposure flags (override the file's expose section)";
    sub.add_option("--host", f.host, "Public host name (default <name>.services.<domain> from the user config)")
        ->group(group);
    sub.add_option("--path", f.path, "Path prefix to route (default /)")->group(group);
    sub.add_option("--rewrite", f.rewrite, "Replace the matched path prefix with this one (needs --path)")
        ->group(group);
    sub.add_option("--via", f.via, "gateway-api (default: HTTPRoute + Envoy Gateway), istio or ingress")
        ->group(group);
    sub.add_option("--auth", f.auth, "none, basic, apikey, jwt or keycloak (replaces the file's auth section)")
        ->group(group);
    sub.add_option("--auth-secret", f.auth_secret, "Secret with htpasswd lines (basic) or the API keys (apikey)")
        ->group(group);
    sub.add_option("--auth-header", f.auth_header, "Header carrying the API key (default x-api-key)")->group(group);
    sub.add_option("--jwt-issuer", f.jwt_issuer, "Token issuer URL (https; http only for loopback)")->group(group);
    sub.add_option("--jwt-jwks", f.jwt_jwks, "JWKS URL of the issuer's signing keys")->group(group);
    sub.add_option("--jwt-audience", f.jwt_audiences, "Accepted token audience (repeatable)")->group(group);
    sub.add_option("--claim-to-header", f.claim_to_headers, "Copy a token claim into a request header: CLAIM=HEADER "
                                                            "(repeatable)")
        ->group(group);
    sub.add_option("--tls-secret", f.tls_secret, "TLS Secret for the host (via ingress)")->group(group);
}

} // namespace kms::cli
