#pragma once

#include <util/json.hpp>

#include <string>

// The metadata of an API object as the server sent it: read through the untrusted-JSON helpers, so
// a missing or mistyped member is empty rather than an exception or undefined behaviour.
namespace kms::kube {

inline const Json& meta_of(const Json& obj)
{
    return util::object_at(obj, "metadata");
}

inline std::string name_of(const Json& obj)
{
    return util::str_at(meta_of(obj), "name");
}

inline std::string namespace_of(const Json& obj)
{
    return util::str_at(meta_of(obj), "namespace");
}

inline const Json& labels_of(const Json& obj)
{
    return util::object_at(meta_of(obj), "labels");
}

inline const Json& annotations_of(const Json& obj)
{
    return util::object_at(meta_of(obj), "annotations");
}

inline std::string label_of(const Json& obj, const char* key)
{
    return util::str_at(labels_of(obj), key);
}

inline std::string annotation_of(const Json& obj, const char* key)
{
    return util::str_at(annotations_of(obj), key);
}

} // namespace kms::kube
