#include <algorithm>
#include <fmt/format.h>
#include <kube/actions_format.hpp>
#include <kube/actions_history.hpp>
#include <kube/actions_status.hpp>
#include <kube/object.hpp>
#include <kube/rollout.hpp>
#include <render/render.hpp>
#include <util/parallel.hpp>
#include <util/strings.hpp>

namespace kms::actions {

using util::int_at;
using util::list_at;
using util::object_at;
using util::str_at;

namespace {

// Whether `obj` is in the Deployment's namespace and carries its selector's labels.
bool selected_by(const Json& obj, const Json& deployment)
{
    if (kube::namespace_of(obj) != kube::namespace_of(deployment)) {
        return false;
    }
    const Json& labels = kube::labels_of(obj);
    for (const auto& [k, v] :
         object_at(object_at(object_at(deployment, "spec"), "selector"), "matchLabels").items()) {
        if (!labels.contains(k) || labels[k] != v) {
            return false;
        }
    }
    return true;
}

// Autoscaling/v2 resource metrics by name: the target and, when the HPA has measured it, the
// current average utilization (percent).
Json resource_metrics(const Json& hpa)
{
    Json out = Json::object();
    for (const auto& m : list_at(object_at(hpa, "spec"), "metrics")) {
        const Json& r = object_at(m, "resource");
        std::string name = str_at(r, "name");
        long long target = int_at(object_at(r, "target"), "averageUtilization", -1);
        if (str_at(m, "type") == "Resource" && !name.empty() && target >= 0) {
            out[name] = Json{ { "target", target } };
        }
    }
    for (const auto& m : list_at(object_at(hpa, "status"), "currentMetrics")) {
        const Json& r = object_at(m, "resource");
        std::string name = str_at(r, "name");
        long long current = int_at(object_at(r, "current"), "averageUtilization", -1);
        if (str_at(m, "type") == "Resource" && out.contains(name) && current >= 0) {
            out[name]["current"] = current;
        }
    }
    return out;
}

Json autoscaling_block(const Json& hpa)
{
    const Json& spec = object_at(hpa, "spec");
    const Json& status = object_at(hpa, "status");
    Json a = { { "min", int_at(spec, "minReplicas", 1) }, { "max", int_at(spec, "maxReplicas") } };
    if (status.contains("currentReplicas")) {
        a["current"] = int_at(status, "currentReplicas");
    }
    if (status.contains("desiredReplicas")) {
        a["desired"] = int_at(status, "desiredReplicas");
    }
    const Json metrics = resource_metrics(hpa);
    for (const auto& [name, m] : metrics.items()) {
        a[name] = m;
    }
    return a;
}

const Json& pod_template(const Json& deployment)
{
    return object_at(object_at(deployment, "spec"), "template");
}

std::string template_annotation(const Json& deployment, const char* name)
{
    return kube::annotation_of(pod_template(deployment), (std::string(render::k_annotation_prefix) + name).c_str());
}

std::string first_image(const Json& deployment)
{
    const Json& containers = list_at(object_at(pod_template(deployment), "spec"), "containers");
    return containers.empty() ? std::string() : str_at(containers[0], "image");
}

// The items of `list` that `keep` accepts.
template<typename Pred>
Json items_where(const Json& list, Pred keep)
{
    Json out = Json::array();
    for (const auto& item : list_at(list, "items")) {
        if (keep(item)) {
            out.push_back(item);
        }
    }
    return out;
}

} // namespace

std::string health_name(Health h)
{
    switch (h) {
        case Health::healthy:
            return "healthy";
        case Health::progressing:
            return "progressing";
        case Health::degraded:
            return "degraded";
        case Health::failed:
            return "failed";
        case Health::off:
            return "off";
    }
    return "unknown";
}

long long desired_replicas(const Observed& o)
{
    const Json& spec = object_at(o.deployment, "spec");
    if (spec.contains("replicas")) {
        return int_at(spec, "replicas");
    }
    if (o.hpa) {
        const Json& st = object_at(*o.hpa, "status");
        return int_at(st, "desiredReplicas", int_at(object_at(*o.hpa, "spec"), "minReplicas", 1));
    }
    return 1; // the API server's default
}

Assessment assess(const Observed& o)
{
    long long desired = desired_replicas(o);
    const Json& status = object_at(o.deployment, "status");
    long long available = int_at(status, "availableReplicas");
    if (desired == 0 && !o.hpa) {
        long long left = int_at(status, "replicas");
        return left == 0
                 ? Assessment{ Health::off, "switched off (0 replicas)", std::nullopt }
                 : Assessment{ Health::progressing, fmt::format("switching off: {} pods left", left), std::nullopt };
    }
    kube::RolloutStatus rs = kube::rollout_status(o.deployment);
    auto why = kube::diagnose(o.deployment, o.replicasets, o.pods, o.events);
    if (rs.failed || why) {
        std::string reason = rs.failed ? rs.message + (why ? ": " + why->summary : std::string()) : why->summary;
        return Assessment{ available > 0 ? Health::degraded : Health::failed, reason, why };
    }
    if (!rs.done) {
        return Assessment{ Health::progressing, rs.message, std::nullopt };
    }
    if (available < desired) {
        return Assessment{ Health::degraded,
                           fmt::format("{} of {} replicas available", available, desired),
                           std::nullopt };
    }
    return Assessment{ Health::healthy, "", std::nullopt };
}

Json service_block(const Json& service, const std::vector<std::string>& external)
{
    std::string name = kube::name_of(service);
    std::string ns = kube::namespace_of(service);
    const Json& spec = object_at(service, "spec");
    Json block = { { "name", name },
                   { "type", str_at(spec, "type").empty() ? "ClusterIP" : str_at(spec, "type") } };
    if (!str_at(spec, "clusterIP").empty()) {
        block["clusterIP"] = str_at(spec, "clusterIP");
    }
    Json ports = Json::array();
    Json urls = Json::array();
    for (const auto& p : list_at(spec, "ports")) {
        // Only members of the types the API defines: the document is printed without re-checking.
        // Strings stay strings (a named targetPort), whole numbers stay numbers; in the API's order.
        Json port = Json::object();
        for (const char* key : { "name", "port", "protocol", "targetPort", "nodePort" }) {
            if (int_at(p, key, -1) >= 0) {
                port[key] = int_at(p, key);
            } else if (!str_at(p, key).empty()) {
                port[key] = str_at(p, key);
            }
        }
        ports.push_back(port);
        urls.push_back(fmt::format("{}.{}:{}", name, ns, int_at(p, "port")));
    }
    block["ports"] = ports;
    if (!urls.empty()) {
        block["url"] = urls[0];
    }
    block["urls"] = urls;
    block["dns"] =
      Json::array({ name, name + "." + ns, name + "." + ns + ".svc", name + "." + ns + ".svc.cluster.local" });
    if (!external.empty()) {
        block["external"] = external;
    }
    return block;
}

Json status_document(const Observed& o, const std::vector<std::string>& external)
{
    const Json& d = o.deployment;
    const Json& status = object_at(d, "status");
    Assessment a = assess(o);
    Json doc = { { "name", kube::name_of(d) },
                 { "namespace", kube::namespace_of(d) },
                 { "health", health_name(a.health) } };
    if (!a.reason.empty()) {
        doc["reason"] = a.reason;
    }
    doc["replicas"] = { { "desired", desired_replicas(o) },
                        { "ready", int_at(status, "readyReplicas") },
                        { "updated", int_at(status, "updatedReplicas") },
                        { "available", int_at(status, "availableReplicas") } };
    if (o.hpa) {
        doc["autoscaling"] = autoscaling_block(*o.hpa);
    }
    doc["image"] = first_image(d);
    for (const char* key : { "commit", "branch" }) {
        std::string value = template_annotation(d, (std::string("git-") + key).c_str());
        if (!value.empty()) {
            doc[key] = value;
        }
    }
    std::string revision = kube::annotation_of(d, k_revision_annotation);
    if (!revision.empty() && revision.find_first_not_of("0123456789") == std::string::npos && revision.size() < 19) {
        doc["revision"] = std::stoll(revision);
    }
    std::string applyset = kube::label_of(d, k_part_of_label);
    if (!applyset.empty()) {
        doc["applyset"] = applyset;
    }
    doc["created"] = str_at(kube::meta_of(d), "creationTimestamp");
    if (o.service) {
        doc["service"] = service_block(*o.service, external);
    }
    return doc;
}

std::vector<std::string> load_balancer_urls(const Json& service)
{
    const Json& spec = object_at(service, "spec");
    if (str_at(spec, "type") != "LoadBalancer") {
        return {};
    }
    std::vector<std::string> out;
    for (const auto& ingress : list_at(object_at(object_at(service, "status"), "loadBalancer"), "ingress")) {
        std::string host =
          str_at(ingress, "hostname").empty() ? str_at(ingress, "ip") : str_at(ingress, "hostname");
        for (const auto& p : list_at(spec, "ports")) {
            if (!host.empty()) {
                out.push_back(fmt::format("{}:{}", host, int_at(p, "port")));
            }
        }
    }
    return out;
}

Observed observe(kube::Client& c, const Target& t)
{
    Observed o;
    o.deployment = t.deployment;
    std::string ns_path = "/namespaces/" + t.namespace_;
    std::string what = fmt::format("service {} in namespace {}", t.name, t.namespace_);
    std::string selector = pod_selector_query(t.deployment);
    util::parallel_for(5, [&](std::size_t i) {
        switch (i) {
            case 0:
                o.replicasets = list_at(
                  c.get("/apis/apps/v1" + ns_path + "/replicasets?" + selector, "listing the revisions of " + what),
                  "items");
                break;
            case 1:
                o.pods =
                  list_at(c.get("/api/v1" + ns_path + "/pods?" + selector, "listing the pods of " + what), "items");
                break;
            case 2:
                o.events = list_at(c.get("/api/v1" + ns_path + "/events?fieldSelector=involvedObject.kind%3DPod",
                                         "listing the pod events of " + what),
                                   "items");
                break;
            case 3:
                o.hpa = c.get_optional("/apis/autoscaling/v2" + ns_path + "/horizontalpodautoscalers/" + t.name,
                                       "the HorizontalPodAutoscaler of " + what);
                break;
            default:
                o.service = c.get_optional("/api/v1" + ns_path + "/services/" + t.name, "the Service of " + what);
                break;
        }
    });
    return o;
}

std::vector<Observed> observe_all(kube::Client& c, const std::string& ns)
{
    std::string scope = ns.empty() ? std::string() : "/namespaces/" + ns;
    std::string where = ns.empty() ? std::string("in any namespace") : "in namespace " + ns;
    std::string managed = managed_selector_query();
    // One list per kind for the whole namespace (or cluster), not a round of requests per service.
    const std::vector<std::pair<std::string, std::string>> lists = {
        { "/apis/apps/v1" + scope + "/deployments?" + managed, "listing services " + where },
        { "/apis/apps/v1" + scope + "/replicasets?" + managed, "listing the replica sets of services " + where },
        { "/api/v1" + scope + "/pods?" + managed, "listing the pods of services " + where },
        { "/api/v1" + scope + "/events?fieldSelector=involvedObject.kind%3DPod", "listing pod events " + where },
        { "/apis/autoscaling/v2" + scope + "/horizontalpodautoscalers?" + managed, "listing autoscalers " + where },
        { "/api/v1" + scope + "/services?" + managed, "listing the Services of services " + where },
    };
    std::vector<Json> got(lists.size());
    util::parallel_for(lists.size(), [&](std::size_t i) { got[i] = c.get(lists[i].first, lists[i].second); });
    std::vector<Observed> out;
    for (const auto& d : list_at(got[0], "items")) {
        Observed o;
        o.deployment = d;
        std::string name = kube::name_of(d);
        std::string dns = kube::namespace_of(d);
        o.replicasets = items_where(got[1], [&](const Json& rs) { return selected_by(rs, d); });
        o.pods = items_where(got[2], [&](const Json& p) { return selected_by(p, d); });
        o.events = items_where(got[3], [&](const Json& e) { return kube::namespace_of(e) == dns; });
        for (const auto& h : list_at(got[4], "items")) {
            const Json& ref = object_at(object_at(h, "spec"), "scaleTargetRef");
            if (kube::namespace_of(h) == dns && str_at(ref, "kind") == "Deployment" &&
                str_at(ref, "name") == name) {
                o.hpa = h;
            }
        }
        for (const auto& s : list_at(got[5], "items")) {
            if (kube::namespace_of(s) == dns && kube::name_of(s) == name) {
                o.service = s;
            }
        }
        out.push_back(std::move(o));
    }
    std::sort(out.begin(), out.end(), [](const Observed& a, const Observed& b) {
        auto key = [](const Observed& o) {
            return std::make_pair(kube::namespace_of(o.deployment), kube::name_of(o.deployment));
        };
        return key(a) < key(b);
    });
    return out;
}

namespace {

std::string text_of(const Json& j)
{
    return j.is_string() ? j.get<std::string>() : j.dump();
}

std::vector<std::string> texts(const Json& list)
{
    std::vector<std::string> out;
    for (const auto& item : list.is_array() ? list : Json::array()) {
        out.push_back(text_of(item));
    }
    return out;
}

util::Colour health_colour(const std::string& health)
{
    if (health == "healthy") {
        return util::Colour::green;
    }
    if (health == "failed") {
        return util::Colour::red;
    }
    return health == "off" ? util::Colour::dim : util::Colour::yellow;
}

// "cpu 45%/80%", "memory <unknown>/80%": kubectl's TARGETS column, per resource.
std::string metric_text(const std::string& name, const Json& m)
{
    std::string current = m.contains("current") ? fmt::format("{}%", int_at(m, "current")) : "<unknown>";
    return fmt::format("{} {}/{}%", name, current, int_at(m, "target"));
}

std::string port_text(const Json& p)
{
    std::string s = p.contains("name") ? text_of(p["name"]) + " " : std::string();
    s += fmt::format("{}/{}", int_at(p, "port"), str_at(p, "protocol", "TCP"));
    if (p.contains("targetPort")) {
        s += " -> " + text_of(p["targetPort"]);
    }
    if (p.contains("nodePort")) {
        s += fmt::format(" (node port {})", int_at(p, "nodePort"));
    }
    return s;
}

void service_rows(const Json& svc, std::vector<std::vector<std::string>>& rows)
{
    std::string ip = str_at(svc, "clusterIP");
    rows.push_back({ "Service:",
                     fmt::format("{} ({}{})",
                                 str_at(svc, "name"),
                                 str_at(svc, "type"),
                                 ip.empty() ? "" : " " + ip) });
    std::vector<std::string> ports;
    for (const auto& p : list_at(svc, "ports")) {
        ports.push_back(port_text(p));
    }
    rows.push_back({ "  Ports:", ports.empty() ? "<none>" : util::join(ports, ", ") });
    rows.push_back({ "  URL:", str_at(svc, "url", "<none>") });
    auto urls = texts(list_at(svc, "urls"));
    if (urls.size() > 1) {
        rows.push_back({ "  URLs:", util::join(urls, ", ") });
    }
    rows.push_back({ "  DNS:", util::join(texts(list_at(svc, "dns")), ", ") });
    auto external = texts(list_at(svc, "external"));
    rows.push_back({ "  External:", external.empty() ? "<none> (not exposed)" : util::join(external, ", ") });
}

} // namespace

std::string status_text(const Json& doc, std::chrono::system_clock::time_point now, const util::Palette& palette)
{
    std::vector<std::vector<std::string>> rows;
    rows.push_back({ "Name:", str_at(doc, "name") });
    rows.push_back({ "Namespace:", str_at(doc, "namespace") });
    std::string health = str_at(doc, "health");
    std::string reason = str_at(doc, "reason");
    rows.push_back({ "Health:", palette.paint(health_colour(health), health) + (reason.empty() ? "" : ": " + reason) });
    const Json r = object_at(doc, "replicas");
    rows.push_back({ "Replicas:",
                     fmt::format("{} desired, {} ready, {} updated, {} available",
                                 int_at(r, "desired"),
                                 int_at(r, "ready"),
                                 int_at(r, "updated"),
                                 int_at(r, "available")) });
    if (doc.contains("autoscaling")) {
        const Json& a = object_at(doc, "autoscaling");
        std::vector<std::string> parts = { fmt::format("{}-{} replicas", int_at(a, "min"), int_at(a, "max")) };
        if (a.contains("current")) {
            parts.back() += fmt::format(" (now {})", int_at(a, "current"));
        }
        for (const char* m : { "cpu", "memory" }) {
            if (a.contains(m)) {
                parts.push_back(metric_text(m, a[m]));
            }
        }
        rows.push_back({ "Autoscaling:", util::join(parts, ", ") });
    }
    rows.push_back({ "Image:", str_at(doc, "image") });
    if (doc.contains("commit")) {
        std::string branch = str_at(doc, "branch");
        rows.push_back(
          { "Commit:", str_at(doc, "commit") + (branch.empty() ? "" : " (branch " + branch + ")") });
    }
    if (doc.contains("revision")) {
        rows.push_back({ "Revision:", text_of(doc["revision"]) });
    }
    if (doc.contains("applyset")) {
        rows.push_back({ "ApplySet:", str_at(doc, "applyset") });
    }
    rows.push_back({ "Age:", age_since(str_at(doc, "created"), now) });
    if (doc.contains("lastLog")) {
        const Json& last = object_at(doc, "lastLog");
        rows.push_back({ "Last log:",
                         fmt::format("pod/{}/{} (previous run)",
                                     str_at(last, "pod"),
                                     str_at(last, "container")) });
        for (const auto& line : texts(list_at(last, "lines"))) {
            rows.push_back({ "", "| " + line });
        }
    }
    if (doc.contains("service")) {
        service_rows(object_at(doc, "service"), rows);
    } else {
        rows.push_back({ "Service:", "<none> (no Service object)" });
    }
    return format_table({}, rows);
}

std::vector<std::string> list_headers(bool all_namespaces, bool wide)
{
    std::vector<std::string> h;
    if (all_namespaces) {
        h.push_back("NAMESPACE");
    }
    for (const char* col : { "NAME", "HEALTH", "REPLICAS", "URL", "AGE" }) {
        h.push_back(col);
    }
    if (wide) {
        for (const char* col : { "IMAGE", "REVISION", "COMMIT", "REASON" }) {
            h.push_back(col);
        }
    }
    return h;
}

std::vector<std::string> list_row(const Json& doc, bool all_namespaces, bool wide,
                                  std::chrono::system_clock::time_point now, const util::Palette& palette)
{
    auto or_none = [](const std::string& s) { return s.empty() ? std::string("<none>") : s; };
    std::vector<std::string> row;
    if (all_namespaces) {
        row.push_back(str_at(doc, "namespace"));
    }
    const Json r = object_at(doc, "replicas");
    const Json svc = object_at(doc, "service");
    row.push_back(str_at(doc, "name"));
    std::string health = str_at(doc, "health");
    row.push_back(palette.paint(health_colour(health), health));
    row.push_back(fmt::format("{}/{}", int_at(r, "ready"), int_at(r, "desired")));
    row.push_back(or_none(str_at(svc, "url")));
    row.push_back(age_since(str_at(doc, "created"), now));
    if (wide) {
        row.push_back(or_none(str_at(doc, "image")));
        row.push_back(doc.contains("revision") ? text_of(doc["revision"]) : std::string("<none>"));
        row.push_back(or_none(str_at(doc, "commit").substr(0, 12)));
        row.push_back(or_none(str_at(doc, "reason")));
    }
    return row;
}

} // namespace kms::actions
