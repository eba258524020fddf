#include <render/render.hpp>

namespace kms::render {

namespace {

std::optional<std::string> app_protocol(spec::Protocol p)
{
    switch (p) {
    case spec::Protocol::http:
        return "http";
    case spec::Protocol::grpc:
        return "kubernetes.io/h2c";
    case spec::Protocol::websocket:
        return "kubernetes.io/ws";
    case spec::Protocol::tcp:
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace

bool has_hpa(const spec::Service& s)
{
    return s.replicas.max > s.replicas.min;
}

Json core_service(const spec::Service& s)
{
    Json o = object_head(s, "v1", "Service", s.name);
    Json spec = Json::object();
    spec["type"] = s.service_type;
    spec["selector"] = selector_labels(s);
    Json ports = Json::array();
    for (const auto& p : s.ports) {
        Json port = Json::object();
        port["name"] = p.name;
        port["port"] = p.service_port.value_or(p.port);
        port["targetPort"] = p.name;
        port["protocol"] = "TCP";
        if (auto ap = app_protocol(p.protocol)) {
            port["appProtocol"] = *ap;
        }
        if (p.node_port) {
            port["nodePort"] = *p.node_port;
        }
        ports.push_back(port);
    }
    spec["ports"] = ports;
    o["spec"] = spec;
    return o;
}

Json hpa(const spec::Service& s)
{
    Json o = object_head(s, "autoscaling/v2", "HorizontalPodAutoscaler", s.name);
    auto metric = [](const char* resource, int target) {
        return Json{{"type", "Resource"},
                    {"resource",
                     {{"name", resource}, {"target", {{"type", "Utilization"}, {"averageUtilization", target}}}}}};
    };
    Json spec = Json::object();
    spec["scaleTargetRef"] = Json{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", s.name}};
    spec["minReplicas"] = s.replicas.min;
    spec["maxReplicas"] = s.replicas.max;
    spec["metrics"] = Json::array({metric("cpu", s.autoscaling.cpu), metric("memory", s.autoscaling.memory)});
    o["spec"] = spec;
    return o;
}

Json pdb(const spec::Service& s)
{
    Json o = object_head(s, "policy/v1", "PodDisruptionBudget", s.name);
    o["spec"] = Json{{"maxUnavailable", 1}, {"selector", {{"matchLabels", selector_labels(s)}}}};
    return o;
}

} // namespace kms::render
