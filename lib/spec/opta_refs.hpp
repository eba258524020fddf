#pragma once

#include <spec/yaml_reader.hpp>

#include <optional>
#include <string>

// Opta's {…} references inside a module's values (lib/spec/opta.cpp's helper).
namespace kms::spec {

struct OptaRefs
{
    std::string layer;                  // {layer_name}
    std::string module;                 // {module_name}
    std::optional<std::string> env;     // {env}: the chosen environment's name
    YAML::Node variables;               // its `variables` map, for {vars.X} / {variables.X}
    std::optional<std::string> domain;  // {parent.domain} / {parent[domain]}
    bool used_env = false;              // set when a reference needed the environment
};

// Replaces the references in every scalar under `n`, in place; `path` names `n` in messages.
// Other braces ("%({Content-Type}i)s") are left as written. A quoted number ("3") becomes a plain
// scalar, since Opta's validators take numbers as ints or strings alike.
void resolve_opta_refs(YAML::Node n, const std::string& path, OptaRefs& refs, YamlReader& r);

} // namespace kms::spec
