#include <kube/actions_history.hpp>
#include <kube/object.hpp>
#include <render/render.hpp>
#include <util/error.hpp>
#include <util/json.hpp>

#include <algorithm>
#include <set>

namespace kms::actions {

using kube::annotations_of;

namespace {

// Annotations a rollback leaves as the Deployment has them (kubectl's annotationsToSkip).
const std::set<std::string>& kept_annotations()
{
    static const std::set<std::string> k = {"kubectl.kubernetes.io/last-applied-configuration",
                                            k_revision_annotation,
                                            "deployment.kubernetes.io/revision-history",
                                            "deployment.kubernetes.io/desired-replicas",
                                            "deployment.kubernetes.io/max-replicas",
                                            "deprecated.deployment.rollback.to"};
    return k;
}

bool controlled_by(const Json& rs, const std::string& uid)
{
    for (const auto& ref : util::list_at(kube::meta_of(rs), "ownerReferences")) {
        if (util::str_at(ref, "uid") == uid && util::bool_at(ref, "controller")) {
            return true;
        }
    }
    return false;
}

Json template_without_hash(const Json& obj)
{
    Json t = util::object_at(util::object_at(obj, "spec"), "template");
    if (util::object_at(t, "metadata").contains("labels") && t["metadata"]["labels"].is_object()) {
        t["metadata"]["labels"].erase("pod-template-hash");
    }
    return t;
}

} // namespace

long revision_number(const Json& object)
{
    std::string text = kube::annotation_of(object, k_revision_annotation);
    try {
        return text.empty() ? 0 : std::stol(text);
    } catch (const std::exception&) {
        return 0;
    }
}

std::vector<Revision> revisions(const Json& deployment, const std::vector<Json>& replicasets)
{
    // Server answers are not trusted: a missing or mistyped member reads as empty.
    std::string uid = util::str_at(kube::meta_of(deployment), "uid");
    long current = revision_number(deployment);
    std::vector<Revision> out;
    for (const auto& rs : replicasets) {
        if (!controlled_by(rs, uid)) {
            continue;
        }
        Revision r;
        r.number = revision_number(rs);
        if (r.number <= 0) {
            continue;
        }
        r.replicaset = rs;
        r.created = util::str_at(kube::meta_of(rs), "creationTimestamp");
        const Json tpl = template_without_hash(rs);
        const Json& containers = util::list_at(util::object_at(tpl, "spec"), "containers");
        if (!containers.empty()) {
            r.image = util::str_at(containers[0], "image");
        }
        r.commit = kube::annotation_of(tpl, (std::string(render::k_annotation_prefix) + "git-commit").c_str());
        r.replicas = static_cast<int>(util::int_at(util::object_at(rs, "spec"), "replicas"));
        r.ready = static_cast<int>(util::int_at(util::object_at(rs, "status"), "readyReplicas"));
        r.current = r.number == current;
        out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(), [](const Revision& a, const Revision& b) { return a.number < b.number; });
    return out;
}

std::vector<Revision> load_revisions(kube::Client& c, const Target& t)
{
    Json list = c.get(fmt::format("/apis/apps/v1/namespaces/{}/replicasets?{}", t.namespace_,
                                  pod_selector_query(t.deployment)),
                      fmt::format("listing the revisions of service {} in namespace {}", t.name, t.namespace_));
    std::vector<Json> items;
    for (const auto& rs : util::list_at(list, "items")) {
        items.push_back(rs);
    }
    return revisions(t.deployment, items);
}

const Revision& pick_revision(const std::vector<Revision>& revs, long to, const std::string& name)
{
    if (to > 0) {
        for (const auto& r : revs) {
            if (r.number == to) {
                return r;
            }
        }
        throw Error(fmt::format("unable to find specified revision {} in history of service \"{}\" (see `kubectl "
                                "microservice history {}`)",
                                to, name, name));
    }
    // The highest revision is the current one; kubectl rolls back to the one below it.
    if (revs.size() < 2) {
        throw Error(fmt::format("no rollout history found for service \"{}\": it has only {} revision{}", name,
                                revs.size(), revs.size() == 1 ? "" : "s"));
    }
    return revs[revs.size() - 2];
}

bool template_matches(const Json& deployment, const Json& replicaset)
{
    return template_without_hash(deployment) == template_without_hash(replicaset);
}

Json undo_patch(const Json& deployment, const Json& replicaset)
{
    Json ann = Json::object();
    const Json& own = annotations_of(deployment);
    for (const auto& key : kept_annotations()) {
        if (own.contains(key)) {
            ann[key] = own[key];
        }
    }
    const Json& theirs = annotations_of(replicaset);
    for (const auto& [key, value] : theirs.items()) {
        if (kept_annotations().count(key) == 0) {
            ann[key] = value;
        }
    }
    return Json::array({Json{{"op", "replace"}, {"path", "/spec/template"}, {"value", template_without_hash(replicaset)}},
                        Json{{"op", "replace"}, {"path", "/metadata/annotations"}, {"value", ann}}});
}

void require_not_paused(const Json& deployment, const std::string& what)
{
    if (util::bool_at(util::object_at(deployment, "spec"), "paused")) {
        std::string name = kube::name_of(deployment);
        throw Error(fmt::format("you cannot {} a paused deployment ({}); resume it first with `kubectl rollout "
                                "resume deployment/{}`",
                                what, name, name));
    }
}

} // namespace kms::actions
