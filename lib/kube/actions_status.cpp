#include <algorithm>
#include <fmt/format.h>
#include <kube/actions_format.hpp>
#include <kube/actions_history.hpp>
#include <kube/actions_status.hpp>
#include <kube/rollout.hpp>
#include <render/render.hpp>
#include <util/json_get.hpp>
#include <util/parallel.hpp>
#include <util/strings.hpp>

namespace kms::actions {

using util::get_array;
using util::get_int;
using util::get_object;
using util::get_string;

namespace {

const Json& meta(const Json& obj)
{
    return get_object(obj, "metadata");
}

// Whether `obj` is in the Deployment's namespace and carries its selector's labels.
bool selected_by(const Json& obj, const Json& deployment)
{
    if (get_string(meta(obj), "namespace") != get_string(meta(deployment), "namespace")) {
        return false;
    }
    const Json& labels = get_object(meta(obj), "labels");
    for (const auto& [k, v] :
         get_object(get_object(get_object(deployment, "spec"), "selector"), "matchLabels").items()) {
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
    for (const auto& m : get_array(get_object(hpa, "spec"), "metrics")) {
        const Json& r = get_object(m, "resource");
        std::string name = get_string(r, "name");
        long long target = get_int(get_object(r, "target"), "averageUtilization", -1);
        if (get_string(m, "type") == "Resource" && !name.empty() && target >= 0) {
            out[name] = Json{ { "target", target } };
        }
    }
    for (const auto& m : get_array(get_object(hpa, "status"), "currentMetrics")) {
        const Json& r = get_object(m, "resource");
        std::string name = get_string(r, "name");
        long long current = get_int(get_object(r, "current"), "averageUtilization", -1);
        if (get_string(m, "type") == "Resource" && out.contains(name) && current >= 0) {
            out[name]["current"] = current;
        }
    }
    return out;
}

Json autoscaling_block(const Json& hpa)
{
    const Json& spec = get_object(hpa, "spec");
    const Json& status = get_object(hpa, "status");
    Json a = { { "min", get_int(spec, "minReplicas", 1) }, { "max", get_int(spec, "maxReplicas") } };
    if (status.contains("currentReplicas")) {
        a["current"] = get_int(status, "currentReplicas");
    }
    if (status.contains("desiredReplicas")) {
        a["desired"] = get_int(status, "desiredReplicas");
    }
    const Json metrics = resource_metrics(hpa);
    for (const auto& [name, m] : metrics.items()) {
        a[name] = m;
    }
    return a;
}

const Json& pod_template(const Json& deployment)
{
    return get_object(get_object(deployment, "spec"), "template");
}

std::string template_annotation(const Json& deployment, const char* name)
{
    return get_string(get_object(meta(pod_template(deployment)), "annotations"),
                      (std::string(render::k_annotation_prefix) + name).c_str());
}

std::string first_image(const Json& deployment)
{
    const Json& containers = get_array(get_object(pod_template(deployment), "spec"), "containers");
    return containers.empty() ? std::string() : get_string(containers[0], "image");
}

// The items of `list` that `keep` accepts.
template<typename Pred>
Json items_where(const Json& list, Pred keep)
{
    Json out = Json::array();
    for (const auto& item : get_array(list, "items")) {
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
    const Json& spec = get_object(o.deployment, "spec");
    if (spec.contains("replicas")) {
        return get_int(spec, "replicas");
    }
    if (o.hpa) {
        const Json& st = get_object(*o.hpa, "status");
        return get_int(st, "desiredReplicas", get_int(get_object(*o.hpa, "spec"), "minReplicas", 1));
    }
    return 1; // the API server's default
}

Assessment assess(const Observed& o)
{
    long long desired = desired_replicas(o);
    const Json& status = get_object(o.deployment, "status");
    long long available = get_int(status, "availableReplicas");
    if (desired == 0 && !o.hpa) {
        long long left = get_int(status, "replicas");
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
    std::string name = get_string(meta(service), "name");
    std::string ns = get_string(meta(service), "namespace");
    const Json& spec = get_object(service, "spec");
    Json block = { { "name", name },
                   { "type", get_string(spec, "type").empty() ? "ClusterIP" : get_string(spec, "type") } };
    if (!get_string(spec, "clusterIP").empty()) {
        block["clusterIP"] = get_string(spec, "clusterIP");
    }
    Json ports = Json::array();
    Json urls = Json::array();
    for (const auto& p : get_array(spec, "ports")) {
        Json port = Json::object();
        for (const char* key : { "name", "port", "protocol", "targetPort", "nodePort" }) {
            if (p.contains(key)) {
                port[key] = p[key];
            }
        }
        ports.push_back(port);
        urls.push_back(fmt::format("{}.{}:{}", name, ns, get_int(p, "port")));
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
    const Json& status = get_object(d, "status");
    Assessment a = assess(o);
    Json doc = { { "name", get_string(meta(d), "name") },
                 { "namespace", get_string(meta(d), "namespace") },
                 { "health", health_name(a.health) } };
    if (!a.reason.empty()) {
        doc["reason"] = a.reason;
    }
    doc["replicas"] = { { "desired", desired_replicas(o) },
                        { "ready", get_int(status, "readyReplicas") },
                        { "updated", get_int(status, "updatedReplicas") },
                        { "available", get_int(status, "availableReplicas") } };
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
    std::string revision = get_string(get_object(meta(d), "annotations"), k_revision_annotation);
    if (!revision.empty() && revision.find_first_not_of("0123456789") == std::string::npos && revision.size() < 19) {
        doc["revision"] = std::stoll(revision);
    }
    std::string applyset = get_string(get_object(meta(d), "labels"), k_part_of_label);
    if (!applyset.empty()) {
        doc["applyset"] = applyset;
    }
    doc["created"] = get_string(meta(d), "creationTimestamp");
    if (o.service) {
        doc["service"] = service_block(*o.service, external);
    }
    return doc;
}

std::vector<std::string> load_balancer_urls(const Json& service)
{
    const Json& spec = get_object(service, "spec");
    if (get_string(spec, "type") != "LoadBalancer") {
        return {};
    }
    std::vector<std::string> out;
    for (const auto& ingress : get_array(get_object(get_object(service, "status"), "loadBalancer"), "ingress")) {
        std::string host =
          get_string(ingress, "hostname").empty() ? get_string(ingress, "ip") : get_string(ingress, "hostname");
        for (const auto& p : get_array(spec, "ports")) {
            if (!host.empty()) {
                out.push_back(fmt::format("{}:{}", host, get_int(p, "port")));
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
                o.replicasets =
                  c.get("/apis/apps/v1" + ns_path + "/replicasets?" + selector, "listing the revisions of " + what)
                    .value("items", Json::array());
                break;
            case 1:
                o.pods = c.get("/api/v1" + ns_path + "/pods?" + selector, "listing the pods of " + what)
                           .value("items", Json::array());
                break;
            case 2:
                o.events = c.get("/api/v1" + ns_path + "/events?fieldSelector=involvedObject.kind%3DPod",
                                 "listing the pod events of " + what)
                             .value("items", Json::array());
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
    for (const auto& d : get_array(got[0], "items")) {
        Observed o;
        o.deployment = d;
        std::string name = get_string(meta(d), "name");
        std::string dns = get_string(meta(d), "namespace");
        o.replicasets = items_where(got[1], [&](const Json& rs) { return selected_by(rs, d); });
        o.pods = items_where(got[2], [&](const Json& p) { return selected_by(p, d); });
        o.events = items_where(got[3], [&](const Json& e) { return get_string(meta(e), "namespace") == dns; });
        for (const auto& h : get_array(got[4], "items")) {
            const Json& ref = get_object(get_object(h, "spec"), "scaleTargetRef");
            if (get_string(meta(h), "namespace") == dns && get_string(ref, "kind") == "Deployment" &&
                get_string(ref, "name") == name) {
                o.hpa = h;
            }
        }
        for (const auto& s : get_array(got[5], "items")) {
            if (get_string(meta(s), "namespace") == dns && get_string(meta(s), "name") == name) {
                o.service = s;
            }
        }
        out.push_back(std::move(o));
    }
    std::sort(out.begin(), out.end(), [](const Observed& a, const Observed& b) {
        auto key = [](const Observed& o) {
            return std::make_pair(get_string(meta(o.deployment), "namespace"), get_string(meta(o.deployment), "name"));
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
    std::string current = m.contains("current") ? fmt::format("{}%", m["current"].get<long long>()) : "<unknown>";
    return fmt::format("{} {}/{}%", name, current, m.value("target", 0LL));
}

std::string port_text(const Json& p)
{
    std::string s = p.contains("name") ? text_of(p["name"]) + " " : std::string();
    s += fmt::format("{}/{}", p.value("port", 0LL), p.value("protocol", std::string("TCP")));
    if (p.contains("targetPort")) {
        s += " -> " + text_of(p["targetPort"]);
    }
    if (p.contains("nodePort")) {
        s += fmt::format(" (node port {})", p["nodePort"].get<long long>());
    }
    return s;
}

void service_rows(const Json& svc, std::vector<std::vector<std::string>>& rows)
{
    std::string ip = svc.value("clusterIP", std::string());
    rows.push_back({ "Service:",
                     fmt::format("{} ({}{})",
                                 svc.value("name", std::string()),
                                 svc.value("type", std::string()),
                                 ip.empty() ? "" : " " + ip) });
    std::vector<std::string> ports;
    for (const auto& p : svc.value("ports", Json::array())) {
        ports.push_back(port_text(p));
    }
    rows.push_back({ "  Ports:", ports.empty() ? "<none>" : util::join(ports, ", ") });
    rows.push_back({ "  URL:", svc.value("url", std::string("<none>")) });
    auto urls = texts(svc.value("urls", Json::array()));
    if (urls.size() > 1) {
        rows.push_back({ "  URLs:", util::join(urls, ", ") });
    }
    rows.push_back({ "  DNS:", util::join(texts(svc.value("dns", Json::array())), ", ") });
    auto external = texts(svc.value("external", Json::array()));
    rows.push_back({ "  External:", external.empty() ? "<none> (not exposed)" : util::join(external, ", ") });
}

} // namespace

std::string status_text(const Json& doc, std::chrono::system_clock::time_point now, const util::Palette& palette)
{
    std::vector<std::vector<std::string>> rows;
    rows.push_back({ "Name:", doc.value("name", std::string()) });
    rows.push_back({ "Namespace:", doc.value("namespace", std::string()) });
    std::string health = doc.value("health", std::string());
    std::string reason = doc.value("reason", std::string());
    rows.push_back({ "Health:", palette.paint(health_colour(health), health) + (reason.empty() ? "" : ": " + reason) });
    const Json r = doc.value("replicas", Json::object());
    rows.push_back({ "Replicas:",
                     fmt::format("{} desired, {} ready, {} updated, {} available",
                                 r.value("desired", 0LL),
                                 r.value("ready", 0LL),
                                 r.value("updated", 0LL),
                                 r.value("available", 0LL)) });
    if (doc.contains("autoscaling")) {
        const Json& a = doc["autoscaling"];
        std::vector<std::string> parts = { fmt::format("{}-{} replicas", a.value("min", 0LL), a.value("max", 0LL)) };
        if (a.contains("current")) {
            parts.back() += fmt::format(" (now {})", a["current"].get<long long>());
        }
        for (const char* m : { "cpu", "memory" }) {
            if (a.contains(m)) {
                parts.push_back(metric_text(m, a[m]));
            }
        }
        rows.push_back({ "Autoscaling:", util::join(parts, ", ") });
    }
    rows.push_back({ "Image:", doc.value("image", std::string()) });
    if (doc.contains("commit")) {
        std::string branch = doc.value("branch", std::string());
        rows.push_back(
          { "Commit:", doc["commit"].get<std::string>() + (branch.empty() ? "" : " (branch " + branch + ")") });
    }
    if (doc.contains("revision")) {
        rows.push_back({ "Revision:", text_of(doc["revision"]) });
    }
    if (doc.contains("applyset")) {
        rows.push_back({ "ApplySet:", doc["applyset"].get<std::string>() });
    }
    rows.push_back({ "Age:", age_since(doc.value("created", std::string()), now) });
    if (doc.contains("lastLog")) {
        const Json& last = doc["lastLog"];
        rows.push_back({ "Last log:",
                         fmt::format("pod/{}/{} (previous run)",
                                     last.value("pod", std::string()),
                                     last.value("container", std::string())) });
        for (const auto& line : texts(last.value("lines", Json::array()))) {
            rows.push_back({ "", "| " + line });
        }
    }
    if (doc.contains("service")) {
        service_rows(doc["service"], rows);
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
        row.push_back(doc.value("namespace", std::string()));
    }
    const Json r = doc.value("replicas", Json::object());
    const Json svc = doc.value("service", Json::object());
    row.push_back(doc.value("name", std::string()));
    std::string health = doc.value("health", std::string());
    row.push_back(palette.paint(health_colour(health), health));
    row.push_back(fmt::format("{}/{}", r.value("ready", 0LL), r.value("desired", 0LL)));
    row.push_back(or_none(svc.value("url", std::string())));
    row.push_back(age_since(doc.value("created", std::string()), now));
    if (wide) {
        row.push_back(or_none(doc.value("image", std::string())));
        row.push_back(doc.contains("revision") ? text_of(doc["revision"]) : std::string("<none>"));
        row.push_back(or_none(doc.value("commit", std::string()).substr(0, 12)));
        row.push_back(or_none(doc.value("reason", std::string())));
    }
    return row;
}

} // namespace kms::actions
