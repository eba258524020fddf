#include <algorithm>
#include <cctype>
#include <kube/plan.hpp>
#include <util/error.hpp>

namespace kms::kube {

namespace {

bool is_cluster_scoped(const std::string& kind)
{
    static const char* const k_kinds[] = { "Namespace",
                                           "CustomResourceDefinition",
                                           "ClusterRole",
                                           "ClusterRoleBinding",
                                           "PersistentVolume",
                                           "StorageClass",
                                           "PriorityClass",
                                           "IngressClass",
                                           "GatewayClass",
                                           "ValidatingWebhookConfiguration",
                                           "MutatingWebhookConfiguration" };
    return std::find(std::begin(k_kinds), std::end(k_kinds), kind) != std::end(k_kinds);
}

// kind → resource for offline plans (kube's own rule for the kinds we render).
std::string guess_resource(const std::string& kind)
{
    std::string r;
    for (char c : kind) {
        r += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (r.ends_with("s") || r.ends_with("x") || r.ends_with("ch") || r.ends_with("sh")) {
        return r + "es";
    }
    if (r.ends_with("y") && r.size() > 1 && std::string("aeiou").find(r[r.size() - 2]) == std::string::npos) {
        return r.substr(0, r.size() - 1) + "ies";
    }
    return r + "s";
}

ResourceInfo offline_resource(const std::string& api_version, const std::string& kind)
{
    ResourceInfo info;
    auto slash = api_version.find('/');
    info.group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    info.version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
    info.kind = kind;
    info.resource = guess_resource(kind);
    info.namespaced = !is_cluster_scoped(kind);
    return info;
}

} // namespace

std::string PlanItem::ref() const
{
    return resource.kind + "/" + name;
}

std::string PlanItem::describe() const
{
    return ns.empty() ? ref() : ref() + " in namespace " + ns;
}

int apply_tier(const std::string& kind)
{
    if (kind == "Namespace" || kind == "CustomResourceDefinition") {
        return 0;
    }
    static const char* const k_first[] = { "ServiceAccount",
                                           "ConfigMap",
                                           "Secret",
                                           "Role",
                                           "RoleBinding",
                                           "ClusterRole",
                                           "ClusterRoleBinding",
                                           "PersistentVolumeClaim",
                                           "LimitRange",
                                           "ResourceQuota" };
    if (std::find(std::begin(k_first), std::end(k_first), kind) != std::end(k_first)) {
        return 1;
    }
    return 2;
}

Plan make_plan(const std::vector<Json>& objects, const std::string& default_ns, bool ns_explicit, Discovery* discovery)
{
    Plan plan;
    plan.ns = default_ns;
    for (const auto& o : objects) {
        PlanItem item;
        item.object = o;
        std::string api_version = util::str_at(o, "apiVersion");
        std::string kind = util::str_at(o, "kind");
        Json& meta = item.object["metadata"];
        item.name = util::str_at(meta, "name");
        std::string ref = kind + "/" + item.name;
        if (api_version.empty() || kind.empty() || item.name.empty()) {
            throw Error(fmt::format("{}: a rendered object lacks apiVersion, kind or metadata.name", ref));
        }
        item.resource = discovery ? discovery->require(api_version, kind, ref) : offline_resource(api_version, kind);
        if (item.resource.namespaced) {
            std::string own = util::str_at(meta, "namespace");
            if (!own.empty() && ns_explicit && own != default_ns) {
                throw Error(fmt::format("{}: the namespace from the provided object \"{}\" does not match the "
                                        "namespace \"{}\"; pass --namespace={} or drop the object's namespace",
                                        ref,
                                        own,
                                        default_ns,
                                        own),
                            ExitCode::usage);
            }
            item.ns = own.empty() ? default_ns : own;
            meta["namespace"] = item.ns;
        } else {
            meta.erase("namespace");
        }
        item.tier = apply_tier(kind);
        plan.items.push_back(std::move(item));
    }
    std::stable_sort(
      plan.items.begin(), plan.items.end(), [](const PlanItem& a, const PlanItem& b) { return a.tier < b.tier; });
    return plan;
}

std::string apply_path(const PlanItem& item, const ApplyFlags& flags)
{
    std::string path = item.resource.object_path(item.ns, item.name);
    path += flags.dry_run ? "?dryRun=All&" : "?";
    path += "fieldManager=" + flags.manager + "&fieldValidation=Strict&force=" + (flags.force ? "true" : "false");
    return path;
}

http::Response send_apply(Client& client, const PlanItem& item, const ApplyFlags& flags)
{
    Call c;
    c.method = "PATCH";
    c.path = apply_path(item, flags);
    c.body = item.object.dump();
    c.content_type = k_apply_content_type;
    c.secret_body = item.is_secret();
    return client.send(c);
}

} // namespace kms::kube
