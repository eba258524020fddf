#include <spec/fields.hpp>

// The table lists only the members each field needs; the rest keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace kms::spec {

namespace {

using T = FieldType;

Field probe_field(std::string_view name, std::string_view doc)
{
    return Field{name,
                 T::object,
                 doc,
                 {
                     {"path", T::string, "HTTP path of an httpGet probe; must start with '/'."},
                     {"command", T::string_list, "Command of an exec probe."},
                     {"tcp", T::boolean, "Check by opening a TCP connection to the port."},
                     {"port", T::string, "Name of the port to probe (default: the first port)."},
                     {"initialDelaySeconds", T::integer, "Seconds before the first probe.", {}, {}, {}, 0, 3600, "0"},
                     {"periodSeconds", T::integer, "Seconds between probes.", {}, {}, {}, 1, 3600, "10"},
                     {"timeoutSeconds", T::integer, "Seconds before a probe times out.", {}, {}, {}, 1, 3600, "1"},
                     {"failureThreshold", T::integer, "Failures before the probe counts as failed.", {}, {}, {}, 1, 100,
                      "3"},
                 }};
}

Field build()
{
    Field root{"", T::object, "A microservice: what kubectl-microservice renders into Kubernetes manifests."};
    Field health = probe_field("health", "Health checks. Probe settings here apply to both probes; liveness and "
                                         "readiness override them. No probes are rendered when absent.");
    health.children.push_back(probe_field("liveness", "The liveness probe: failing restarts the container."));
    health.children.push_back(probe_field("readiness", "The readiness probe: failing takes the pod out of the Service."));
    root.children = {
        {"name", T::string,
         "DNS-1123 label naming every object. Default: the git repository's base name, else the directory of the file."},
        {"namespace", T::string, "Namespace of the objects. Default: the kubeconfig context's."},
        {"image", T::string, "Container image. Required unless the environment preset supplies one."},
        {"environment", T::string, "An Environment Config preset from the user config (image, resources, env, …)."},
        {"port", T::integer, "The container port of a single-port service.", {}, {}, {}, 1, 65535, "8787"},
        {"ports",
         T::object_list,
         "Several ports (instead of `port`).",
         {
             {"name", T::string, "Port name (at most 15 characters). Default: the protocol, or <protocol>-<port>."},
             {"port", T::integer, "Container port.", {}, {}, {}, 1, 65535},
             {"protocol", T::string, "Application protocol.", {}, {}, {"http", "tcp", "grpc", "websocket"}, {}, {},
              "http"},
             {"servicePort", T::integer, "Port of the Service. Default: the container port.", {}, {}, {}, 1, 65535},
             {"nodePort", T::integer, "Node port (NodePort and LoadBalancer only).", {}, {}, {}, 30000, 32767},
         }},
        {"replicas",
         T::object,
         "Replica bounds: max > min renders an HPA; min = max = 0 switches the service off.",
         {
             {"min", T::integer, "Minimum replicas.", {}, {}, {}, 0, 1000, "1"},
             {"max", T::integer, "Maximum replicas. Default: min.", {}, {}, {}, 0, 1000},
         },
         {{"replicas", T::integer, "A fixed number of replicas.", {}, {}, {}, 0, 1000}}},
        {"autoscaling",
         T::object,
         "HPA targets, in percent of the requests.",
         {
             {"cpu", T::integer, "Target average CPU utilisation.", {}, {}, {}, 1, 100, "80"},
             {"memory", T::integer, "Target average memory utilisation.", {}, {}, {}, 1, 100, "80"},
         }},
        {"resources",
         T::object,
         "Requests; limits default to twice the requests.",
         {
             {"cpu", T::quantity, "CPU request.", {}, {}, {}, {}, {}, "100m"},
             {"memory", T::quantity, "Memory request.", {}, {}, {}, {}, {}, "128Mi"},
             {"gpu", T::integer, "GPUs (nvidia.com/gpu), request and limit.", {}, {}, {}, 0, 64, "0"},
             {"limits",
              T::object,
              "Explicit limits.",
              {{"cpu", T::quantity, "CPU limit. Default: 2 × the request."},
               {"memory", T::quantity, "Memory limit. Default: 2 × the request."}}},
         }},
        {"git",
         T::object,
         "A repository cloned into the service before it starts.",
         {
             {"repo", T::string, "Repository URL (https, ssh or file)."},
             {"branch", T::string, "Branch to clone (resolved to a commit when applied)."},
             {"commit", T::string, "Commit to pin (7 to 40 hexadecimal digits)."},
             {"secret", T::string, "Secret with git credentials, mounted only into the clone step."},
         }},
        {"run",
         T::object,
         "What the container runs, from the repository root (or workingDir). One of script, pipeline, command.",
         {
             {"script", T::string, "A bash script, run as `bash <script>`."},
             {"pipeline", T::string, "A Shakudo pipeline YAML, run by a generated runner."},
             {"command", T::string_list, "A command, run as given."},
             {"args", T::string_list, "Arguments for the command."},
         }},
        {"workingDir", T::string, "Working directory, relative to the repository root."},
        {"parameters", T::string_map,
         "Parameters: env NAME (upper-cased, non-alphanumerics → _) and HYPERPLANE_JOB_PARAMETER_NAME."},
        {"legacyParameterNames", T::boolean, "Also export HYPERPLANE_JOB_PARAMETER_* names.", {}, {}, {}, {}, {},
         "true"},
        {"env", T::string_map, "Environment variables."},
        {"secrets",
         T::object_list,
         "Secrets: mounted at /etc/hyperplane/secrets/<secret>/<key>; each key also becomes env "
         "HYPERPLANE_CUSTOM_SECRET_KEY_<KEY>.",
         {
             {"name", T::string, "Secret name."},
             {"keys", T::string_list, "Keys to export as env variables (looked up in the cluster at apply if absent)."},
         },
         {},
         {},
         {},
         {},
         {},
         true},
        health,
        {"session",
         T::object,
         "Session affinity at the gateway.",
         {
             {"sticky", T::boolean, "Sticky sessions with a cookie."},
             {"maxAge", T::integer, "Cookie lifetime in seconds.", {}, {}, {}, 1, 31536000, "86400"},
             {"hashBy", T::string, "Consistent hashing: header:NAME, cookie:NAME or source-ip."},
         }},
        {"service",
         T::object,
         "The Kubernetes Service.",
         {{"type", T::string, "Service type.", {}, {}, {"ClusterIP", "NodePort", "LoadBalancer"}, {}, {}, "ClusterIP"}}},
        {"nodeSelector", T::string_map, "Node labels the pods must match."},
        {"tolerations",
         T::object_list,
         "Taints the pods tolerate.",
         {
             {"key", T::string, "Taint key."},
             {"operator", T::string, "Match operator.", {}, {}, {"Equal", "Exists"}, {}, {}, "Equal"},
             {"value", T::string, "Taint value."},
             {"effect", T::string, "Taint effect.", {}, {}, {"NoSchedule", "PreferNoSchedule", "NoExecute"}},
         }},
        {"serviceAccount", T::string, "ServiceAccount the pods run as."},
        {"expose",
         T::object,
         "External exposure through a gateway. `true` exposes with every default.",
         {
             {"host", T::string, "Host name. Default: <name>.services.<domain> from the user config."},
             {"path", T::string, "Path prefix to match; starts with '/'.", {}, {}, {}, {}, {}, "/"},
             {"rewrite", T::string, "Prefix that replaces the matched path (needs `path`)."},
             {"via", T::string, "How to expose.", {}, {}, {"gateway-api", "istio", "ingress"}, {}, {}, "gateway-api"},
             {"port", T::string, "Port name or service port number to route to. Default: the first HTTP port."},
             {"gateway",
              T::object,
              "The Gateway (gateway-api) or Istio gateway to attach to. Default: the user config's gateway.",
              {{"name", T::string, "Gateway name."},
               {"namespace", T::string, "Gateway namespace."},
               {"sectionName", T::string, "Listener name."}},
              {{"gateway", T::string, "The gateway as NAMESPACE/NAME."}}},
             {"tls", T::object, "TLS on the listener side.", {{"secret", T::string, "Secret with the certificate."}}},
             {"auth",
              T::object,
              "Authentication at the gateway.",
              {
                  {"type", T::string, "Auth mode.", {}, {}, {"none", "basic", "apikey", "jwt", "keycloak"}},
                  {"secret", T::string, "htpasswd Secret (basic) or API-key Secret (apikey)."},
                  {"header", T::string, "Header carrying the API key.", {}, {}, {}, {}, {}, "x-api-key"},
                  {"issuer", T::string, "JWT issuer (absolute https URL; http only for loopback)."},
                  {"jwks", T::string, "JWKS URL. Default for keycloak: {issuer}/protocol/openid-connect/certs."},
                  {"audiences", T::string_list, "Accepted audiences."},
                  {"claimToHeaders", T::string_map, "Claims copied into request headers (claim: header)."},
              },
              {{"auth", T::string, "The auth type alone, e.g. `auth: keycloak`.", {}, {},
                {"none", "basic", "apikey", "jwt", "keycloak"}}}},
         },
         {{"expose", T::boolean, "true exposes with every default; false keeps the service internal."}}},
    };
    return root;
}

} // namespace

const Field& service_fields()
{
    static const Field root = build();
    return root;
}

} // namespace kms::spec
