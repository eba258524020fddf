#pragma once

#include "git_flags.hpp"

#include <kube/kubeconfig.hpp>
#include <spec/load.hpp>
#include <util/json.hpp>

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace kms::cli {

// Flags every verb understands, named as kubectl names them.
struct GlobalOptions
{
    kube::ConfigOverrides kube; // --kubeconfig, --context, -n, --server, …
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

// A verb whose flags fill one Options struct and whose `run(options, global flags)` returns the exit
// code: its subcommand and the options to declare its flags on (both live as long as `app`).
template <typename Options>
struct Verb
{
    CLI::App* sub;
    Options* opt;
};

template <typename Options>
Verb<Options> add_verb(CLI::App& app, Context& ctx, const std::string& name, const std::string& description,
                       int (*run)(const Options&, const GlobalOptions&))
{
    auto opt = std::make_shared<Options>();
    auto* sub = app.add_subcommand(name, description);
    sub->callback([opt, run, &ctx] { ctx.exit_code = run(*opt, ctx.global); });
    return {sub, opt.get()};
}

// The required NAME positional of a verb that acts on one deployed service (completion offers the
// services deployed in the namespace for every positional named NAME).
void add_service_name(CLI::App& sub, std::string& name, const std::string& help = "The service");

// `VERB NAME [flags]`: a verb on the deployed service Options::name.
template <typename Options>
Verb<Options> add_service_verb(CLI::App& app, Context& ctx, const std::string& name, const std::string& description,
                               int (*run)(const Options&, const GlobalOptions&))
{
    auto verb = add_verb(app, ctx, name, description, run);
    add_service_name(*verb.sub, verb.opt->name);
    return verb;
}

// -o,--output taking one of `formats`, listed as "a|b|c" in --help, completion and the man pages;
// the verb checks the value with check_output_format(value, formats) when it runs.
CLI::Option* add_output_flag(CLI::App& sub, std::string& value, const std::vector<std::string>& formats,
                             const std::string& help);
// -o of the service actions: `value` must be one of `allowed` ("" = the default is always fine);
// otherwise a usage error naming --output.
void check_output_format(const std::string& value, const std::vector<std::string>& allowed);
// A JSON value as -o json (indented) or -o yaml.
std::string structured_output(const Json& value, const std::string& format);

// Reads all of standard input (once per process).
const std::string& stdin_text();

} // namespace kms::cli
