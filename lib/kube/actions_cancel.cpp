#include <algorithm>
#include <kube/actions_cancel.hpp>
#include <kube/object.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

namespace kms::actions {

namespace {

kube::PruneCandidate parent_candidate(const kube::ApplySetParent& set)
{
    return { kube::ResourceInfo{ "", "v1", "Secret", "secrets", true }, set.ns, set.name };
}

} // namespace

Owned owned_objects(kube::Client& c, kube::Discovery& d, const Target& t, const std::set<std::string>& fallback_kinds)
{
    Owned out;
    out.set = kube::ApplySetParent::for_service(t.name, t.namespace_, Json::object());
    std::string claimed = kube::label_of(t.deployment, k_part_of_label);
    if (!claimed.empty() && claimed != out.set.id) {
        throw Error(fmt::format("deployment \"{}\" in namespace \"{}\" belongs to ApplySet {}, not to the service's "
                                "own ({}): refusing to cancel it",
                                t.name,
                                t.namespace_,
                                claimed,
                                out.set.id));
    }
    auto live = c.get_optional(out.set.path(), out.set.describe());
    kube::ApplySetState state = kube::read_applyset(live, out.set); // refuses a foreign Secret
    out.parent_exists = state.exists;
    if (!state.exists) {
        state.group_kinds = fallback_kinds;
    }
    state.group_kinds.insert("Deployment.apps");
    out.members = kube::prune_candidates(c, d, out.set, state, kube::Plan{});
    bool listed = std::any_of(out.members.begin(), out.members.end(), [&](const kube::PruneCandidate& m) {
        return m.resource.kind == "Deployment" && m.resource.group == "apps" && m.name == t.name &&
               m.ns == t.namespace_;
    });
    if (!listed) {
        // Ours by its managed-by label even without the set's label (an interrupted first apply).
        auto info = d.find_group_kind("apps", "Deployment");
        out.members.push_back({ info ? *info : kube::ResourceInfo{ "apps", "v1", "Deployment", "deployments", true },
                                t.namespace_,
                                t.name });
    }
    return out;
}

const char* propagation_policy(const std::string& cascade, const std::string& flag)
{
    if (cascade == "background" || cascade == "true") {
        return "Background";
    }
    if (cascade == "foreground") {
        return "Foreground";
    }
    if (cascade == "orphan" || cascade == "false") {
        throw input_error(SourcePos{ {}, 0, 0, flag },
                          "orphan would leave the service's ReplicaSets and pods running without an owner; cancel "
                          "deletes everything the service owns: use background or foreground");
    }
    throw input_error(SourcePos{ {}, 0, 0, flag },
                      fmt::format("unknown value \"{}\": use background or foreground", cascade));
}

std::vector<kube::PruneCandidate> deletion_order(const Owned& owned)
{
    std::vector<kube::PruneCandidate> order = owned.members;
    std::stable_partition(order.begin(), order.end(), [](const kube::PruneCandidate& m) {
        return !(m.resource.kind == "Deployment" && m.resource.group == "apps");
    });
    if (owned.parent_exists) {
        order.push_back(parent_candidate(owned.set));
    }
    return order;
}

std::string describe_owned(const Owned& owned, const kube::PruneCandidate& c)
{
    bool parent =
      c.resource.kind == "Secret" && c.resource.group.empty() && c.name == owned.set.name && c.ns == owned.set.ns;
    return parent ? c.label() + " (ApplySet parent)" : c.label();
}

void delete_owned(kube::Client& c, const Owned& owned, const char* propagation, bool dry_run,
                  const std::function<void(const std::string&)>& report)
{
    for (const auto& m : deletion_order(owned)) {
        kube::delete_member(c, m, dry_run, propagation, "deleting");
        report(fmt::format("{} {}", describe_owned(owned, m), dry_run ? "deleted (server dry run)" : "deleted"));
    }
}

void wait_gone(kube::Client& c, const Owned& owned, std::chrono::milliseconds timeout, util::Clock& clock)
{
    std::vector<kube::PruneCandidate> left = deletion_order(owned);
    auto deadline = clock.now() + timeout;
    std::chrono::milliseconds pause{ 100 };
    while (true) {
        std::vector<kube::PruneCandidate> still;
        for (const auto& m : left) {
            if (c.get_optional(m.resource.object_path(m.ns, m.name), m.describe())) {
                still.push_back(m);
            }
        }
        if (still.empty()) {
            return;
        }
        if (timeout.count() > 0 && clock.now() >= deadline) {
            std::vector<std::string> names;
            for (const auto& m : still) {
                names.push_back(m.label());
            }
            throw Error(fmt::format("timed out waiting for the deletion of {} (deletion was requested; they may "
                                    "still go)",
                                    util::join(names, ", ")));
        }
        left = std::move(still);
        clock.sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    }
}

} // namespace kms::actions
