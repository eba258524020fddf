#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// `init`: a commented service.yaml and what it runs, from templates/init/ in the binary.
namespace kms::spec {

enum class ScaffoldKind
{
    shell,    // run.script: start.sh (seed 000's script shape)
    pipeline, // run.pipeline: pipeline.yaml (a Shakudo multi-step pipeline)
    command,  // run.command: the image runs a command, no script
};

// "shell", "pipeline", "command"; nullopt otherwise.
std::optional<ScaffoldKind> parse_scaffold_kind(std::string_view text);

// The repository the service clones, as found in the local checkout.
struct ScaffoldGit
{
    std::string repo;
    std::string branch;
    std::string commit;
};

struct ScaffoldInput
{
    std::string name; // a DNS-1123 label
    ScaffoldKind kind = ScaffoldKind::shell;
    std::optional<ScaffoldGit> git;
};

struct ScaffoldFile
{
    std::string path; // relative to the target directory
    std::string content;
    int mode = 0644;
};

std::vector<ScaffoldFile> scaffold(const ScaffoldInput& in);

} // namespace kms::spec
