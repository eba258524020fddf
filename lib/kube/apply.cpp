#include <kube/apply.hpp>
#include <kube/actions_rollout.hpp>
#include <kube/object.hpp>
#include <map>
#include <mutex>
#include <set>
#include <util/error.hpp>
#include <util/parallel.hpp>
#include <util/strings.hpp>

namespace kms::kube {

namespace {

// Hands spec.replicas to the HPA: a manager of its own keeps the live value while ours lets go
// (Kubernetes docs, server-side apply, "Transferring ownership").
constexpr const char* k_handover_manager = "kubectl-microservice-handover-to-hpa";

std::string resource_version(const Json& o)
{
    return util::str_at(meta_of(o), "resourceVersion");
}

bool is_success(int status)
{
    return status >= 200 && status < 300;
}

// Collects the one-line failures of a parallel step.
class Failures
{
  public:
    void add(std::string line)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_lines.push_back(std::move(line));
    }
    bool empty() const { return m_lines.empty(); }
    [[noreturn]] void raise(const std::string& trailer) const
    {
        std::vector<std::string> lines = m_lines;
        std::sort(lines.begin(), lines.end());
        if (!trailer.empty()) {
            lines.push_back(trailer);
        }
        throw Error(util::join(lines, "\n"));
    }

  private:
    std::mutex m_mutex;
    std::vector<std::string> m_lines;
};

struct Preflight
{
    std::vector<http::Response> dry_runs;
    std::optional<Json> parent;
    std::map<std::string, std::optional<Json>> hpa_targets; // ref → live Deployment
    std::set<std::size_t> reclaim;                          // items that take spec.replicas back from the HPA
};

// Conflicts that are ours to take back, so apply re-sends with force: fields our rollout manager set
// (rollback's undo patch, restart's annotation), and a Deployment that drops its HPA setting
// spec.replicas again, which the hand-over manager and the HPA controller (kube-controller-manager,
// through /scale) still own. `any_manager`: spec.replicas whoever owns it (scale's explicit count).
bool replicas_to_take_back(const PlanItem& item, const ApiStatus& s, bool any_manager)
{
    if (s.code != 409 || item.resource.kind != "Deployment") {
        return false;
    }
    bool sets_replicas = util::object_at(item.object, "spec").contains("replicas");
    auto conflicts = field_conflicts(s);
    return !conflicts.empty() && std::all_of(conflicts.begin(), conflicts.end(), [&](const FieldConflict& c) {
        return c.manager == actions::k_rollout_manager ||
               (sets_replicas && c.field == ".spec.replicas" &&
                (any_manager || c.manager == k_handover_manager || c.manager == "kube-controller-manager"));
    });
}

// Objects in a namespace the plan itself creates cannot be dry-run before it exists.
bool namespace_planned(const Plan& plan, const ApiStatus& s)
{
    if (s.code != 404 || util::str_at(s.details, "kind") != "namespaces") {
        return false;
    }
    std::string ns = util::str_at(s.details, "name");
    return std::any_of(plan.items.begin(), plan.items.end(), [&](const PlanItem& p) {
        return p.resource.kind == "Namespace" && p.name == ns;
    });
}

Preflight preflight(Client& client, const Plan& plan, const std::optional<ApplySetParent>& set, const ApplyFlags& flags,
                    bool take_replicas)
{
    Preflight p;
    p.dry_runs.resize(plan.items.size());
    std::vector<const PlanItem*> targets = hpa_targets(plan);
    std::size_t n = plan.items.size();
    std::size_t total = n + (set ? 1 : 0) + targets.size();
    std::mutex mutex;
    ApplyFlags dry = flags;
    dry.dry_run = true;
    util::parallel_for(total, [&](std::size_t i) {
        if (i < n) {
            p.dry_runs[i] = send_apply(client, plan.items[i], dry);
        } else if (set && i == n) {
            auto live = client.get_optional(set->path(), set->describe());
            std::lock_guard<std::mutex> lock(mutex);
            p.parent = std::move(live);
        } else {
            const PlanItem* t = targets[i - n - (set ? 1 : 0)];
            auto live = client.get_optional(t->resource.object_path(t->ns, t->name), t->describe());
            std::lock_guard<std::mutex> lock(mutex);
            p.hpa_targets[t->ref()] = std::move(live);
        }
    });
    Failures failures;
    for (std::size_t i = 0; i < n; ++i) {
        const http::Response& r = p.dry_runs[i];
        if (is_success(r.status)) {
            continue;
        }
        ApiStatus s = parse_status(r);
        if (replicas_to_take_back(plan.items[i], s, take_replicas)) {
            ApplyFlags forced = dry;
            forced.force = true;
            p.dry_runs[i] = send_apply(client, plan.items[i], forced);
            if (is_success(p.dry_runs[i].status)) {
                p.reclaim.insert(i);
                continue;
            }
            s = parse_status(p.dry_runs[i]);
        }
        if (!namespace_planned(plan, s)) {
            failures.add(describe_failure(s, plan.items[i].describe(), client.config().user_ref()));
        }
    }
    if (!failures.empty()) {
        failures.raise("Nothing was applied.");
    }
    return p;
}

void apply_parent(Client& client, const ApplySetParent& set, const ApplySetState& state, const ApplyFlags& flags)
{
    PlanItem item;
    item.object = parent_object(set, state);
    item.resource = ResourceInfo{ "", "v1", "Secret", "secrets", true };
    item.ns = set.ns;
    item.name = set.name;
    ApplyFlags f = flags;
    f.force = true; // our own parent: take over fields another run of ours may hold
    http::Response r = send_apply(client, item, f);
    if (!is_success(r.status)) {
        client.fail(r, set.describe());
    }
}

// The minReplicas of the plan's HPA for `deployment` (1 when unset, as the API defaults it).
int hpa_min(const Plan& plan, const PlanItem& deployment)
{
    for (const auto& hpa : plan.items) {
        const Json& spec = util::object_at(hpa.object, "spec");
        if (hpa.resource.kind == "HorizontalPodAutoscaler" && hpa.ns == deployment.ns &&
            util::str_at(util::object_at(spec, "scaleTargetRef"), "name") == deployment.name) {
            return static_cast<int>(util::int_at(spec, "minReplicas", 1));
        }
    }
    return 1;
}

// The live count is kept, but at least the HPA's minimum: an HPA leaves a target at 0 alone
// (ScalingDisabled), so a service switched off would stay off.
void hand_over_replicas(Client& client, const PlanItem& deployment, const Json& live, int min, const ApplyFlags& flags)
{
    PlanItem item = deployment;
    int live_replicas = static_cast<int>(util::int_at(util::object_at(live, "spec"), "replicas", 1));
    item.object = Json{ { "apiVersion", "apps/v1" },
                        { "kind", "Deployment" },
                        { "metadata", { { "name", deployment.name }, { "namespace", deployment.ns } } },
                        { "spec", { { "replicas", std::max(live_replicas, min) } } } };
    ApplyFlags f = flags;
    f.manager = k_handover_manager;
    f.force = true;
    http::Response r = send_apply(client, item, f);
    if (!is_success(r.status)) {
        client.fail(r, deployment.describe() + " (handing the replica count over to the HPA)");
    }
}

} // namespace

