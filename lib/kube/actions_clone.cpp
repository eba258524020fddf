#include <kube/actions_clone.hpp>
#include <kube/actions_history.hpp>
#include <kube/actions_record.hpp>
#include <kube/object.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

namespace kms::actions {


std::optional<Target> leftover_record(kube::Client& c, const std::string& ns, const std::string& name)
{
    std::string selector = query_escape(fmt::format("{}={},{}", k_instance_label, name, k_managed_by_label)) + "%3D" +
                           "kubectl-microservice";
    Json list = c.get(fmt::format("/apis/apps/v1/namespaces/{}/replicasets?labelSelector={}", ns, selector),
                      fmt::format("listing the ReplicaSets of service {} in namespace {}", name, ns));
    std::optional<Target> best;
    long best_revision = -1;
    for (const auto& rs : util::list_at(list, "items")) {
        auto record = recorded_text(rs);
        long rev = revision_number(rs);
        if (record && rev > best_revision) {
            best_revision = rev;
            best = Target{ name, ns, rs, record, "" };
        }
    }
    return best;
}

Target clone_source(kube::Client& c, const std::string& ns, const std::string& name)
{
    if (auto d = c.get_optional(deployment_path(ns, name), fmt::format("service {} in namespace {}", name, ns))) {
        return to_target(std::move(*d), "clone", Need::record);
    }
    if (auto left = leftover_record(c, ns, name)) {
        return *left;
    }
    try {
        find_service(c, ns, name, "clone", Need::record);
    } catch (const Error& e) {
        throw Error(fmt::format("{}; no record of it is left either (no ReplicaSet of it remains: cancel deletes "
                                "them with the service), so clone has nothing to copy",
                                e.what()));
    }
    // It appeared in the meantime: the caller may simply try again.
    throw Error(
      fmt::format("service \"{}\" in namespace \"{}\" appeared while clone looked for it; run clone again", name, ns));
}

std::optional<std::string> renamed_host(const std::string& host, const std::string& from, const std::string& to)
{
    if (!util::starts_with(host, from + ".")) {
        return std::nullopt;
    }
    return to + host.substr(from.size());
}

} // namespace kms::actions
