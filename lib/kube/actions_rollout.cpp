#include <kube/actions_rollout.hpp>
#include <util/error.hpp>
#include <util/rfc3339.hpp>

namespace kms::actions {

namespace {

Json patch(kube::Client& c, const Target& t, const std::string& content_type, const Json& body, const std::string& what)
{
    kube::Call call;
    call.method = "PATCH";
    call.path = deployment_path(t.namespace_, t.name) + "?fieldManager=" + k_rollout_manager;
    call.content_type = content_type;
    call.body = body.dump();
    return c.request(call, fmt::format("{} service {} in namespace {}", what, t.name, t.namespace_));
}

} // namespace

Json restart_pods(kube::Client& c, const Target& t, std::chrono::system_clock::time_point now)
{
    require_not_paused(t.deployment, "restart");
    Json body = {{"spec", {{"template", {{"metadata", {{"annotations", {{k_restarted_at_annotation,
                                                                           util::format_rfc3339(now)}}}}}}}}}};
    return patch(c, t, "application/strategic-merge-patch+json", body, "restarting");
}

Json undo_to(kube::Client& c, const Target& t, const Revision& rev)
{
    require_not_paused(t.deployment, "roll back");
    return patch(c, t, "application/json-patch+json", undo_patch(t.deployment, rev.replicaset), "rolling back");
}

} // namespace kms::actions
