#pragma once

#include <chrono>
#include <kube/actions_target.hpp>
#include <kube/client.hpp>
#include <kube/rollout.hpp>
#include <optional>
#include <string>
#include <util/json.hpp>
#include <util/term.hpp>
#include <vector>

// `status` and `list`: a service's health, read from its objects with the analysis apply's --wait
// uses (kube/rollout.hpp), its replicas and autoscaling, and a DigitalHub-style `service:` block
// of where it answers.
namespace kms::actions {

enum class Health
{
    healthy,
    progressing,
    degraded,
    failed,
    off,
};

// "healthy", "progressing", "degraded", "failed", "off".
std::string health_name(Health h);

// The objects a service's status is read from. The lists may hold other services' objects too
// (list reads whole namespaces): only the Deployment's own are looked at.
struct Observed
{
    Json deployment;
    Json replicasets = Json::array();
    Json pods = Json::array();
    Json events = Json::array();
    std::optional<Json> hpa;
    std::optional<Json> service; // the core/v1 Service
};

struct Assessment
{
    Health health = Health::healthy;
    std::string reason;                       // why it is not healthy; empty when healthy
    std::optional<kube::Diagnosis> diagnosis; // the pod at fault, when one is (its logs tell more)
};

// off: no replica wanted and no HPA (scale --min 0 --max 0);
// failed: the rollout cannot finish (progress deadline exceeded, or kube::diagnose names a reason)
//   and no replica is available;
// degraded: the same while replicas are available (an older revision still serves), or fewer
//   available than desired;
// progressing: the rollout is under way;
// healthy: rolled out, every desired replica available.
Assessment assess(const Observed& o);

// The replicas the service wants now: spec.replicas, else what its HPA decided.
long long desired_replicas(const Observed& o);

// `service:`: name, type, clusterIP, ports, url (<name>.<namespace>:<port>), urls (every port's),
// dns (the names it resolves as in the cluster), external (the URLs given, when exposed).
Json service_block(const Json& service, const std::vector<std::string>& external);

// The document of `status -o json|yaml` and of each item of `list -o json|yaml`: name, namespace,
// health, reason, replicas, autoscaling, image, commit, branch, revision, applyset, created,
// service.
Json status_document(const Observed& o, const std::vector<std::string>& external);

// What status needs of `t`, read from the cluster (the requests go out in parallel).
Observed observe(kube::Client& c, const Target& t);

// Every service the tool manages in `ns` ("" = every namespace), sorted by namespace and name.
std::vector<Observed> observe_all(kube::Client& c, const std::string& ns);

// External URLs a LoadBalancer or NodePort Service gives (http://IP:PORT), from its status.
std::vector<std::string> load_balancer_urls(const Json& service);

// `status` for people: one aligned "Key:  value" line per fact of status_document(); the health in
// colour when `palette` is on.
std::string status_text(const Json& doc, std::chrono::system_clock::time_point now, const util::Palette& palette);

// One `list` row of status_document(): [NAMESPACE] NAME HEALTH REPLICAS (ready/desired) URL AGE,
// and with `wide` IMAGE REVISION COMMIT REASON; the health in colour when `palette` is on.
std::vector<std::string> list_headers(bool all_namespaces, bool wide);
std::vector<std::string> list_row(const Json& doc, bool all_namespaces, bool wide,
                                  std::chrono::system_clock::time_point now, const util::Palette& palette = {});

} // namespace kms::actions
