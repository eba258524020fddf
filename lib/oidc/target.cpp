#include <oidc/target.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

#include <fmt/format.h>

namespace kms::oidc {

std::optional<ServiceTarget> target_from_service(const spec::Service& s)
{
    if (!s.expose || !s.expose->host || s.expose->host->empty()) {
        return std::nullopt;
    }
    ServiceTarget t;
    std::string path = s.expose->path.value_or("/");
    if (path.empty() || path.front() != '/') {
        path = "/" + path;
    }
    t.base_url = "https://" + *s.expose->host + (path == "/" ? "" : path);
    const spec::Auth& auth = s.expose->auth;
    if ((auth.type == spec::AuthType::jwt || auth.type == spec::AuthType::keycloak) && auth.issuer) {
        t.issuer = IssuerSpec{*auth.issuer, "", ""};
        t.audiences = auth.audiences;
    }
    return t;
}

LoadedServicesResolver::LoadedServicesResolver(std::vector<spec::Service> services)
  : m_services(std::move(services))
{
}

ServiceTarget LoadedServicesResolver::resolve(const std::string& name)
{
    std::vector<std::string> names;
    for (const auto& s : m_services) {
        if (s.name != name) {
            names.push_back(s.name);
            continue;
        }
        auto t = target_from_service(s);
        if (!t) {
            throw Error(
                fmt::format("service {} has no expose: section: it is reachable only inside the cluster", name));
        }
        return *t;
    }
    throw Error(fmt::format("no service named {} in the given files{}", name,
                            names.empty() ? std::string() : " (found: " + util::join(names, ", ") + ")"),
                ExitCode::usage);
}

} // namespace kms::oidc