std::string_view to_string(Outcome o)
{
    switch (o) {
        case Outcome::created:
            return "created";
        case Outcome::configured:
            return "configured";
        case Outcome::unchanged:
            return "unchanged";
        case Outcome::dry_run:
            return "applied (server dry run)";
    }
    return "";
}

std::vector<const PlanItem*> hpa_targets(const Plan& plan)
{
    std::vector<const PlanItem*> out;
    for (const auto& hpa : plan.items) {
        if (hpa.resource.kind != "HorizontalPodAutoscaler") {
            continue;
        }
        const Json& ref = util::object_at(util::object_at(hpa.object, "spec"), "scaleTargetRef");
        for (const auto& d : plan.items) {
            bool target = d.resource.kind == "Deployment" && d.ns == hpa.ns &&
                          util::str_at(ref, "kind") == "Deployment" && util::str_at(ref, "name") == d.name;
            if (target && !util::object_at(d.object, "spec").contains("replicas")) {
                out.push_back(&d);
            }
        }
    }
    return out;
}

bool owns_replicas(const Json& live, const std::string& manager)
{
    for (const auto& mf : util::list_at(meta_of(live), "managedFields")) {
        if (util::str_at(mf, "manager") == manager &&
            util::object_at(util::object_at(mf, "fieldsV1"), "f:spec").contains("f:replicas")) {
            return true;
        }
    }
    return false;
}

