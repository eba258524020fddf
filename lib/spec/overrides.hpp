#pragma once

#include <spec/expose.hpp>
#include <spec/service.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kms::spec {

// Service settings given as command-line flags; each one, when present, wins over the file.
struct Overrides
{
    std::optional<std::string> name;
    std::optional<std::string> namespace_;
    std::optional<std::string> image;
    std::optional<std::string> environment;
    std::optional<int> port;
    std::optional<int> min_replicas;
    std::optional<int> max_replicas;
    std::optional<std::string> cpu;
    std::optional<std::string> memory;
    std::optional<int> gpu;
    std::vector<std::string> env;     // K=V
    std::vector<std::string> params;  // K=V
    std::vector<std::string> secrets; // NAME or NAME:key1,key2
    std::optional<std::string> git_repo;
    std::optional<std::string> branch;
    std::optional<std::string> commit;
    std::optional<std::string> git_secret;
    std::optional<std::string> script;
    std::optional<std::string> pipeline;
    std::optional<std::string> working_dir;
    std::optional<std::string> health_path;
    std::optional<std::string> service_type;
    bool no_legacy_params = false;
    std::optional<std::string> opta_env; // the Opta environment whose variables fill {vars.X}
    ExposeFlags expose;

    bool any() const;
};

// Applies `o` on top of `s`, recording "flag --x" as the position of each field it sets.
void apply_overrides(Service& s, const Overrides& o, Diagnostics& diags);

} // namespace kms::spec
