#pragma once

#include "git_flags.hpp"

#include <spec/load.hpp>
#include <util/json.hpp>

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace kms::cli {

// Flags every verb understands, named as kubectl names them.
struct GlobalOptions
{
    std::string kubeconfig;
    std::string context;
    std::string cluster;
    std::string user;
    std::string namespace_;
    std::string server;
    std::string token;
    std::string certificate_authority;
    bool insecure_skip_tls_verify = false;
    std::string request_timeout;
    int verbosity = 0;
};

// What the whole process shares: the global flags and the exit code the verb chose.
struct Context
{
    GlobalOptions global;
    int exit_code = 0;
};

void add_global_flags(CLI::App& app, GlobalOptions& g);

// -f and the service flags (--image, --port, …) shared by render, validate, apply, diff, clone.
struct ServiceInput
{
    std::vector<std::string> files;
    spec::Overrides overrides;
    GitFlags git;
};
void add_service_flags(CLI::App& sub, ServiceInput& in);
inline constexpr const char* k_service_flags_group = "Service flags (override the file)";
// The same without -f (clone starts from a record); `git_sources` false: only the git flags that
// reach a repository, not those that find service files in one.
void add_override_flags(CLI::App& sub, spec::Overrides& o, GitFlags& git, bool git_sources);
// --host, --path, --auth … (cli/expose_flags.cpp), part of the service flags.
void add_expose_flags(CLI::App& sub, spec::ExposeFlags& f);

// Loads the user config and every service the input names; warnings go to stderr.
struct LoadedInput
{
    spec::Config config;
    spec::Loaded loaded;
};
LoadedInput load_input(const ServiceInput& in, const GlobalOptions& g);

// -o of the service actions: `value` must be one of `allowed` ("" = the default is always fine);
// otherwise a usage error naming --output.
void check_output_format(const std::string& value, const std::vector<std::string>& allowed);
// A JSON value as -o json (indented) or -o yaml.
std::string structured_output(const Json& value, const std::string& format);

// Reads all of standard input (once per process).
const std::string& stdin_text();

} // namespace kms::cli