ApplyResult apply_plan(Client& client, Discovery& discovery, Plan& plan, const std::optional<ApplySetParent>& set,
                       const ApplyOptions& options)
{
    auto report = [&](const std::string& line) {
        if (options.report) {
            options.report(line);
        }
    };
    if (set) {
        label_members(plan, *set);
    }
    ApplyFlags flags;
    flags.force = options.force_conflicts;
    Preflight pre = preflight(client, plan, set, flags, options.take_replicas);
    ApplySetState recorded = set ? read_applyset(pre.parent, *set) : ApplySetState{};
    ApplySetState wanted = set ? applyset_of(plan, *set) : ApplySetState{};

    ApplyResult result;
    if (options.server_dry_run) {
        for (std::size_t i = 0; i < plan.items.size(); ++i) {
            Json live = Json::parse(pre.dry_runs[i].body, nullptr, false);
            result.items.push_back({ plan.items[i].ref(), plan.items[i].ns, Outcome::dry_run, live });
            report(fmt::format("{} {}", plan.items[i].label(), to_string(Outcome::dry_run)));
        }
        if (set && options.prune && recorded.exists) {
            for (const auto& c : prune_candidates(client, discovery, *set, recorded, plan)) {
                delete_member(client, c, true);
                result.pruned.push_back(c.describe());
                report(c.label() + " pruned (server dry run)");
            }
        }
        return result;
    }

    ApplySetState superset = merged(recorded, wanted);
    if (set && (!recorded.exists || !same_set(recorded, superset))) {
        apply_parent(client, *set, superset, flags);
    }
    for (const PlanItem* d : hpa_targets(plan)) {
        const auto& live = pre.hpa_targets[d->ref()];
        if (live && owns_replicas(*live, flags.manager)) {
            hand_over_replicas(client, *d, *live, hpa_min(plan, *d), flags);
        }
    }

    // Prune candidates are listed while the first tier is applied: neither depends on the other.
    std::vector<PruneCandidate> candidates;
    bool listing = set && options.prune && recorded.exists;
    std::vector<std::string> applied;
    std::mutex mutex;
    for (int tier = 0; tier <= 2; ++tier) {
        std::vector<std::size_t> idx;
        for (std::size_t i = 0; i < plan.items.size(); ++i) {
            if (plan.items[i].tier == tier) {
                idx.push_back(i);
            }
        }
        if (idx.empty() && !listing) {
            continue;
        }
        Failures failures;
        std::size_t extra = listing ? 1 : 0;
        util::parallel_for(idx.size() + extra, [&](std::size_t k) {
            if (k == idx.size()) {
                candidates = prune_candidates(client, discovery, *set, recorded, plan);
                return;
            }
            const PlanItem& item = plan.items[idx[k]];
            ApplyFlags f = flags;
            f.force = f.force || pre.reclaim.count(idx[k]) > 0;
            http::Response r = send_apply(client, item, f);
            if (!is_success(r.status)) {
                failures.add(describe_failure(parse_status(r), item.describe(), client.config().user_ref()));
                return;
            }
            Json live = Json::parse(r.body, nullptr, false);
            Outcome o = Outcome::configured;
            if (r.status == 201) {
                o = Outcome::created;
            } else if (resource_version(live) ==
                       resource_version(Json::parse(pre.dry_runs[idx[k]].body, nullptr, false))) {
                o = Outcome::unchanged; // no write happened: the version the dry run saw is still current
            }
            std::lock_guard<std::mutex> lock(mutex);
            result.items.push_back({ item.ref(), item.ns, o, live });
            applied.push_back(item.describe());
            report(fmt::format("{} {}", item.label(), to_string(o)));
        });
        listing = false;
        if (!failures.empty()) {
            failures.raise(applied.empty() ? "Nothing was applied."
                                           : "Already applied (left in place): " + util::join(applied, ", ") + ".");
        }
    }
    if (set && options.prune) {
        Failures failures;
        util::parallel_for(candidates.size(), [&](std::size_t i) {
            try {
                delete_member(client, candidates[i], false);
                std::lock_guard<std::mutex> lock(mutex);
                result.pruned.push_back(candidates[i].describe());
                report(candidates[i].label() + " pruned");
            } catch (const Error& e) {
                failures.add(e.what());
            }
        });
        if (!failures.empty()) {
            // The parent keeps the wider set, so the next run retries these.
            failures.raise("");
        }
        if (!same_set(superset, wanted)) {
            apply_parent(client, *set, wanted, flags);
        }
    }
    return result;
}

} // namespace kms::kube
