#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace kms {

// Manifests and API objects: JSON values that keep their keys in insertion order, so rendered
// output has the field order a person expects (apiVersion, kind, metadata, spec …).
using Json = nlohmann::ordered_json;

} // namespace kms

// Reading answers from servers, whose shape is not trusted: a missing member or one of another
// type reads as empty, never as an exception (Json::value throws on a type mismatch).
namespace kms::util {

inline std::string str_at(const Json& j, const char* key, const char* fallback = "")
{
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string(fallback);
}

inline long long int_at(const Json& j, const char* key, long long fallback = 0)
{
    return j.is_object() && j.contains(key) && j[key].is_number_integer() ? j[key].get<long long>() : fallback;
}

inline bool bool_at(const Json& j, const char* key, bool fallback = false)
{
    return j.is_object() && j.contains(key) && j[key].is_boolean() ? j[key].get<bool>() : fallback;
}

inline const Json& object_at(const Json& j, const char* key)
{
    static const Json k_empty = Json::object();
    return j.is_object() && j.contains(key) && j[key].is_object() ? j[key] : k_empty;
}

inline const Json& list_at(const Json& j, const char* key)
{
    static const Json k_empty = Json::array();
    return j.is_object() && j.contains(key) && j[key].is_array() ? j[key] : k_empty;
}

} // namespace kms::util
