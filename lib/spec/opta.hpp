#pragma once

#include <spec/service.hpp>
#include <spec/yaml_reader.hpp>

#include <optional>
#include <string>
#include <vector>

// Opta service files (run-x/opta layers): every `type: k8s-service` module becomes a Service.
namespace kms::spec {

struct OptaContext
{
    std::optional<std::string> env;    // --opta-env: whose `variables` fill {vars.X}
    std::optional<std::string> domain; // the user config's domain, for {parent.domain}
};

// True for an Opta layer file: a map with a `modules` key.
bool is_opta_file(const YAML::Node& doc);

// Reads the k8s-service modules of an Opta file, resolving {vars.X}, {parent.domain}, {env},
// {layer_name} and {module_name} first. Fields a plain cluster cannot honour (links to cloud
// databases, IAM policies, cron jobs …) become one warning each; other module types are skipped
// with a warning. Errors go to the reader's Diagnostics.
std::vector<Service> parse_opta(const YAML::Node& doc, YamlReader& r, const OptaContext& ctx);

} // namespace kms::spec
