#pragma once

#include <spec/service.hpp>
#include <util/error.hpp>

#include <yaml-cpp/yaml.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kms::spec {

// Parses YAML text; a syntax error becomes an input error at its file:line:col.
std::vector<YAML::Node> load_yaml_documents(const std::string& text, const std::string& file);

// Typed access to YAML values that records every problem, with its position, in Diagnostics.
// Paths in messages are dotted service-file paths ("replicas.min", "ports[1].name").
class YamlReader
{
public:
    YamlReader(std::string file, Diagnostics& diags) : m_file(std::move(file)), m_diags(diags) {}

    const std::string& file() const { return m_file; }
    Diagnostics& diags() { return m_diags; }
    SourcePos pos(const YAML::Node& n) const;
    void error(const YAML::Node& n, const std::string& message) { m_diags.error(pos(n), message); }

    // True when `n` is a map. Reports unknown keys (with a "did you mean" hint) and duplicates.
    bool check_map(const YAML::Node& n, std::string_view path, std::span<const std::string_view> known);
    bool is_map(const YAML::Node& n, std::string_view path);
    bool is_list(const YAML::Node& n, std::string_view path);

    // Each getter returns nullopt (and records an error) when `n` has the wrong type; an
    // undefined or null node also yields nullopt, without an error.
    std::optional<std::string> str(const YAML::Node& n, std::string_view path);
    std::optional<int> integer(const YAML::Node& n, std::string_view path, long long lo, long long hi);
    std::optional<bool> boolean(const YAML::Node& n, std::string_view path);
    std::optional<std::vector<std::string>> str_list(const YAML::Node& n, std::string_view path);
    // A map of scalars, or a list of {name, value} (Opta's env_vars list form).
    std::optional<KeyValues> key_values(const YAML::Node& n, std::string_view path);

private:
    std::string m_file;
    Diagnostics& m_diags;
};

// "a map", "a list", "a string" … for messages.
std::string_view describe(const YAML::Node& n);
std::string join_path(std::string_view parent, std::string_view key);

} // namespace kms::spec
