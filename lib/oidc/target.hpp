#pragma once

#include <oidc/provider.hpp>
#include <spec/service.hpp>

#include <optional>
#include <string>
#include <vector>

// Where `call NAME` goes: the service's external URL and the issuer its JWT auth trusts.
namespace kms::oidc {

struct ServiceTarget
{
    std::string base_url;               // https://HOST/PATH-PREFIX
    std::optional<IssuerSpec> issuer;   // set when the exposure requires a JWT
    std::vector<std::string> audiences; // what the gateway accepts, for hints
};

// From a loaded service (its defaults filled by the loader); nullopt when it is not exposed.
std::optional<ServiceTarget> target_from_service(const spec::Service& s);

// Finds NAME's target: from service files today, from the cluster's routes once the kube
// client can read them.
class ServiceResolver
{
public:
    virtual ~ServiceResolver() = default;
    virtual ServiceTarget resolve(const std::string& name) = 0;
};

// Resolves among services already loaded (call NAME -f service.yaml).
class LoadedServicesResolver : public ServiceResolver
{
public:
    explicit LoadedServicesResolver(std::vector<spec::Service> services);
    ServiceTarget resolve(const std::string& name) override;

private:
    std::vector<spec::Service> m_services;
};

} // namespace kms::oidc
