#include <spec/scaffold.hpp>
#include <util/templates.hpp>

#include <map>

namespace kms::spec {

namespace {

// Replaces every "{{key}}" of `text`; a key without a value is left as it is, which the
// scaffold tests catch.
std::string fill(std::string_view text, const std::map<std::string, std::string>& values)
{
    std::string out(text);
    for (const auto& [key, value] : values) {
        std::string mark = "{{" + key + "}}";
        for (auto at = out.find(mark); at != std::string::npos; at = out.find(mark, at + value.size())) {
            out.replace(at, mark.size(), value);
        }
    }
    return out;
}

// A template without its final newline, for splicing into service.yaml.
std::string block(std::string_view path, const std::map<std::string, std::string>& values)
{
    std::string text = fill(templates::get(path), values);
    while (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    return text;
}

} // namespace

std::optional<ScaffoldKind> parse_scaffold_kind(std::string_view text)
{
    if (text == "shell") {
        return ScaffoldKind::shell;
    }
    if (text == "pipeline") {
        return ScaffoldKind::pipeline;
    }
    if (text == "command") {
        return ScaffoldKind::command;
    }
    return std::nullopt;
}

std::vector<ScaffoldFile> scaffold(const ScaffoldInput& in)
{
    std::map<std::string, std::string> values{{"name", in.name}};
    if (in.git) {
        values["repo"] = in.git->repo;
        values["branch"] = in.git->branch;
        values["commit"] = in.git->commit;
    }
    const char* run = in.kind == ScaffoldKind::shell      ? "init/run-shell.yaml"
                      : in.kind == ScaffoldKind::pipeline ? "init/run-pipeline.yaml"
                                                          : "init/run-command.yaml";
    values["git"] = block(in.git ? "init/git-checkout.yaml" : "init/git-none.yaml", values);
    values["run"] = block(run, values);
    std::vector<ScaffoldFile> files;
    files.push_back({"service.yaml", fill(templates::get("init/service.yaml"), values), 0644});
    if (in.kind == ScaffoldKind::shell) {
        files.push_back({"start.sh", fill(templates::get("init/start.sh"), values), 0755});
    } else if (in.kind == ScaffoldKind::pipeline) {
        files.push_back({"pipeline.yaml", fill(templates::get("init/pipeline.yaml"), values), 0644});
    }
    return files;
}

} // namespace kms::spec
