// Fuzzes what identity providers answer: the discovery document, token endpoint answers (every
// grant, 200 and error statuses), the device authorization answer and polling, and the token
// cache file a killed process may have left behind. kms::Error is the expected way to refuse an
// answer; any other exception, crash, leak or hang is a bug.
#include "fuzz_common.hpp"

#include <oidc/cache.hpp>
#include <oidc/errors.hpp>
#include <oidc/grants.hpp>
#include <oidc/provider.hpp>
#include <util/clock.hpp>
#include <util/error.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>

namespace {

// Status codes a token endpoint gives, picked by one input byte.
int status_of(std::uint8_t b)
{
    static const int k_statuses[] = {200, 200, 200, 400, 401, 403, 404, 500, 503, 302};
    return k_statuses[b % (sizeof k_statuses / sizeof k_statuses[0])];
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    kms::fuzz::Input in(data, size);
    int status = status_of(in.byte());
    std::string body = in.rest();
    int calls = 0;
    kms::fuzz::ScriptedHttp http([&](const kms::http::Request&) {
        // A device poll that never ends is bounded by the code's lifetime; stop it here too.
        return ++calls > 50 ? kms::fuzz::ScriptedHttp::answer(400, R"({"error":"access_denied"})")
                            : kms::fuzz::ScriptedHttp::answer(status, body);
    });
    kms::util::FakeClock clock;
    std::chrono::milliseconds timeout(1000);

    try {
        kms::oidc::IssuerSpec spec;
        spec.keycloak_url = "https://sso.example.com";
        spec.realm = "acme";
        auto d = kms::oidc::discover(http, spec, timeout);
        (void)d.provider.to_json().dump();
    } catch (const kms::Error&) {
    }

    kms::oidc::ProviderInfo provider;
    provider.issuer = "https://sso.example.com/realms/acme";
    provider.token_endpoint = provider.issuer + "/protocol/openid-connect/token";
    provider.device_authorization_endpoint = provider.token_endpoint + "/../auth/device";
    provider.revocation_endpoint = provider.token_endpoint + "/../revoke";
    kms::oidc::GrantClient grants(http, provider, {"cli", std::string("s3cret"), ""}, clock, timeout,
                                  {provider.issuer, "cli", "alice", "kubectl microservice token"});
    auto attempt = [](auto&& f) {
        try {
            f();
        } catch (const kms::Error&) {
        }
    };
    attempt([&] { (void)grants.password("alice", "pw", "openid").to_json().dump(); });
    attempt([&] { (void)grants.client_credentials("").to_json().dump(); });
    attempt([&] { (void)grants.refresh("rt"); });
    attempt([&] { (void)grants.poll_device(grants.start_device("openid")); });
    attempt([&] { grants.revoke("rt", "refresh_token"); });
    (void)kms::oidc::parse_oauth_error(kms::fuzz::ScriptedHttp::answer(status, body));

    // The body as a token cache entry.
    auto entry = kms::oidc::CachedToken::from_json(kms::Json::parse(in.all(), nullptr, false));
    if (entry) {
        (void)entry->to_json().dump();
    }
    return 0;
}
