#include <render/expose.hpp>
#include <render/render.hpp>
#include <util/strings.hpp>

namespace kms::render {

namespace {

// A label value: at most 63 characters of [A-Za-z0-9._-], alphanumeric at both ends.
bool is_label_value(std::string_view v)
{
    if (v.empty() || v.size() > 63) {
        return false;
    }
    auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    if (!alnum(v.front()) || !alnum(v.back())) {
        return false;
    }
    for (char c : v) {
        if (!alnum(c) && c != '-' && c != '_' && c != '.') {
            return false;
        }
    }
    return true;
}

// The version label: the image tag, else the pinned commit (short).
std::optional<std::string> version_of(const spec::Service& s)
{
    auto slash = s.image.rfind('/');
    auto colon = s.image.rfind(':');
    auto at = s.image.find('@');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash) && at == std::string::npos) {
        std::string tag = s.image.substr(colon + 1);
        if (is_label_value(tag) && tag != "latest") {
            return tag;
        }
    }
    if (s.git && s.git->commit) {
        return s.git->commit->substr(0, 12);
    }
    return std::nullopt;
}

} // namespace

Json labels(const spec::Service& s)
{
    Json l = Json::object();
    l["app.kubernetes.io/name"] = s.name;
    l["app.kubernetes.io/instance"] = s.name;
    l["app.kubernetes.io/managed-by"] = k_manager;
    if (auto v = version_of(s)) {
        l["app.kubernetes.io/version"] = *v;
    }
    return l;
}

Json selector_labels(const spec::Service& s)
{
    return Json{{"app.kubernetes.io/instance", s.name}};
}

Json object_head(const spec::Service& s, const char* api_version, const char* kind, const std::string& name)
{
    Json o = Json::object();
    o["apiVersion"] = api_version;
    o["kind"] = kind;
    Json meta = Json::object();
    meta["name"] = name;
    if (s.namespace_) {
        meta["namespace"] = *s.namespace_;
    }
    meta["labels"] = labels(s);
    o["metadata"] = meta;
    return o;
}

Rendered render(const spec::Service& s, const spec::Config& config)
{
    Rendered r;
    r.objects.push_back(core_service(s));
    r.objects.push_back(deployment(s, config, r.warnings));
    if (has_hpa(s)) {
        r.objects.push_back(hpa(s));
    }
    if (s.replicas.min >= 2) {
        r.objects.push_back(pdb(s));
    }
    render_expose(s, config, r.objects);
    return r;
}

Rendered render_all(const std::vector<spec::Service>& services, const spec::Config& config)
{
    Rendered all;
    for (const auto& s : services) {
        Rendered one = render(s, config);
        all.objects.insert(all.objects.end(), one.objects.begin(), one.objects.end());
        all.warnings.insert(all.warnings.end(), one.warnings.begin(), one.warnings.end());
    }
    return all;
}

} // namespace kms::render
