#pragma once

#include <util/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The documented shape of our service file: one table that the parser takes its key lists from,
// `schema` turns into a JSON Schema and `explain` prints. Add a field here first.
namespace kms::spec {

enum class FieldType
{
    string,
    integer,
    boolean,
    quantity,    // a Kubernetes quantity: "500m", 2, "1Gi"
    string_map,  // keys → scalar values
    string_list,
    object,      // `children` are its keys
    object_list, // a list of objects shaped like `children`
};

struct Field
{
    std::string_view name;
    FieldType type = FieldType::string;
    std::string_view doc;
    std::vector<Field> children;
    // Other accepted shapes of the same key (e.g. `replicas: 3` besides `{min, max}`).
    std::vector<Field> alternatives;
    std::vector<std::string_view> values; // allowed values of a string
    std::optional<long long> minimum;
    std::optional<long long> maximum;
    std::string_view default_text;
    // For object_list: an item may also be a plain string (e.g. `secrets: [openai, {name: x}]`).
    bool string_items = false;
};

// The top-level field (an object whose children are the service file's keys).
const Field& service_fields();

// The field at a dotted path ("resources.limits"), or null.
const Field* find_field(std::string_view path);

// The key names allowed in the map at `path` ("" for the top level), for the parser. Looks through
// alternatives for the object shape. Throws when `path` is not an object in the table (a bug).
std::vector<std::string_view> field_keys(std::string_view path);

// A JSON Schema (draft-07) of the service file, for editors (yaml-language-server).
Json service_schema();

// `kubectl explain`-style text for the field at `path` ("" for the whole file).
std::string explain_field(std::string_view path);

} // namespace kms::spec
