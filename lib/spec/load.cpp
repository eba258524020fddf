#include <spec/expose.hpp>
#include <spec/load.hpp>
#include <spec/opta.hpp>
#include <spec/parse.hpp>
#include <spec/pipeline.hpp>
#include <spec/validate.hpp>
#include <spec/yaml_reader.hpp>
#include <util/strings.hpp>

#include <tuple>

namespace kms::spec {

namespace {

struct Document
{
    YAML::Node node;
    std::string file;
    std::string dir; // directory of the file, for the default name and relative paths
};

bool is_yaml_file(const std::string& name)
{
    return util::ends_with(name, ".yaml") || util::ends_with(name, ".yml");
}

void read_documents(const std::string& text, const std::string& file, const std::string& dir,
                    std::vector<Document>& out)
{
    for (auto& node : load_yaml_documents(text, file)) {
        if (!node.IsNull()) {
            out.push_back(Document{node, file, dir});
        }
    }
}

// An input that holds no document at all would otherwise render nothing and succeed.
void require_documents(const std::vector<Document>& docs, std::size_t before, const std::string& input)
{
    if (docs.size() == before) {
        throw Error(fmt::format("{}: no service in this input (it is empty or holds only comments)", input),
                    ExitCode::usage);
    }
}

std::vector<Document> read_inputs(const LoadInput& in, const util::Filesystem& fs)
{
    std::vector<Document> docs;
    for (const auto& f : in.files) {
        std::size_t before = docs.size();
        if (f == "-") {
            read_documents(in.stdin_text, "<stdin>", in.cwd, docs);
        } else if (fs.is_directory(f)) {
            std::string dir = f.ends_with('/') ? f.substr(0, f.size() - 1) : f;
            bool any = false;
            for (const auto& name : fs.list(dir)) {
                if (is_yaml_file(name) && name != "kustomization.yaml") {
                    std::string path = dir + "/" + name;
                    read_documents(fs.read(path).value_or(""), path, dir, docs);
                    any = true;
                }
            }
            if (!any) {
                throw Error(fmt::format("{}: no .yaml or .yml files in this directory", f), ExitCode::usage);
            }
        } else {
            auto text = fs.read(f);
            if (!text) {
                throw Error(fmt::format("{}: no such file or directory", f), ExitCode::usage);
            }
            std::string dir = util::dir_name(f);
            read_documents(*text, f, dir == "." ? in.cwd : dir, docs);
        }
        require_documents(docs, before, f == "-" ? std::string("<stdin>") : f);
    }
    return docs;
}

// One document's services, by its top-level keys: `modules` is an Opta layer, `pipeline` a
// Shakudo pipeline file, anything else our own format.
std::vector<Service> parse_document(const YAML::Node& node, YamlReader& r, const OptaContext& opta)
{
    if (is_opta_file(node)) {
        return parse_opta(node, r, opta);
    }
    if (node.IsMap() && node["pipeline"].IsDefined()) {
        return {service_from_pipeline(node, r)};
    }
    return {parse_service(node, r)};
}

// Reads run.pipeline (from the file's directory, as the repository root) into run.pipeline.
void read_pipeline(Service& s, const std::string& source_dir, const std::string& cwd, const util::Filesystem& fs,
                   Diagnostics& diags)
{
    const std::string& path = *s.run.pipeline_path;
    if (!is_relative_path(path)) {
        diags.error(s.pos_of("run.pipeline"), fmt::format("run.pipeline: \"{}\" must be a relative path inside the "
                                                          "repository (no leading '/', no '..')",
                                                          path));
        return;
    }
    std::string shown = source_dir == cwd ? path : source_dir + "/" + path;
    s.run.pipeline = load_pipeline(fs, source_dir + "/" + path, shown, s.pos_of("run.pipeline"), diags);
}

std::string absolute_dir_name(const std::string& dir, const std::string& cwd)
{
    if (dir.empty() || dir == ".") {
        return util::base_name(cwd);
    }
    return util::base_name(dir);
}

} // namespace

std::string default_service_name(const Service& s, const std::string& source_dir)
{
    if (s.git && !s.git->repo.empty()) {
        std::string base = util::base_name(s.git->repo);
        if (util::ends_with(base, ".git")) {
            base.resize(base.size() - 4);
        }
        // scp-like "git@host:org/repo" has no '/' before the repo part on some forms.
        auto colon = base.rfind(':');
        if (colon != std::string::npos) {
            base = base.substr(colon + 1);
        }
        std::string name = util::to_dns1123_label(base);
        if (!name.empty()) {
            return name;
        }
    }
    return util::to_dns1123_label(util::base_name(source_dir));
}

Loaded load_services(const LoadInput& in, const Config& config, const util::Filesystem& fs)
{
    Loaded out;
    Diagnostics diags;
    // service, the name of its directory (for the default name), the directory's path
    std::vector<std::tuple<Service, std::string, std::string>> parsed;
    if (in.files.empty()) {
        // Flags alone describe the service.
        Service s;
        s.positions[""] = SourcePos{};
        parsed.emplace_back(std::move(s), in.cwd, in.cwd);
    }
    OptaContext opta{in.overrides.opta_env, config.domain};
    bool any_opta = false;
    for (const auto& doc : read_inputs(in, fs)) {
        YamlReader r(doc.file, diags);
        auto services = parse_document(doc.node, r, opta);
        if (!doc.node.IsMap()) {
            continue; // reported by parse_service; checking the empty result would only add noise
        }
        any_opta = any_opta || is_opta_file(doc.node);
        for (auto& s : services) {
            s.positions[""] = SourcePos{doc.file, 0, 0, {}};
            parsed.emplace_back(std::move(s), absolute_dir_name(doc.dir, in.cwd), doc.dir);
        }
    }
    if (in.overrides.opta_env && !any_opta) {
        diags.error(SourcePos{{}, 0, 0, "--opta-env"}, "none of the inputs is an Opta file (a file with 'modules')");
    }
    if (parsed.size() > 1 && in.overrides.name) {
        diags.error(SourcePos{{}, 0, 0, "--name"}, fmt::format("cannot name {} services at once", parsed.size()));
    }
    for (auto& [s, dir, source_dir] : parsed) {
        apply_overrides(s, in.overrides, diags);
        if (in.complete_git) {
            in.complete_git(s, s.positions[""].file);
        }
        if (s.run.pipeline_path && !s.run.pipeline) {
            read_pipeline(s, source_dir, in.cwd, fs, diags);
        }
        if (s.environment) {
            auto it = config.environments.find(*s.environment);
            if (it == config.environments.end()) {
                std::vector<std::string> names;
                for (const auto& [n, _] : config.environments) {
                    names.push_back(n);
                }
                auto hint = util::closest_match(*s.environment, names);
                diags.error(s.pos_of("environment"),
                            fmt::format("environment: no preset \"{}\" in {}{}", *s.environment,
                                        config.path.empty() ? std::string("the user config (there is no config file)")
                                                            : config.path,
                                        hint ? fmt::format(" (did you mean \"{}\"?)", *hint) : std::string()));
                continue; // checking the service without its preset would only report what it lacks
            }
            apply_preset(s, it->second);
        }
        if (s.ports.empty()) {
            s.ports.push_back(Port{"http", 8787, Protocol::http, {}, {}});
        }
        if (s.name.empty()) {
            s.name = default_service_name(s, dir);
            if (s.name.empty()) {
                diags.error(s.pos_of(""), "name: cannot derive a name; set 'name' or --name");
                continue;
            }
        }
        resolve_expose(s, config, diags);
        validate(s, diags);
        for (const auto& note : s.notes) {
            out.warnings.push_back(note);
        }
        out.services.push_back(std::move(s));
    }
    diags.throw_if_errors();
    for (const auto& w : diags.warnings()) {
        out.warnings.push_back("warning: " + w);
    }
    std::map<std::string, const Service*> seen;
    for (const auto& s : out.services) {
        std::string key = s.namespace_.value_or("") + "/" + s.name;
        if (!seen.emplace(key, &s).second) {
            throw input_error(s.pos_of("name"), fmt::format("name: service \"{}\" is defined twice", s.name));
        }
    }
    return out;
}

} // namespace kms::spec
