#include <kube/actions_record.hpp>
#include <kube/actions_target.hpp>
#include <kube/object.hpp>
#include <render/render.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

#include <algorithm>
#include <cctype>

namespace kms::actions {

using kube::label_of;

namespace {

std::string quoted_list(const std::vector<std::string>& names, std::size_t max)
{
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < names.size() && i < max; ++i) {
        parts.push_back(fmt::format("\"{}\"", names[i]));
    }
    std::string s = util::join(parts, ", ");
    if (names.size() > max) {
        s += fmt::format(" and {} more", names.size() - max);
    }
    return s;
}

} // namespace

std::string managed_selector_query()
{
    // app.kubernetes.io/managed-by=kubectl-microservice, percent-encoded
    return fmt::format("labelSelector=app.kubernetes.io%2Fmanaged-by%3D{}", render::k_manager);
}

std::string query_escape(const std::string& value)
{
    std::string out;
    for (unsigned char ch : value) {
        if (std::isalnum(ch) != 0 || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            out += static_cast<char>(ch);
        } else {
            out += fmt::format("%{:02X}", static_cast<unsigned>(ch));
        }
    }
    return out;
}

std::string pod_selector_query(const Json& deployment)
{
    std::vector<std::string> terms;
    const Json& selector = util::object_at(util::object_at(deployment, "spec"), "selector");
    for (const auto& [k, v] : util::object_at(selector, "matchLabels").items()) {
        terms.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
    }
    return "labelSelector=" + query_escape(util::join(terms, ","));
}

std::string deployments_path(const std::string& ns)
{
    return ns.empty() ? std::string("/apis/apps/v1/deployments")
                      : fmt::format("/apis/apps/v1/namespaces/{}/deployments", ns);
}

std::string deployment_path(const std::string& ns, const std::string& name)
{
    return deployments_path(ns) + "/" + name;
}

std::optional<std::string> not_managed_reason(const Json& deployment)
{
    std::string by = label_of(deployment, k_managed_by_label);
    if (by == render::k_manager) {
        return std::nullopt;
    }
    if (by.empty()) {
        return fmt::format("it has no {} label, so another tool or a person made it", k_managed_by_label);
    }
    return fmt::format("its {} label says \"{}\"", k_managed_by_label, by);
}

std::string unknown_service_message(const std::string& name, const std::string& ns,
                                    const std::vector<std::string>& here,
                                    const std::vector<std::pair<std::string, std::string>>& elsewhere)
{
    std::string msg = fmt::format("service \"{}\" not found in namespace \"{}\"", name, ns);
    if (auto close = util::closest_match(name, here)) {
        return msg + fmt::format(" (did you mean \"{}\"?)", *close);
    }
    std::vector<std::string> other_ns;
    for (const auto& [ons, oname] : elsewhere) {
        if (oname == name && ons != ns) {
            other_ns.push_back(ons);
        }
    }
    if (!other_ns.empty()) {
        return msg + fmt::format(" (it exists in namespace {}: add -n {})", quoted_list(other_ns, 3), other_ns.front());
    }
    if (here.empty()) {
        return msg + " (no service of kubectl-microservice runs there; see `kubectl microservice list -A`)";
    }
    return msg + fmt::format(" (services there: {})", quoted_list(here, 5));
}

std::vector<std::pair<std::string, std::string>> managed_names(kube::Client& c, const std::string& ns)
{
    kube::Call call;
    call.path = deployments_path(ns) + "?" + managed_selector_query();
    http::Response r = c.send(call);
    if (r.status == 403 && ns.empty()) {
        return {}; // listing every namespace is often not allowed; the hint is then only local
    }
    if (r.status < 200 || r.status >= 300) {
        c.fail(r, ns.empty() ? std::string("listing services") : fmt::format("listing services in namespace {}", ns));
    }
    Json list = Json::parse(r.body, nullptr, false);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& d : util::list_at(list, "items")) {
        out.emplace_back(kube::namespace_of(d), kube::name_of(d));
    }
    std::sort(out.begin(), out.end());
    return out;
}

Target to_target(Json deployment, const std::string& verb, Need need)
{
    Target t;
    t.name = kube::name_of(deployment);
    t.namespace_ = kube::namespace_of(deployment);
    if (auto why = not_managed_reason(deployment)) {
        throw Error(fmt::format("deployment \"{}\" in namespace \"{}\" is not managed by kubectl-microservice: {}; "
                                "refusing to {} it",
                                t.name, t.namespace_, *why, verb));
    }
    t.record = recorded_text(deployment);
    t.applyset_id = label_of(deployment, k_part_of_label);
    if (need == Need::record && !t.record) {
        throw Error(fmt::format("service \"{}\" in namespace \"{}\" has no recorded description ({}), so it cannot "
                                "be rebuilt to {} it; apply it once more with this version of kubectl-microservice",
                                t.name, t.namespace_, k_source_annotation, verb));
    }
    t.deployment = std::move(deployment);
    return t;
}

Target find_service(kube::Client& c, const std::string& ns, const std::string& name, const std::string& verb,
                    Need need)
{
    auto d = c.get_optional(deployment_path(ns, name), fmt::format("service {} in namespace {}", name, ns));
    if (!d) {
        std::vector<std::string> here;
        for (const auto& [_, n] : managed_names(c, ns)) {
            here.push_back(n);
        }
        std::vector<std::pair<std::string, std::string>> elsewhere;
        if (!util::closest_match(name, here)) {
            elsewhere = managed_names(c, ""); // perhaps it runs in another namespace
        }
        throw Error(unknown_service_message(name, ns, here, elsewhere));
    }
    return to_target(std::move(*d), verb, need);
}

std::vector<Json> service_pods(kube::Client& c, const Target& t)
{
    Json list = c.get(fmt::format("/api/v1/namespaces/{}/pods?{}", t.namespace_, pod_selector_query(t.deployment)),
                      fmt::format("listing the pods of service {} in namespace {}", t.name, t.namespace_));
    std::vector<Json> pods;
    for (const auto& p : util::list_at(list, "items")) {
        pods.push_back(p);
    }
    auto created = [](const Json& pod) { return util::str_at(kube::meta_of(pod), "creationTimestamp"); };
    std::stable_sort(pods.begin(), pods.end(), [&](const Json& a, const Json& b) { return created(a) < created(b); });
    return pods;
}

} // namespace kms::actions
