#include <algorithm>
#include <kube/applyset.hpp>
#include <kube/object.hpp>
#include <mutex>
#include <util/error.hpp>
#include <util/parallel.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

namespace kms::kube {

namespace {

std::set<std::string> comma_set(const std::string& text)
{
    std::set<std::string> out;
    for (const auto& part : util::split(text, ',')) {
        std::string p(util::trim(part));
        if (!p.empty()) {
            out.insert(p);
        }
    }
    return out;
}

std::string joined(const std::set<std::string>& s)
{
    return util::join(std::vector<std::string>(s.begin(), s.end()), ",");
}

// "deployments.apps" (the deprecated group-resources spelling) → nothing we can map without
// discovery; "Deployment.apps" → {group, kind}.
std::pair<std::string, std::string> split_group_kind(const std::string& gk)
{
    auto dot = gk.find('.');
    if (dot == std::string::npos) {
        return { "", gk };
    }
    return { gk.substr(dot + 1), gk.substr(0, dot) };
}

std::string url_encode(const std::string& s)
{
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

} // namespace

std::string applyset_id(const std::string& name, const std::string& ns, const std::string& kind,
                        const std::string& group)
{
    auto digest = util::sha256(fmt::format("{}.{}.{}.{}", name, ns, kind, group));
    std::string bytes(digest.begin(), digest.end());
    return "applyset-" + util::base64_encode(bytes, true) + "-v1";
}

std::string applyset_tooling()
{
    return std::string("kubectl-microservice/v") + KMS_VERSION;
}

ApplySetParent ApplySetParent::for_service(const std::string& service, const std::string& ns, Json labels)
{
    ApplySetParent p;
    p.name = "microservice-" + service;
    p.ns = ns;
    p.id = applyset_id(p.name, ns, "Secret", "");
    p.labels = std::move(labels);
    if (p.labels.is_object()) {
        p.labels.erase("app.kubernetes.io/version"); // the set outlives versions
    }
    return p;
}

std::string ApplySetParent::describe() const
{
    return fmt::format("ApplySet parent Secret/{} in namespace {}", name, ns);
}

std::string ApplySetParent::path() const
{
    return "/api/v1/namespaces/" + ns + "/secrets/" + name;
}

ApplySetState read_applyset(const std::optional<Json>& live, const ApplySetParent& parent)
{
    ApplySetState s;
    if (!live) {
        return s;
    }
    std::string id = label_of(*live, k_applyset_id_label);
    std::string tooling = annotation_of(*live, k_applyset_tooling);
    if (id.empty()) {
        throw Error(fmt::format("{} exists but is not an ApplySet parent (no {} label): refusing to take it over; "
                                "rename or delete that Secret",
                                parent.describe(),
                                k_applyset_id_label));
    }
    if (id != parent.id) {
        throw Error(fmt::format(
          "{} carries ApplySet id {} but {} was expected: refusing to use it", parent.describe(), id, parent.id));
    }
    if (!util::starts_with(tooling, "kubectl-microservice/")) {
        throw Error(fmt::format("{} is managed by \"{}\", not kubectl-microservice: refusing to change it",
                                parent.describe(),
                                tooling.empty() ? std::string("(no tooling annotation)") : tooling));
    }
    s.exists = true;
    s.group_kinds = comma_set(annotation_of(*live, k_applyset_group_kinds));
    s.additional_namespaces = comma_set(annotation_of(*live, k_applyset_namespaces));
    return s;
}

ApplySetState applyset_of(const Plan& plan, const ApplySetParent& parent)
{
    ApplySetState s;
    for (const auto& item : plan.items) {
        s.group_kinds.insert(item.resource.group_kind());
        if (!item.ns.empty() && item.ns != parent.ns) {
            s.additional_namespaces.insert(item.ns);
        }
    }
    return s;
}

ApplySetState merged(const ApplySetState& a, const ApplySetState& b)
{
    ApplySetState m = a;
    m.exists = a.exists || b.exists;
    m.group_kinds.insert(b.group_kinds.begin(), b.group_kinds.end());
    m.additional_namespaces.insert(b.additional_namespaces.begin(), b.additional_namespaces.end());
    return m;
}

bool same_set(const ApplySetState& a, const ApplySetState& b)
{
    return a.group_kinds == b.group_kinds && a.additional_namespaces == b.additional_namespaces;
}

Json parent_object(const ApplySetParent& parent, const ApplySetState& state)
{
    Json labels = parent.labels.is_object() ? parent.labels : Json::object();
    labels[k_applyset_id_label] = parent.id;
    Json annotations = Json::object();
    annotations[k_applyset_tooling] = applyset_tooling();
    annotations[k_applyset_group_kinds] = joined(state.group_kinds);
    annotations[k_applyset_namespaces] = joined(state.additional_namespaces);
    Json meta = Json::object();
    meta["name"] = parent.name;
    meta["namespace"] = parent.ns;
    meta["labels"] = labels;
    meta["annotations"] = annotations;
    return Json{ { "apiVersion", "v1" }, { "kind", "Secret" }, { "metadata", meta } };
}

void label_members(Plan& plan, const ApplySetParent& parent)
{
    for (auto& item : plan.items) {
        Json& meta = item.object["metadata"];
        if (!meta.contains("labels") || !meta["labels"].is_object()) {
            meta["labels"] = Json::object();
        }
        meta["labels"][k_applyset_part_of_label] = parent.id;
    }
}

std::string PruneCandidate::describe() const
{
    std::string ref = resource.kind + "/" + name;
    return ns.empty() ? ref : ref + " in namespace " + ns;
}

std::string PruneCandidate::label() const
{
    std::string ref = resource.kind + "/" + name;
    return ns.empty() ? ref : ref + " (" + ns + ")";
}

std::vector<PruneCandidate> prune_candidates(Client& client, Discovery& discovery, const ApplySetParent& parent,
                                             const ApplySetState& recorded, const Plan& plan)
{
    std::vector<std::string> namespaces{ parent.ns };
    namespaces.insert(namespaces.end(), recorded.additional_namespaces.begin(), recorded.additional_namespaces.end());
    struct Listing
    {
        ResourceInfo resource;
        std::string ns;
    };
    std::vector<Listing> listings;
    for (const auto& gk : recorded.group_kinds) {
        auto [group, kind] = split_group_kind(gk);
        auto info = discovery.find_group_kind(group, kind);
        if (!info) {
            continue; // the API is gone, and its objects with it
        }
        if (!info->namespaced) {
            listings.push_back({ *info, "" });
            continue;
        }
        for (const auto& ns : namespaces) {
            listings.push_back({ *info, ns });
        }
    }
    std::mutex mutex;
    std::vector<PruneCandidate> out;
    std::string selector = "?labelSelector=" + url_encode(std::string(k_applyset_part_of_label) + "=" + parent.id);
    util::parallel_for(listings.size(), [&](std::size_t i) {
        const Listing& l = listings[i];
        Json list = client.get(l.resource.collection_path(l.ns) + selector,
                               fmt::format("listing {} of the ApplySet", l.resource.resource));
        for (const auto& obj : util::list_at(list, "items")) {
            std::string name = name_of(obj);
            std::string ns = namespace_of(obj);
            if (name.empty()) {
                continue; // not an object that can be named, let alone deleted
            }
            bool planned = std::any_of(plan.items.begin(), plan.items.end(), [&](const PlanItem& p) {
                return p.resource.group == l.resource.group && p.resource.kind == l.resource.kind && p.name == name &&
                       p.ns == ns;
            });
            if (!planned) {
                std::lock_guard<std::mutex> lock(mutex);
                out.push_back({ l.resource, ns, name });
            }
        }
    });
    std::sort(out.begin(), out.end(), [](const PruneCandidate& a, const PruneCandidate& b) {
        return std::tie(a.resource.kind, a.ns, a.name) < std::tie(b.resource.kind, b.ns, b.name);
    });
    return out;
}

void delete_member(Client& client, const PruneCandidate& c, bool dry_run, const char* propagation, const char* doing)
{
    Json options{ { "kind", "DeleteOptions" }, { "apiVersion", "v1" }, { "propagationPolicy", propagation } };
    if (dry_run) {
        options["dryRun"] = Json::array({ "All" });
    }
    Call call;
    call.method = "DELETE";
    call.path = c.resource.object_path(c.ns, c.name) + (dry_run ? "?dryRun=All" : "");
    call.body = options.dump();
    call.content_type = "application/json";
    http::Response r = client.send(call);
    if (r.status == 404) {
        return;
    }
    if (r.status < 200 || r.status >= 300) {
        client.fail(r, std::string(doing) + " " + c.describe());
    }
}

} // namespace kms::kube
