#include <spec/pipeline.hpp>
#include <spec/validate.hpp>
#include <util/strings.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace kms::spec {

namespace {

struct TypeSpelling
{
    std::string_view spelling;
    std::string_view type;
};

// Every spelling Shakudo documents (jobs pages; "vscode notebook" from real pipeline files).
constexpr TypeSpelling k_type_spellings[] = {
    {"bash script", "bash"},     {"bash", "bash"},         {"python script", "python"},
    {"python", "python"},        {"py", "python"},         {"vs code notebook", "python"},
    {"vscode notebook", "python"}, {"js script", "js"},    {"javascript", "js"},
    {"js", "js"},                {"jupyter notebook", "notebook"}, {"jupyter", "notebook"},
    {"notebook", "notebook"},    {"ipynb", "notebook"},
};

struct TypeInfo
{
    std::string_view type;
    std::string_view path_key;
    std::string_view spelled; // for messages
};

constexpr TypeInfo k_types[] = {
    {"bash", "bash_script_path", "bash script"},
    {"python", "py_path", "python script / vscode notebook"},
    {"js", "js_path", "js script"},
    {"notebook", "notebook_path", "jupyter notebook"},
};

constexpr std::string_view k_top_keys[] = {"pipeline"};
constexpr std::string_view k_pipeline_keys[] = {"name", "working_dir", "requirements", "tasks"};
constexpr std::string_view k_task_keys[] = {"name",    "type",          "bash_script_path",     "py_path",
                                            "js_path", "notebook_path", "notebook_output_path", "depends_on",
                                            "working_dir"};

// Keys real pipeline files carry that Shakudo does not document, and why they are not used.
struct UnusedKey
{
    std::string_view key;
    std::string_view why;
};
constexpr UnusedKey k_unused_keys[] = {
    {"port", "not used; the service listens on its port from the service file or --port (default 8787)"},
};

const TypeInfo& type_info(std::string_view type)
{
    for (const auto& t : k_types) {
        if (t.type == type) {
            return t;
        }
    }
    return k_types[0];
}

// Like YamlReader::check_map, but an unknown key is only a warning (real pipeline files carry
// undocumented keys such as a task's `port`) unless it is close to a known key: then it is a typo.
bool check_keys(const YAML::Node& n, std::string_view path, std::span<const std::string_view> known, YamlReader& r)
{
    if (!r.is_map(n, path)) {
        return false;
    }
    std::set<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
        YAML::Node key = it->first; // a copy: it-> returns a temporary proxy
        std::string k = key.IsScalar() ? key.Scalar() : std::string();
        if (!seen.insert(k).second) {
            r.error(key, fmt::format("duplicate key '{}'", join_path(path, k)));
            continue;
        }
        bool ok = false;
        for (auto kn : known) {
            ok = ok || kn == k;
        }
        if (ok) {
            continue;
        }
        auto unused = std::find_if(std::begin(k_unused_keys), std::end(k_unused_keys),
                                   [&](const UnusedKey& u) { return u.key == k; });
        if (unused != std::end(k_unused_keys)) {
            r.diags().warning(r.pos(key), fmt::format("{}: {}", join_path(path, k), unused->why));
        } else if (auto hint = util::closest_match(k, known)) {
            r.error(key, fmt::format("unknown key '{}' (did you mean '{}'?)", join_path(path, k), *hint));
        } else {
            r.diags().warning(r.pos(key), fmt::format("{}: unknown key, ignored", join_path(path, k)));
        }
    }
    return true;
}

void check_relative(const std::optional<std::string>& p, const YAML::Node& n, const std::string& path, YamlReader& r)
{
    if (p && !is_relative_path(*p)) {
        r.error(n, fmt::format("{}: \"{}\" must be a relative path inside the repository (no leading '/', no '..')",
                               path, *p));
    }
}

// A required, non-empty string (a value of the wrong type was already reported by str()).
std::optional<std::string> required_str(const YAML::Node& parent, const std::string& key, const std::string& path,
                                        YamlReader& r)
{
    const YAML::Node& n = parent[key];
    auto v = r.str(n, join_path(path, key));
    if (v && !v->empty()) {
        return v;
    }
    if (v || !n.IsDefined() || n.IsNull()) {
        r.error(n.IsDefined() ? n : parent, fmt::format("{}: '{}' is required", path, key));
    }
    return std::nullopt;
}

// Lower case, blanks collapsed: "Jupyter  Notebook" → "jupyter notebook".
std::string type_words(std::string_view type)
{
    std::string words;
    for (char c : util::trim(type)) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!words.empty() && words.back() != ' ') {
                words += ' ';
            }
        } else {
            words += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return words;
}

