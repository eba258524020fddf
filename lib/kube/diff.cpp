#include <algorithm>
#include <kube/diff.hpp>
#include <render/yaml_emit.hpp>
#include <util/error.hpp>
#include <util/parallel.hpp>
#include <util/strings.hpp>
#include <util/unified_diff.hpp>

namespace kms::kube {

namespace {

// Keys sorted, as kubectl diff prints them, so the two sides never differ by key order alone.
Json sorted(const Json& j)
{
    if (j.is_object()) {
        std::vector<std::string> keys;
        for (const auto& [k, v] : j.items()) {
            keys.push_back(k);
        }
        std::sort(keys.begin(), keys.end());
        Json out = Json::object();
        for (const auto& k : keys) {
            out[k] = sorted(j[k]);
        }
        return out;
    }
    if (j.is_array()) {
        Json out = Json::array();
        for (const auto& v : j) {
            out.push_back(sorted(v));
        }
        return out;
    }
    return j;
}

std::string yaml_of(const std::optional<Json>& o)
{
    return o ? render::to_yaml(sorted(*o)) : std::string();
}

} // namespace

Json strip_for_diff(Json o)
{
    if (!o.is_object()) {
        return o;
    }
    o.erase("status");
    if (o.contains("metadata") && o["metadata"].is_object()) {
        Json& meta = o["metadata"];
        for (const char* key :
             { "managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink" }) {
            meta.erase(key);
        }
    }
    return o;
}

void mask_secret_data(Json& before, Json& after)
{
    for (const char* field : { "data", "stringData" }) {
        // A member that is not a map of keys is hidden whole: nothing of it is worth showing.
        for (Json* o : { &before, &after }) {
            if (o->is_object() && o->contains(field) && !(*o)[field].is_object()) {
                (*o)[field] = "***";
            }
        }
        Json* b = before.is_object() && before.contains(field) && before[field].is_object() ? &before[field] : nullptr;
        Json* a = after.is_object() && after.contains(field) && after[field].is_object() ? &after[field] : nullptr;
        Json b_masked = Json::object();
        Json a_masked = Json::object();
        if (b) {
            for (const auto& [k, v] : b->items()) {
                bool same = a && a->contains(k) && (*a)[k] == v;
                b_masked[k] = same || !(a && a->contains(k)) ? "***" : "*** (before)";
            }
        }
        if (a) {
            for (const auto& [k, v] : a->items()) {
                bool same = b && b->contains(k) && (*b)[k] == v;
                a_masked[k] = same || !(b && b->contains(k)) ? "***" : "*** (after)";
            }
        }
        if (b) {
            *b = b_masked;
        }
        if (a) {
            *a = a_masked;
        }
    }
}

std::string diff_name(const ResourceInfo& r, const std::string& ns, const std::string& name)
{
    std::string gv = r.group.empty() ? r.version : r.group + "." + r.version;
    return ns.empty() ? fmt::format("{}.{}.{}", gv, r.kind, name) : fmt::format("{}.{}.{}.{}", gv, r.kind, ns, name);
}

std::string diff_plan(Client& client, Discovery& discovery, Plan& plan, const std::optional<ApplySetParent>& set,
                      bool prune, bool force_conflicts)
{
    if (set) {
        label_members(plan, *set);
    }
    std::size_t n = plan.items.size();
    std::vector<std::optional<Json>> live(n);
    std::vector<http::Response> merged(n);
    std::optional<Json> parent;
    ApplyFlags flags;
    flags.dry_run = true;
    flags.force = force_conflicts;
    util::parallel_for(2 * n + (set ? 1 : 0), [&](std::size_t i) {
        if (i == 2 * n) {
            parent = client.get_optional(set->path(), set->describe());
            return;
        }
        const PlanItem& item = plan.items[i % n];
        if (i < n) {
            Call c;
            c.path = item.resource.object_path(item.ns, item.name);
            c.secret_body = item.is_secret();
            http::Response r = client.send(c);
            if (r.status == 404) {
                return;
            }
            if (r.status < 200 || r.status >= 300) {
                client.fail(r, item.describe());
            }
            live[i] = Json::parse(r.body, nullptr, false);
            return;
        }
        merged[i - n] = send_apply(client, item, flags);
    });
    std::vector<std::string> failures;
    for (std::size_t i = 0; i < n; ++i) {
        if (merged[i].status < 200 || merged[i].status >= 300) {
            failures.push_back(
              describe_failure(parse_status(merged[i]), plan.items[i].describe(), client.config().user_ref()));
        }
    }
    if (!failures.empty()) {
        throw Error(util::join(failures, "\n"));
    }
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        const PlanItem& item = plan.items[i];
        std::optional<Json> before = live[i] ? std::optional<Json>(strip_for_diff(*live[i])) : std::nullopt;
        Json after = strip_for_diff(Json::parse(merged[i].body, nullptr, false));
        // Whether to mask is our knowledge of the object, not what the server's answer claims it is.
        if (item.is_secret()) {
            Json none;
            mask_secret_data(before ? *before : none, after);
        }
        std::string name = diff_name(item.resource, item.ns, item.name);
        out += util::unified_diff(yaml_of(before), yaml_of(after), "live/" + name, "merged/" + name);
    }
    if (set && prune) {
        ApplySetState recorded = read_applyset(parent, *set);
        if (recorded.exists) {
            for (const auto& c : prune_candidates(client, discovery, *set, recorded, plan)) {
                auto obj = client.get_optional(c.resource.object_path(c.ns, c.name), c.describe());
                if (!obj) {
                    continue;
                }
                Json before = strip_for_diff(*obj);
                if (c.resource.is_secret()) {
                    Json none;
                    mask_secret_data(before, none);
                }
                std::string name = diff_name(c.resource, c.ns, c.name);
                out += util::unified_diff(yaml_of(before), "", "live/" + name, "merged/" + name);
            }
        }
    }
    return out;
}

} // namespace kms::kube
