#pragma once

#include <spec/service.hpp>
#include <spec/yaml_reader.hpp>

namespace kms::spec {

// Reads our own service-file format (DESIGN.md §3) from a YAML document. Problems are recorded in
// the reader's Diagnostics; the returned Service holds what could be read.
Service parse_service(const YAML::Node& doc, YamlReader& r);

// Pieces shared with the other formats (Opta, flags).
std::optional<Probe> parse_probe(const YAML::Node& n, std::string_view path, YamlReader& r);
std::optional<std::string> parse_quantity(const YAML::Node& n, std::string_view path, YamlReader& r);
std::optional<Protocol> parse_protocol(std::string_view text);
// The default name of a port: the protocol's name when it is the only port, else "<proto>-<port>".
std::string default_port_name(const Port& p, std::size_t port_count);

} // namespace kms::spec
