#pragma once

#include <util/error.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// The service model: what a service.yaml, an Opta k8s-service module, a Shakudo pipeline file or
// the command-line flags describe. Parsers fill it; render/ turns it into manifests.
namespace kms::spec {

using KeyValues = std::vector<std::pair<std::string, std::string>>; // ordered as written

enum class Protocol
{
    http,
    tcp,
    grpc,
    websocket,
};
std::string_view to_string(Protocol p);

struct Port
{
    std::string name;  // DNS-1123 label, at most 15 characters (IANA service name)
    int port = 8787;   // container port
    Protocol protocol = Protocol::http;
    std::optional<int> service_port; // defaults to `port`
    std::optional<int> node_port;
};

struct Replicas
{
    int min = 1;
    int max = 1;
};

struct Autoscaling
{
    int cpu = 80;    // target average utilisation, percent of the request
    int memory = 80;
};

struct Resources
{
    std::string cpu = "100m";
    std::string memory = "128Mi";
    std::optional<std::string> cpu_limit;    // default: 2 × cpu
    std::optional<std::string> memory_limit; // default: 2 × memory
    int gpu = 0;                             // nvidia.com/gpu
};

struct Git
{
    std::string repo;
    std::optional<std::string> branch;
    std::optional<std::string> commit;
    std::optional<std::string> secret; // Secret with credentials, mounted only into the clone step
};

// One step of a Shakudo multi-step pipeline.
struct PipelineTask
{
    std::string name;
    std::string type;   // normalised: bash, python, js, notebook
    std::string path;   // script / notebook path, relative to the repo root
    std::optional<std::string> notebook_output_path;
    std::optional<std::string> working_dir;
    std::optional<std::vector<std::string>> depends_on; // nullopt: after the previous task
    SourcePos pos;
};

struct Pipeline
{
    std::string name;
    std::optional<std::string> working_dir;
    std::optional<std::string> requirements; // pip requirements file installed before the tasks
    std::vector<PipelineTask> tasks;
    std::string source; // the path the pipeline was read from (run.pipeline), for messages
};

struct Run
{
    std::optional<std::string> script;               // bash <script>, from the repo root
    std::optional<std::string> pipeline_path;        // pipeline YAML, relative to the repo root
    std::optional<Pipeline> pipeline;                // that file, read by the loader
    std::optional<std::vector<std::string>> command; // as given
    std::optional<std::vector<std::string>> args;
};

struct SecretRef
{
    std::string name;
    std::vector<std::string> keys; // empty: the keys are looked up in the cluster at apply
    SourcePos pos;
};

struct Probe
{
    std::optional<std::string> path;                 // httpGet
    std::optional<std::vector<std::string>> command; // exec
    bool tcp = false;                                // tcpSocket (tcp/websocket ports)
    std::optional<std::string> port;                 // port name; default: the first port
    int initial_delay = 0;
    int period = 10;
    int timeout = 1;
    int failure_threshold = 3;
};

struct Health
{
    std::optional<Probe> liveness;
    std::optional<Probe> readiness;
};

struct Session
{
    bool sticky = false;
    int max_age = 86400;
    std::optional<std::string> hash_by; // "header:x-user", "cookie:name", "source-ip"
};

// How the service is reached from outside the cluster (`expose:`, --host …). The loader fills
// the defaults (host from the config's domain, the gateway, Keycloak's issuer) before validation,
// so render/ sees complete values.
enum class ExposeVia
{
    gateway_api, // HTTPRoute + Envoy Gateway policies
    istio,       // VirtualService, DestinationRule, RequestAuthentication + AuthorizationPolicy
    ingress,     // networking.k8s.io/v1 Ingress with ingress-nginx annotations
};

enum class AuthType
{
    none,
    basic,    // htpasswd Secret
    apikey,   // Secret of client-name → key, presented in a header
    jwt,      // issuer + JWKS (+ audiences, claim → header)
    keycloak, // jwt whose issuer and JWKS come from the user config's keycloak section
};

struct Auth
{
    AuthType type = AuthType::none;
    std::optional<std::string> secret; // basic, apikey
    std::optional<std::string> header; // apikey; default x-api-key
    std::optional<std::string> issuer; // jwt; keycloak: {url}/realms/{realm}
    std::optional<std::string> jwks;   // jwt; keycloak: {issuer}/protocol/openid-connect/certs
    std::vector<std::string> audiences; // empty: the token's aud is not checked
    KeyValues claim_to_headers;         // claim → request header, in order
};

// The Gateway API Gateway (via gateway-api) or the Istio Gateway (via istio) a route attaches to;
// from `expose.gateway` or the user config's `gateway`.
struct GatewayRef
{
    std::string name;
    std::optional<std::string> namespace_;
    std::optional<std::string> section_name; // a listener of a Gateway API Gateway
};

struct Expose
{
    std::optional<std::string> host;    // default <name>.services.<domain>
    std::optional<std::string> path;    // prefix match; default "/"
    std::optional<std::string> rewrite; // replaces the matched prefix
    std::optional<ExposeVia> via;       // default gateway-api
    std::optional<std::string> port;    // port name or service port number; default the first HTTP port
    std::optional<GatewayRef> gateway; // default: the user config's gateway
    std::optional<std::string> tls_secret;
    Auth auth;
};

struct Toleration
{
    std::string key;
    std::string op = "Equal";
    std::optional<std::string> value;
    std::optional<std::string> effect;
};

struct Service
{
    std::string name;
    std::optional<std::string> namespace_;
    std::string image;
    std::optional<std::string> environment; // preset name from the user config
    std::vector<Port> ports;                // never empty after load (default: http 8787)
    Replicas replicas;
    Autoscaling autoscaling;
    Resources resources;
    std::optional<Git> git;
    Run run;
    std::optional<std::string> working_dir;
    KeyValues parameters;
    bool legacy_parameter_names = true; // also export HYPERPLANE_JOB_PARAMETER_<NAME>
    KeyValues env;
    std::vector<SecretRef> secrets;
    Health health;
    std::optional<Session> session;
    std::optional<Expose> expose;
    std::string service_type = "ClusterIP";
    std::map<std::string, std::string> node_selector;
    std::vector<Toleration> tolerations;
    std::optional<std::string> service_account;

    // Where each field was set ("replicas.max" → file:line:col or flag), for later checks.
    std::map<std::string, SourcePos> positions;
    // Warnings found while reading (ignored keys and similar), printed on stderr.
    std::vector<std::string> notes;

    SourcePos pos_of(const std::string& field) const;
};

} // namespace kms::spec
