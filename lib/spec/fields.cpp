#include <spec/fields.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

namespace kms::spec {

namespace {

const Field* child(const Field& f, std::string_view name)
{
    for (const auto& c : f.children) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

std::string_view type_name(const Field& f)
{
    switch (f.type) {
    case FieldType::string:
        return "string";
    case FieldType::integer:
        return "integer";
    case FieldType::boolean:
        return "boolean";
    case FieldType::quantity:
        return "quantity";
    case FieldType::string_map:
        return "map[string]string";
    case FieldType::string_list:
        return "[]string";
    case FieldType::object:
        return "Object";
    case FieldType::object_list:
        return "[]Object";
    }
    return "string";
}

Json schema_of(const Field& f);

Json object_schema(const Field& f)
{
    Json props = Json::object();
    for (const auto& c : f.children) {
        props[std::string(c.name)] = schema_of(c);
    }
    return Json{{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
}

Json one_shape(const Field& f)
{
    Json s;
    switch (f.type) {
    case FieldType::string:
        s = Json{{"type", "string"}};
        if (!f.values.empty()) {
            s["enum"] = Json::array();
            for (auto v : f.values) {
                s["enum"].push_back(v);
            }
        }
        break;
    case FieldType::integer:
        s = Json{{"type", "integer"}};
        if (f.minimum) {
            s["minimum"] = *f.minimum;
        }
        if (f.maximum) {
            s["maximum"] = *f.maximum;
        }
        break;
    case FieldType::boolean:
        s = Json{{"type", "boolean"}};
        break;
    case FieldType::quantity:
        s = Json{{"type", Json::array({"string", "number"})},
                 {"pattern", "^\\+?([0-9]+(\\.[0-9]{0,3})?|\\.[0-9]{1,3})([mkMGTPE]|[KMGTPE]i|[eE][-+]?[0-9]{1,2})?$"}};
        break;
    case FieldType::string_map:
        s = Json{{"type", "object"},
                 {"additionalProperties", {{"type", Json::array({"string", "number", "boolean", "null"})}}}};
        break;
    case FieldType::string_list:
        s = Json{{"type", "array"}, {"items", {{"type", "string"}}}};
        break;
    case FieldType::object:
        s = object_schema(f);
        break;
    case FieldType::object_list:
        s = Json{{"type", "array"},
                 {"items", f.string_items ? Json{{"anyOf", Json::array({Json{{"type", "string"}}, object_schema(f)})}}
                                          : object_schema(f)}};
        break;
    }
    return s;
}

Json schema_of(const Field& f)
{
    Json s;
    if (f.alternatives.empty()) {
        s = one_shape(f);
    } else {
        Json any = Json::array({one_shape(f)});
        for (const auto& alt : f.alternatives) {
            any.push_back(one_shape(alt));
        }
        s = Json{{"anyOf", any}};
    }
    s["description"] = f.doc;
    if (!f.default_text.empty()) {
        s["description"] = std::string(f.doc) + " Default: " + std::string(f.default_text) + ".";
    }
    return s;
}

} // namespace

const Field* find_field(std::string_view path)
{
    const Field* f = &service_fields();
    if (path.empty()) {
        return f;
    }
    for (const auto& part : util::split(path, '.')) {
        f = child(*f, part);
        if (f == nullptr) {
            return nullptr;
        }
    }
    return f;
}

std::vector<std::string_view> field_keys(std::string_view path)
{
    const Field* f = find_field(path);
    if (f == nullptr || (f->type != FieldType::object && f->type != FieldType::object_list)) {
        throw Error(fmt::format("internal error: '{}' is not an object in the field table", path));
    }
    std::vector<std::string_view> keys;
    for (const auto& c : f->children) {
        keys.push_back(c.name);
    }
    return keys;
}

Json service_schema()
{
    Json s = Json::object();
    s["$schema"] = "http://json-schema.org/draft-07/schema#";
    s["$id"] = "https://kubectl-microservice.dev/schema/service.json";
    s["title"] = "kubectl-microservice service file";
    Json body = schema_of(service_fields());
    for (auto& [k, v] : body.items()) {
        s[k] = v;
    }
    return s;
}

std::string explain_field(std::string_view path)
{
    const Field* f = find_field(path);
    if (f == nullptr) {
        std::vector<std::string> known;
        std::string parent = path.find('.') == std::string_view::npos ? std::string()
                                                                      : std::string(path.substr(0, path.rfind('.')));
        if (const Field* p = find_field(parent)) {
            for (const auto& c : p->children) {
                known.push_back(parent.empty() ? std::string(c.name) : parent + "." + std::string(c.name));
            }
        }
        auto hint = util::closest_match(path, known);
        throw Error(fmt::format("field \"{}\" does not exist{}", path,
                                hint ? fmt::format(" (did you mean \"{}\"?)", *hint) : std::string()),
                    ExitCode::usage);
    }
    std::string out;
    out += fmt::format("FIELD:    {} <{}>\n", path.empty() ? "service" : path, type_name(*f));
    for (const auto& alt : f->alternatives) {
        out += fmt::format("          or <{}>: {}\n", type_name(alt), alt.doc);
    }
    out += "\nDESCRIPTION:\n    " + std::string(f->doc) + "\n";
    if (!f->values.empty()) {
        std::vector<std::string> vals(f->values.begin(), f->values.end());
        out += "\n    Possible values: " + util::join(vals, ", ") + "\n";
    }
    if (f->minimum || f->maximum) {
        out += fmt::format("\n    Range: {} to {}\n", f->minimum ? std::to_string(*f->minimum) : "-",
                           f->maximum ? std::to_string(*f->maximum) : "-");
    }
    if (!f->default_text.empty()) {
        out += "\n    Default: " + std::string(f->default_text) + "\n";
    }
    if (!f->children.empty()) {
        out += "\nFIELDS:\n";
        for (const auto& c : f->children) {
            out += fmt::format("  {:<22}<{}>\n    {}\n\n", c.name, type_name(c), c.doc);
        }
        out.pop_back();
    }
    return out;
}

} // namespace kms::spec
