#pragma once

#include <spec/config.hpp>
#include <spec/service.hpp>
#include <util/json.hpp>

#include <string>
#include <vector>

// The pure render layer: Service → Kubernetes manifests. No I/O, no clock, no cluster.
namespace kms::render {

inline constexpr const char* k_manager = "kubectl-microservice";
inline constexpr const char* k_annotation_prefix = "kubectl-microservice.dev/";

struct Rendered
{
    std::vector<Json> objects;         // in apply order
    std::vector<std::string> warnings; // for stderr
};

Rendered render(const spec::Service& s, const spec::Config& config);
Rendered render_all(const std::vector<spec::Service>& services, const spec::Config& config);

// Labels every object of the service carries, and the (smaller) selector.
Json labels(const spec::Service& s);
Json selector_labels(const spec::Service& s);
// apiVersion/kind/metadata of an object of the service.
Json object_head(const spec::Service& s, const char* api_version, const char* kind, const std::string& name);

// Pieces of the pod template (render/workload.cpp).
Json deployment(const spec::Service& s, const spec::Config& config, std::vector<std::string>& warnings);
// The core Service and the scaling objects (render/service.cpp).
Json core_service(const spec::Service& s);
Json hpa(const spec::Service& s);
Json pdb(const spec::Service& s);
bool has_hpa(const spec::Service& s);

} // namespace kms::render
