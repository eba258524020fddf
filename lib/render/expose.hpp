#pragma once

#include <spec/config.hpp>
#include <spec/service.hpp>
#include <util/json.hpp>

#include <vector>

// The exposure objects of a service whose `expose` was resolved by the loader (spec/expose.hpp):
// render/expose.cpp dispatches on `via` to one file per mode.
namespace kms::render {

// Appends the objects that expose `s` (nothing when it is internal).
void render_expose(const spec::Service& s, const spec::Config& config, std::vector<Json>& out);

// HTTPRoute, Envoy Gateway SecurityPolicy <name>-sp and BackendTrafficPolicy <name>-btp.
void render_gateway_api(const spec::Service& s, std::vector<Json>& out);
// VirtualService, DestinationRule, RequestAuthentication and AuthorizationPolicy <name>-require-jwt.
void render_istio(const spec::Service& s, std::vector<Json>& out);
// networking.k8s.io/v1 Ingress with ingress-nginx annotations.
void render_ingress(const spec::Service& s, const spec::Config& config, std::vector<Json>& out);

// The service port the exposure routes to.
int exposed_port_number(const spec::Service& s);

} // namespace kms::render
