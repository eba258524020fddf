#include <spec/opta_refs.hpp>
#include <util/strings.hpp>

#include <algorithm>
#include <cctype>

namespace kms::spec {

namespace {

bool all_digits(const std::string& s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> variable(const std::string& name, const YAML::Node& at, const std::string& path,
                                    OptaRefs& refs, YamlReader& r)
{
    refs.used_env = true;
    if (!refs.env) {
        r.error(at, fmt::format("{}: {{vars.{}}} needs an environment's variables, but the file declares no "
                                "environments",
                                path, name));
        return std::nullopt;
    }
    // The const view: operator[] on a mutable node would add the missing key.
    const YAML::Node& vars = refs.variables;
    YAML::Node v = vars.IsMap() ? vars[name] : YAML::Node();
    if (!v.IsDefined() || v.IsNull()) {
        std::vector<std::string> names;
        if (vars.IsMap()) {
            for (auto it = vars.begin(); it != vars.end(); ++it) {
                names.push_back(it->first.Scalar());
            }
        }
        auto hint = util::closest_match(name, names);
        r.error(at, fmt::format("{}: {{vars.{}}} is not defined: environment \"{}\" has {}{}", path, name, *refs.env,
                                names.empty() ? std::string("no variables") : "variables " + util::join(names, ", "),
                                hint ? fmt::format(" (did you mean {{vars.{}}}?)", *hint) : std::string()));
        return std::nullopt;
    }
    if (!v.IsScalar()) {
        r.error(at, fmt::format("{}: {{vars.{}}} is {}; only strings and numbers can be substituted", path, name,
                                describe(v)));
        return std::nullopt;
    }
    return v.Scalar();
}

// The value of one reference; nullopt after an error. `known` is false for braces that are no
// reference of Opta's (they stay as written).
std::optional<std::string> reference(const std::string& ref, bool& known, const YAML::Node& at,
                                     const std::string& path, OptaRefs& refs, YamlReader& r)
{
    known = true;
    for (std::string_view prefix : {"vars.", "variables."}) {
        if (util::starts_with(ref, prefix)) {
            return variable(ref.substr(prefix.size()), at, path, refs, r);
        }
    }
    if (ref == "parent.domain" || ref == "parent[domain]") {
        if (!refs.domain) {
            r.error(at, fmt::format("{}: {{{}}} is the domain of Opta's environment; set 'domain' in the user "
                                    "config file to resolve it",
                                    path, ref));
        }
        return refs.domain;
    }
    if (util::starts_with(ref, "parent.") || util::starts_with(ref, "parent[")) {
        r.error(at, fmt::format("{}: {{{}}} cannot be resolved: of the parent environment only {{parent.domain}} "
                                "is known",
                                path, ref));
        return std::nullopt;
    }
    if (ref == "env") {
        refs.used_env = true;
        if (!refs.env) {
            r.error(at, fmt::format("{}: {{env}} needs an environment, but the file declares none", path));
        }
        return refs.env;
    }
    if (ref == "layer_name") {
        return refs.layer;
    }
    if (ref == "module_name") {
        return refs.module;
    }
    known = false;
    return std::nullopt;
}

// `text` with its references replaced; nullopt after an error.
std::optional<std::string> resolve_text(const std::string& text, bool& changed, const YAML::Node& at,
                                        const std::string& path, OptaRefs& refs, YamlReader& r)
{
    std::string out;
    std::size_t i = 0;
    bool ok = true;
    while (i < text.size()) {
        auto open = text.find('{', i);
        auto close = open == std::string::npos ? open : text.find('}', open);
        if (close == std::string::npos) {
            out += text.substr(i);
            break;
        }
        out += text.substr(i, open - i);
        std::string ref = text.substr(open + 1, close - open - 1);
        bool known = false;
        auto value = reference(std::string(util::trim(ref)), known, at, path, refs, r);
        if (!known) {
            out += text.substr(open, close - open + 1);
        } else if (value) {
            out += *value;
            changed = true;
        } else {
            ok = false;
        }
        i = close + 1;
    }
    return ok ? std::optional<std::string>(out) : std::nullopt;
}

} // namespace

void resolve_opta_refs(YAML::Node n, const std::string& path, OptaRefs& refs, YamlReader& r)
{
    if (n.IsMap()) {
        for (auto it = n.begin(); it != n.end(); ++it) {
            resolve_opta_refs(it->second, join_path(path, it->first.IsScalar() ? it->first.Scalar() : "?"), refs, r);
        }
    } else if (n.IsSequence()) {
        for (std::size_t i = 0; i < n.size(); ++i) {
            resolve_opta_refs(n[i], fmt::format("{}[{}]", path, i), refs, r);
        }
    } else if (n.IsScalar()) {
        bool changed = false;
        auto text = resolve_text(n.Scalar(), changed, n, path, refs, r);
        // Assigning keeps the node's mark, so later messages still point into the file.
        if (text && changed) {
            n = *text;
            n.SetTag("?");
        } else if (!text) {
            n = YAML::Null; // reported; reading the unresolved text would only add errors
            return;
        }
        if (n.Tag() == "!" && all_digits(n.Scalar())) {
            n.SetTag("?");
        }
    }
}

} // namespace kms::spec
