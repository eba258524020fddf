#include <render/pipeline.hpp>
#include <util/strings.hpp>
#include <util/templates.hpp>

#include <fmt/format.h>

#include <map>

namespace kms::render {

namespace {

// A path under the start directory, safe for the shell whatever characters it holds.
std::string rooted(const std::string& path)
{
    return "\"$root\"/" + util::shell_quote(path);
}

// papermill needs an output notebook; without notebook_output_path it goes next to the input.
std::string default_output(const std::string& notebook)
{
    std::string stem = util::ends_with(notebook, ".ipynb") ? notebook.substr(0, notebook.size() - 6) : notebook;
    return stem + "_output.ipynb";
}

struct Command
{
    std::string program;
    std::vector<std::string> paths;
};

Command command_of(const spec::PipelineTask& t)
{
    if (t.type == "bash") {
        return {"bash", {t.path}};
    }
    if (t.type == "js") {
        return {"node", {t.path}};
    }
    if (t.type == "notebook") {
        return {"papermill", {t.path, t.notebook_output_path.value_or(default_output(t.path))}};
    }
    return {"python", {t.path}};
}

// One line of a comment: newlines and other control characters would end the comment early.
std::string comment_text(std::string_view s)
{
    std::string out;
    for (char c : s) {
        out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
    return out;
}

std::string quoted_array(const std::vector<std::string>& items)
{
    std::vector<std::string> quoted;
    for (const auto& i : items) {
        quoted.push_back(util::shell_quote(i));
    }
    return "(" + util::join(quoted, " ") + ")";
}

} // namespace

std::string pipeline_runner(const spec::Pipeline& p)
{
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < p.tasks.size(); ++i) {
        index.emplace(p.tasks[i].name, i);
    }
    std::vector<std::string> names;
    std::vector<std::string> descriptions;
    std::vector<std::string> deps;
    std::string cases;
    for (std::size_t i = 0; i < p.tasks.size(); ++i) {
        const auto& t = p.tasks[i];
        Command cmd = command_of(t);
        names.push_back(t.name);
        descriptions.push_back(cmd.program + " " + util::join(cmd.paths, " "));
        std::vector<std::string> d;
        if (!t.depends_on) {
            if (i > 0) {
                d.push_back(std::to_string(i - 1));
            }
        } else {
            for (const auto& name : *t.depends_on) {
                d.push_back(std::to_string(index.at(name)));
            }
        }
        deps.push_back(util::join(d, " "));
        std::string line = "exec " + cmd.program;
        for (const auto& path : cmd.paths) {
            line += " " + rooted(path);
        }
        auto dir = t.working_dir ? t.working_dir : p.working_dir;
        if (dir) {
            line = "cd " + rooted(*dir) + " && " + line;
        }
        cases += fmt::format("    {}) {} ;;\n", i, line);
    }
    std::string out;
    out += fmt::format("# Pipeline \"{}\", run by kubectl-microservice. Paths are relative to the directory\n",
                       comment_text(p.name));
    out += "# the container starts in: the repository root, or workingDir when set.\n";
    out += "names=" + quoted_array(names) + "\n";
    out += "descriptions=" + quoted_array(descriptions) + "\n";
    out += "deps=" + quoted_array(deps) + "\n";
    out += "requirements=" + util::shell_quote(p.requirements.value_or("")) + "\n";
    out += "run_task() {\n    case $1 in\n" + cases + "    esac\n}\n\n";
    out += templates::get("render/pipeline-runner.sh");
    return out;
}

} // namespace kms::render
