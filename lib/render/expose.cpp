#include <render/expose.hpp>
#include <spec/expose.hpp>

namespace kms::render {

int exposed_port_number(const spec::Service& s)
{
    const spec::Port* p = spec::exposed_port(s);
    if (p == nullptr) {
        throw Error(fmt::format("render: service \"{}\" has no port to expose (the loader checks this)", s.name));
    }
    return spec::service_port_number(*p);
}

void render_expose(const spec::Service& s, const spec::Config& config, std::vector<Json>& out)
{
    if (!s.expose) {
        return;
    }
    // The loader fills host and via; a Service built another way must go through resolve_expose.
    if (!s.expose->host || !s.expose->via) {
        throw Error(fmt::format("render: the exposure of service \"{}\" was not resolved (no host or via)", s.name));
    }
    switch (*s.expose->via) {
    case spec::ExposeVia::gateway_api:
        render_gateway_api(s, out);
        break;
    case spec::ExposeVia::istio:
        render_istio(s, out);
        break;
    case spec::ExposeVia::ingress:
        render_ingress(s, config, out);
        break;
    }
}

} // namespace kms::render
