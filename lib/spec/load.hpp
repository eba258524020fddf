#pragma once

#include <spec/config.hpp>
#include <spec/overrides.hpp>
#include <spec/service.hpp>
#include <util/fs.hpp>

#include <functional>
#include <string>
#include <vector>

namespace kms::spec {

struct LoadInput
{
    std::vector<std::string> files; // files or directories; "-" is standard input
    std::string stdin_text;         // what "-" reads (the caller reads stdin once)
    std::string cwd;                // for the default name when the service comes from flags or stdin
    Overrides overrides;
    // Fills or completes a service's `git:` from where it came from (a repository, `repo: .`, the
    // current checkout) before the default name is derived from it; `file` is the document's
    // path, "" for flags alone. Set by git::Sources; empty: `git:` stays as written.
    std::function<void(Service& s, const std::string& file)> complete_git;
};

struct Loaded
{
    std::vector<Service> services;
    std::vector<std::string> warnings; // one line each, for stderr
};

// Reads every service the input names (our format, Opta k8s-service modules, Shakudo pipeline
// files), applies flags, presets and defaults, and validates. Throws one kms::Error (exit code 2)
// listing every problem found, each as "file:line:col: message".
Loaded load_services(const LoadInput& in, const Config& config, const util::Filesystem& fs);

// The deterministic default name: the git repository's base name (without ".git"), else the name of
// the directory holding the service file (or the current directory), made a DNS-1123 label.
std::string default_service_name(const Service& s, const std::string& source_dir);

} // namespace kms::spec
