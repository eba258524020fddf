#pragma once

#include <spec/service.hpp>
#include <spec/yaml_reader.hpp>

#include <map>
#include <string>

// The field groups of an Opta k8s-service module (lib/spec/opta.cpp's helpers). Each reads its
// fields from the module map `m` into `s`, with Opta's defaults and rules (anchors-deploy.md §1).
namespace kms::spec {

// Set and not empty: `links: []`, `timeout:` or `pod_labels: {}` ask for nothing.
bool opta_given(const YAML::Node& n);
void opta_warn(YamlReader& r, const YAML::Node& n, const std::string& message);

// `port: {http: N}` (one port "main" on service port 80) or the `ports` list.
void opta_ports(const YAML::Node& m, Service& s, YamlReader& r);
// healthcheck_*, liveness_probe_*, readiness_probe_*, initial_*_delay and probe_port.
void opta_health(const YAML::Node& m, Service& s, YamlReader& r);
// sticky_session, sticky_session_max_age and consistent_hash.
void opta_session(const YAML::Node& m, Service& s, YamlReader& r);
// resource_request and resource_limits.
void opta_resources(const YAML::Node& m, Service& s, YamlReader& r);
// public_uri and keep_path_prefix.
void opta_expose(const YAML::Node& m, Service& s, YamlReader& r);
// secrets: keys of Opta's manual-secrets Secret.
void opta_secrets(const YAML::Node& m, Service& s, YamlReader& r);
// links: one warning each, naming the variables the service expects (`module_types` maps every
// module of the file to its type).
void opta_links(const YAML::Node& m, const std::map<std::string, std::string>& module_types, YamlReader& r);
void opta_tolerations(const YAML::Node& m, Service& s, YamlReader& r);

} // namespace kms::spec
