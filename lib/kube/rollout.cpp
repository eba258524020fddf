#include <fmt/format.h>
#include <kube/object.hpp>
#include <kube/rollout.hpp>

namespace kms::kube {

namespace {

using util::int_at;
using util::list_at;
using util::str_at;

const Json& field(const Json& j, const char* key)
{
    return util::object_at(j, key);
}

std::optional<Json> condition(const Json& status, const std::string& type)
{
    for (const auto& c : list_at(status, "conditions")) {
        if (str_at(c, "type") == type) {
            return c;
        }
    }
    return std::nullopt;
}

bool owned_by(const Json& obj, const std::string& uid)
{
    for (const auto& ref : list_at(meta_of(obj), "ownerReferences")) {
        if (str_at(ref, "uid") == uid) {
            return true;
        }
    }
    return false;
}

// A pod of the current ReplicaSet: owned by it (or carrying its pod-template-hash).
bool in_replicaset(const Json& pod, const Json& rs)
{
    if (owned_by(pod, str_at(meta_of(rs), "uid"))) {
        return true;
    }
    std::string hash = label_of(rs, "pod-template-hash");
    return !hash.empty() && label_of(pod, "pod-template-hash") == hash;
}

std::optional<Diagnosis> container_problem(const std::string& pod_name, const Json& cs)
{
    const Json& waiting = field(field(cs, "state"), "waiting");
    std::string reason = str_at(waiting, "reason");
    std::string message = str_at(waiting, "message");
    std::string container = str_at(cs, "name");
    if (reason == "ImagePullBackOff" || reason == "ErrImagePull" || reason == "InvalidImageName") {
        return Diagnosis{ fmt::format("pod {}: container \"{}\" cannot pull image \"{}\" ({}){}",
                                      pod_name,
                                      container,
                                      str_at(cs, "image"),
                                      reason,
                                      message.empty() ? "" : ": " + message),
                          pod_name,
                          container,
                          false };
    }
    if (reason == "CrashLoopBackOff") {
        const Json& last = field(field(cs, "lastState"), "terminated");
        std::string exit = last.contains("exitCode") ? fmt::format("exit code {}, ", int_at(last, "exitCode")) : "";
        std::string why = str_at(last, "reason");
        return Diagnosis{ fmt::format("pod {}: container \"{}\" is crash-looping (CrashLoopBackOff, {}{} restarts{})",
                                      pod_name,
                                      container,
                                      exit,
                                      int_at(cs, "restartCount"),
                                      why.empty() || why == "Error" ? "" : ", " + why),
                          pod_name,
                          container,
                          true };
    }
    if (reason == "CreateContainerConfigError" || reason == "CreateContainerError" || reason == "RunContainerError") {
        return Diagnosis{ fmt::format("pod {}: container \"{}\" cannot start ({}){}",
                                      pod_name,
                                      container,
                                      reason,
                                      message.empty() ? "" : ": " + message),
                          pod_name,
                          container,
                          false };
    }
    return std::nullopt;
}

} // namespace

RolloutStatus rollout_status(const Json& d)
{
    const Json& meta = meta_of(d);
    const Json& spec = field(d, "spec");
    const Json& status = field(d, "status");
    std::string name = str_at(meta, "name");
    RolloutStatus r;
    if (int_at(meta, "generation") > int_at(status, "observedGeneration")) {
        r.message = "Waiting for deployment spec update to be observed...";
        return r;
    }
    if (auto c = condition(status, "Progressing"); c && str_at(*c, "reason") == "ProgressDeadlineExceeded") {
        r.failed = true;
        r.message = fmt::format("deployment \"{}\" exceeded its progress deadline", name);
        return r;
    }
    long long updated = int_at(status, "updatedReplicas");
    long long replicas = int_at(status, "replicas");
    long long available = int_at(status, "availableReplicas");
    if (spec.contains("replicas") && updated < int_at(spec, "replicas")) {
        r.message = fmt::format("Waiting for deployment \"{}\" rollout to finish: {} out of {} new replicas have been "
                                "updated...",
                                name,
                                updated,
                                int_at(spec, "replicas"));
    } else if (replicas > updated) {
        r.message = fmt::format("Waiting for deployment \"{}\" rollout to finish: {} old replicas are pending "
                                "termination...",
                                name,
                                replicas - updated);
    } else if (available < updated) {
        r.message = fmt::format("Waiting for deployment \"{}\" rollout to finish: {} of {} updated replicas are "
                                "available...",
                                name,
                                available,
                                updated);
    } else {
        r.done = true;
        r.message = fmt::format("deployment \"{}\" successfully rolled out", name);
    }
    return r;
}

std::optional<Json> current_replicaset(const Json& deployment, const Json& replicasets)
{
    std::string uid = str_at(meta_of(deployment), "uid");
    const char* key = "deployment.kubernetes.io/revision";
    std::string revision = annotation_of(deployment, key);
    for (const auto& rs : replicasets) {
        if (owned_by(rs, uid) && !revision.empty() && annotation_of(rs, key) == revision) {
            return rs;
        }
    }
    return std::nullopt;
}

std::optional<Diagnosis> diagnose(const Json& deployment, const Json& replicasets, const Json& pods, const Json& events,
                                  const DiagnoseOptions& options)
{
    const Json& status = field(deployment, "status");
    if (int_at(meta_of(deployment), "generation") > int_at(status, "observedGeneration")) {
        return std::nullopt; // the controller has not seen this spec: the pods are the previous revision's
    }
    if (auto c = condition(status, "ReplicaFailure"); c && str_at(*c, "status") == "True") {
        return Diagnosis{ fmt::format(
                            "the deployment cannot create pods ({}): {}", str_at(*c, "reason"), str_at(*c, "message")),
                          "",
                          "",
                          false };
    }
    auto rs = current_replicaset(deployment, replicasets);
    if (!rs) {
        return std::nullopt;
    }
    for (const auto& pod : pods) {
        if (!in_replicaset(pod, *rs) || meta_of(pod).contains("deletionTimestamp")) {
            continue;
        }
        std::string name = name_of(pod);
        const Json& pstatus = field(pod, "status");
        for (const char* list : { "initContainerStatuses", "containerStatuses" }) {
            for (const auto& cs : list_at(pstatus, list)) {
                if (auto d = container_problem(name, cs)) {
                    return d;
                }
            }
        }
        if (auto c = condition(pstatus, "PodScheduled");
            c && str_at(*c, "status") == "False" && str_at(*c, "reason") == "Unschedulable") {
            bool scaling_up = false;
            for (const auto& e : events) {
                scaling_up = scaling_up || (str_at(field(e, "involvedObject"), "name") == name &&
                                            str_at(e, "reason") == "TriggeredScaleUp");
            }
            if (!scaling_up) {
                return Diagnosis{
                    fmt::format("pod {} cannot be scheduled: {}", name, str_at(*c, "message")), name, "", false
                };
            }
        }
        for (const auto& e : events) {
            if (str_at(field(e, "involvedObject"), "name") != name || str_at(e, "reason") != "Unhealthy") {
                continue;
            }
            long long count = e.contains("count") && e["count"].is_number_integer() ? e["count"].get<long long>() : 1;
            if (count >= options.probe_failures) {
                return Diagnosis{ fmt::format(
                                    "pod {}: probes keep failing ({} times): {}", name, count, str_at(e, "message")),
                                  name,
                                  "",
                                  false };
            }
        }
    }
    return std::nullopt;
}

} // namespace kms::kube
