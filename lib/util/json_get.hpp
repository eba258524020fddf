#pragma once

#include <string>
#include <util/json.hpp>

// Defensive reads of API objects, as kubectl reads them: a missing key or a value of another type
// gives the empty value instead of an exception.
namespace kms::util {

inline std::string get_string(const Json& j, const char* key)
{
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

inline long long get_int(const Json& j, const char* key, long long fallback = 0)
{
    return j.is_object() && j.contains(key) && j[key].is_number_integer() ? j[key].get<long long>() : fallback;
}

inline const Json& get_object(const Json& j, const char* key)
{
    static const Json k_empty = Json::object();
    return j.is_object() && j.contains(key) && j[key].is_object() ? j[key] : k_empty;
}

inline const Json& get_array(const Json& j, const char* key)
{
    static const Json k_empty = Json::array();
    return j.is_object() && j.contains(key) && j[key].is_array() ? j[key] : k_empty;
}

} // namespace kms::util
