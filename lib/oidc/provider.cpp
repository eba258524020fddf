#include <oidc/provider.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

namespace kms::oidc {

namespace {

// One discovery attempt: the document, or why there is none.
struct Attempt
{
    std::optional<Json> doc;
    int status = 0;
    std::string keycloak_error; // Keycloak's {"error": "..."} on a 404, e.g. "Realm does not exist"
};

Attempt fetch_document(http::Client& http, const std::string& issuer, std::chrono::milliseconds timeout)
{
    http::Request req;
    req.url = issuer + "/.well-known/openid-configuration";
    req.headers = {{"Accept", "application/json"}};
    req.timeout = timeout;
    http::Response resp = http.send(req);
    Attempt a;
    a.status = resp.status;
    Json body = Json::parse(resp.body, nullptr, false);
    if (resp.status == 200 && body.is_object() && body.contains("token_endpoint")) {
        a.doc = body;
    } else if (body.is_object()) {
        a.keycloak_error = util::str_at(body, "error");
    }
    return a;
}

ProviderInfo to_info(const Json& doc)
{
    ProviderInfo p;
    p.issuer = util::str_at(doc, "issuer");
    p.token_endpoint = util::str_at(doc, "token_endpoint");
    p.device_authorization_endpoint = util::str_at(doc, "device_authorization_endpoint");
    p.revocation_endpoint = util::str_at(doc, "revocation_endpoint");
    p.end_session_endpoint = util::str_at(doc, "end_session_endpoint");
    auto methods = doc.find("token_endpoint_auth_methods_supported");
    if (methods != doc.end() && methods->is_array()) {
        for (const auto& m : *methods) {
            if (m.is_string()) {
                p.token_auth_methods.push_back(m.get<std::string>());
            }
        }
    }
    return p;
}

} // namespace

std::string normalize_issuer(std::string url)
{
    while (url.size() > 1 && url.back() == '/') {
        url.pop_back();
    }
    return url;
}

std::vector<std::string> IssuerSpec::candidates() const
{
    if (!issuer.empty()) {
        return {normalize_issuer(issuer)};
    }
    std::string base = normalize_issuer(keycloak_url);
    return {base + "/realms/" + realm, base + "/auth/realms/" + realm};
}

std::string IssuerSpec::describe() const
{
    return issuer.empty() ? fmt::format("Keycloak {} realm {}", normalize_issuer(keycloak_url), realm)
                          : normalize_issuer(issuer);
}

Json ProviderInfo::to_json() const
{
    return Json{{"issuer", issuer},
                {"token_endpoint", token_endpoint},
                {"device_authorization_endpoint", device_authorization_endpoint},
                {"revocation_endpoint", revocation_endpoint},
                {"end_session_endpoint", end_session_endpoint},
                {"token_endpoint_auth_methods_supported", token_auth_methods}};
}

ProviderInfo ProviderInfo::from_json(const Json& j)
{
    return to_info(j);
}

Discovery discover(http::Client& http, const IssuerSpec& spec, std::chrono::milliseconds timeout)
{
    auto candidates = spec.candidates();
    bool unknown_realm = false;
    std::vector<std::string> tried;
    for (const auto& issuer : candidates) {
        Attempt a = fetch_document(http, issuer, timeout);
        tried.push_back(fmt::format("{} (HTTP {})", issuer, a.status));
        if (!a.doc) {
            unknown_realm = unknown_realm || a.keycloak_error == "Realm does not exist";
            continue;
        }
        ProviderInfo info = to_info(*a.doc);
        if (info.token_endpoint.empty()) {
            throw Error(fmt::format("the discovery document of {} has no token_endpoint", issuer));
        }
        // OIDC Discovery §4.3: the document's issuer must be the URL it was fetched for. For a
        // Keycloak URL the realm's frontend URL may differ; tokens then carry that `iss`.
        if (normalize_issuer(info.issuer) != issuer && !spec.issuer.empty()) {
            throw Error(fmt::format("issuer mismatch: {} calls itself \"{}\"; tokens will carry that iss and gateways "
                                    "compare it byte for byte: use --issuer {}",
                                    issuer, info.issuer, info.issuer));
        }
        info.issuer = info.issuer.empty() ? issuer : normalize_issuer(info.issuer);
        return Discovery{issuer, info};
    }
    if (unknown_realm && !spec.realm.empty()) {
        throw Error(fmt::format("realm \"{}\" does not exist at {} (realm names are case-sensitive)", spec.realm,
                                normalize_issuer(spec.keycloak_url)));
    }
    if (unknown_realm) {
        throw Error(fmt::format("the realm of {} does not exist (realm names are case-sensitive)", candidates.front()));
    }
    throw Error(fmt::format("no OpenID Connect discovery document at {}: check the {}", util::join(tried, ", "),
                            spec.issuer.empty() ? "--keycloak URL" : "--issuer URL"));
}

} // namespace kms::oidc
