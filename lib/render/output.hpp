#pragma once

#include <util/json.hpp>

#include <string>
#include <vector>

namespace kms::render {

enum class Format
{
    yaml,
    json,
    name, // kubectl's -o name: "deployment.apps/web", one per line
    dir,
};

struct OutputSpec
{
    Format format = Format::yaml;
    std::string dir; // for Format::dir
};

// Parses "-o yaml|json|name|dir=PATH"; throws a usage error naming the flag otherwise.
OutputSpec parse_output(const std::string& text);

// "deployment.apps/web", "service/web": kubectl's -o name (lower-case kind, then the API group).
std::string object_name(const Json& object);

// The objects as one text: a YAML stream, a JSON "v1 List", or their names.
std::string format_objects(const std::vector<Json>& objects, Format format);

// The file name an object gets in "-o dir": "<kind>-<name>.yaml", lower-case, with the namespace
// in front when two objects would otherwise collide.
std::vector<std::string> object_file_names(const std::vector<Json>& objects);

// Writes one file per object plus kustomization.yaml into `dir`: everything goes into a fresh
// sibling directory first, which then replaces `dir` by rename, so `dir` never holds a partial set.
// An existing `dir` is replaced only when it was written by this command before.
void write_dir(const std::vector<Json>& objects, const std::string& dir);

} // namespace kms::render