std::optional<PipelineTask> parse_task(const YAML::Node& n, const std::string& path, YamlReader& r)
{
    if (!check_keys(n, path, k_task_keys, r)) {
        return std::nullopt;
    }
    PipelineTask t;
    t.pos = r.pos(n);
    t.name = required_str(n, "name", path, r).value_or("");
    auto type = required_str(n, "type", path, r);
    if (!type) {
        return std::nullopt;
    }
    auto normal = normalise_task_type(*type);
    if (!normal) {
        std::vector<std::string> spellings;
        for (const auto& s : k_type_spellings) {
            spellings.emplace_back(s.spelling);
        }
        auto hint = util::closest_match(type_words(*type), spellings);
        r.error(n["type"], fmt::format("{}.type: unknown task type \"{}\"{}; use bash script, python script, "
                                       "js script, jupyter notebook or vscode notebook",
                                       path, *type, hint ? fmt::format(" (did you mean \"{}\"?)", *hint) : ""));
        return std::nullopt;
    }
    t.type = *normal;
    const TypeInfo& info = type_info(t.type);
    for (const auto& other : k_types) {
        if (other.type != t.type && n[std::string(other.path_key)].IsDefined()) {
            r.error(n[std::string(other.path_key)],
                    fmt::format("{}.{}: belongs to {} tasks; a \"{}\" task runs its {}", path,
                                                   other.path_key, other.spelled, *type, info.path_key));
        }
    }
    auto task_path = required_str(n, std::string(info.path_key), path, r);
    check_relative(task_path, n[std::string(info.path_key)], join_path(path, info.path_key), r);
    t.path = task_path.value_or("");
    t.notebook_output_path = r.str(n["notebook_output_path"], path + ".notebook_output_path");
    if (t.notebook_output_path && t.type != "notebook") {
        r.diags().warning(r.pos(n["notebook_output_path"]),
                          fmt::format("{}.notebook_output_path: only jupyter notebook tasks write an output "
                                      "notebook; ignored",
                                      path));
        t.notebook_output_path.reset();
    }
    check_relative(t.notebook_output_path, n["notebook_output_path"], path + ".notebook_output_path", r);
    t.working_dir = r.str(n["working_dir"], path + ".working_dir");
    check_relative(t.working_dir, n["working_dir"], path + ".working_dir", r);
    if (n["depends_on"].IsDefined() && !n["depends_on"].IsNull()) {
        t.depends_on = r.str_list(n["depends_on"], path + ".depends_on");
    }
    return t;
}

// The tasks each task waits for: its depends_on, else the task before it.
std::vector<std::vector<std::size_t>> dependency_indices(const Pipeline& p, const std::vector<YAML::Node>& nodes,
                                                         YamlReader& r)
{
    std::map<std::string, std::size_t> index;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < p.tasks.size(); ++i) {
        index.emplace(p.tasks[i].name, i);
        names.push_back(p.tasks[i].name);
    }
    std::vector<std::vector<std::size_t>> deps(p.tasks.size());
    for (std::size_t i = 0; i < p.tasks.size(); ++i) {
        const auto& t = p.tasks[i];
        if (!t.depends_on) {
            if (i > 0) {
                deps[i].push_back(i - 1);
            }
            continue;
        }
        for (std::size_t j = 0; j < t.depends_on->size(); ++j) {
            const std::string& d = (*t.depends_on)[j];
            auto it = index.find(d);
            if (it != index.end()) {
                deps[i].push_back(it->second);
                continue;
            }
            auto hint = util::closest_match(d, names);
            r.error(nodes[i]["depends_on"][j],
                    fmt::format("pipeline.tasks[{}].depends_on: no task named \"{}\"{}", i, d,
                                hint ? fmt::format(" (did you mean \"{}\"?)", *hint) : std::string()));
        }
    }
    return deps;
}

// Depth-first search for a cycle; on finding one, `cycle` holds it as task indices (first == last).
bool find_cycle(std::size_t i, const std::vector<std::vector<std::size_t>>& deps, std::vector<int>& colour,
                std::vector<std::size_t>& stack, std::vector<std::size_t>& cycle)
{
    colour[i] = 1;
    stack.push_back(i);
    for (std::size_t d : deps[i]) {
        if (colour[d] == 1) {
            auto from = std::find(stack.begin(), stack.end(), d);
            cycle.assign(from, stack.end());
            cycle.push_back(d);
            return true;
        }
        if (colour[d] == 0 && find_cycle(d, deps, colour, stack, cycle)) {
            return true;
        }
    }
    stack.pop_back();
    colour[i] = 2;
    return false;
}

