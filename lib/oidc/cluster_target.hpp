#pragma once

#include <kube/client.hpp>
#include <oidc/call.hpp>
#include <oidc/target.hpp>

#include <string>

// `call NAME` from the cluster: the routes `apply` created for the service, and the API server's
// service proxy for --internal.
namespace kms::oidc {

// Looks for what `apply` renders for an exposed service, in this order: the Gateway API HTTPRoute
// NAME (scheme and port from its Gateway's listener, the JWT issuer from the Envoy Gateway
// SecurityPolicy NAME-sp), the Istio VirtualService NAME (issuer from the RequestAuthentication
// NAME), the Ingress NAME (https when its tls covers the host).
class ClusterResolver : public ServiceResolver
{
public:
    ClusterResolver(kube::Client& client, std::string namespace_);
    ServiceTarget resolve(const std::string& name) override;
    // The same lookup; nullopt when the service is not exposed (status shows no external URL).
    std::optional<ServiceTarget> find(const std::string& name);

private:
    std::optional<ServiceTarget> from_http_route(const std::string& name);
    std::optional<ServiceTarget> from_virtual_service(const std::string& name);
    std::optional<ServiceTarget> from_ingress(const std::string& name);

    kube::Client& m_client;
    std::string m_namespace;
};

// "/api/v1/namespaces/NS/services/NAME:PORT/proxy/PATH" with PORT the Service's first port (its
// name, else its number); throws when the Service does not exist.
std::string service_proxy_path(kube::Client& client, const std::string& namespace_, const std::string& name,
                               const std::string& path);

// Sends `req` (its url ignored) to `proxy_path` through the API server with the kubeconfig's
// credentials. Only Content-Type and Accept headers can be passed on; others are a usage error.
CallResult perform_internal_call(kube::Client& client, const CallRequest& req, const std::string& proxy_path,
                                 util::Clock& clock);

} // namespace kms::oidc