void check_dependencies(const Pipeline& p, const std::vector<YAML::Node>& nodes, YamlReader& r)
{
    auto deps = dependency_indices(p, nodes, r);
    std::vector<int> colour(p.tasks.size(), 0);
    for (std::size_t i = 0; i < p.tasks.size(); ++i) {
        std::vector<std::size_t> stack;
        std::vector<std::size_t> cycle;
        if (colour[i] != 0 || !find_cycle(i, deps, colour, stack, cycle)) {
            continue;
        }
        std::vector<std::string> names;
        bool implicit = false;
        for (std::size_t k = 0; k < cycle.size(); ++k) {
            names.push_back(fmt::format("\"{}\"", p.tasks[cycle[k]].name));
            implicit = implicit || (k + 1 < cycle.size() && !p.tasks[cycle[k]].depends_on);
        }
        const YAML::Node& first = nodes[cycle[0]];
        const YAML::Node& at = first["depends_on"].IsDefined() ? first["depends_on"] : first;
        r.error(at, fmt::format("pipeline.tasks[{}].depends_on: the tasks wait for each other in a cycle: {}{}",
                                cycle[0], util::join(names, " → "),
                                implicit ? " (a task without depends_on waits for the task before it)" : ""));
        return;
    }
}

} // namespace

std::optional<std::string> normalise_task_type(std::string_view type)
{
    std::string words = type_words(type);
    for (const auto& s : k_type_spellings) {
        if (s.spelling == words) {
            return std::string(s.type);
        }
    }
    return std::nullopt;
}

Pipeline parse_pipeline(const YAML::Node& doc, YamlReader& r)
{
    Pipeline p;
    p.source = r.file();
    if (!r.check_map(doc, "", k_top_keys)) {
        return p;
    }
    const YAML::Node& n = doc["pipeline"];
    if (!check_keys(n, "pipeline", k_pipeline_keys, r)) {
        return p;
    }
    p.name = r.str(n["name"], "pipeline.name").value_or("");
    p.working_dir = r.str(n["working_dir"], "pipeline.working_dir");
    check_relative(p.working_dir, n["working_dir"], "pipeline.working_dir", r);
    p.requirements = r.str(n["requirements"], "pipeline.requirements");
    check_relative(p.requirements, n["requirements"], "pipeline.requirements", r);
    const YAML::Node& tasks = n["tasks"];
    if (!tasks.IsDefined() || tasks.IsNull()) {
        r.error(n, "pipeline: 'tasks' is required (a list of at least one task)");
        return p;
    }
    if (!r.is_list(tasks, "pipeline.tasks")) {
        return p;
    }
    if (tasks.size() == 0) {
        r.error(tasks, "pipeline.tasks: at least one task is required");
        return p;
    }
    std::vector<YAML::Node> nodes;
    std::set<std::string> names;
    bool complete = true;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        std::string path = fmt::format("pipeline.tasks[{}]", i);
        auto t = parse_task(tasks[i], path, r);
        if (!t) {
            complete = false;
            continue;
        }
        if (!t->name.empty() && !names.insert(t->name).second) {
            r.error(tasks[i]["name"], fmt::format("{}.name: another task is already named \"{}\"", path, t->name));
        }
        p.tasks.push_back(std::move(*t));
        nodes.push_back(tasks[i]);
    }
    // Dependencies are only meaningful when every task could be read (indices must line up).
    if (complete) {
        check_dependencies(p, nodes, r);
    }
    return p;
}

std::optional<Pipeline> load_pipeline(const util::Filesystem& fs, const std::string& path, const std::string& shown,
                                      const SourcePos& ref, Diagnostics& diags)
{
    auto text = fs.read(path);
    if (!text) {
        diags.error(ref, fmt::format("run.pipeline: cannot read \"{}\": no such file", shown));
        return std::nullopt;
    }
    std::vector<YAML::Node> docs;
    for (auto& d : load_yaml_documents(*text, shown)) {
        if (!d.IsNull()) {
            docs.push_back(d);
        }
    }
    YamlReader r(shown, diags);
    if (docs.size() != 1 || !docs[0].IsMap() || !docs[0]["pipeline"].IsDefined()) {
        diags.error(docs.empty() ? SourcePos{shown, 0, 0, {}} : r.pos(docs[0]),
                    "expected one Shakudo pipeline document (a map with a 'pipeline' key)");
        return std::nullopt;
    }
    return parse_pipeline(docs[0], r);
}

Service service_from_pipeline(const YAML::Node& doc, YamlReader& r)
{
    Service s;
    Pipeline p = parse_pipeline(doc, r);
    const YAML::Node& n = doc["pipeline"];
    s.positions["run"] = r.pos(n);
    if (n.IsMap() && n["name"].IsDefined()) {
        s.positions["name"] = r.pos(n["name"]);
    }
    s.name = util::to_dns1123_label(p.name);
    s.run.pipeline = std::move(p);
    return s;
}

} // namespace kms::spec
