#include <git/repin.hpp>
#include <spec/pipeline.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

namespace kms::git {

std::vector<std::string> move_to_commit(Git& git, spec::Service& s, const std::string& commit)
{
    std::vector<std::string> warnings;
    if (!s.git) {
        return warnings;
    }
    s.git->commit = commit;
    if (!s.run.pipeline || !s.run.pipeline_path) {
        return warnings;
    }
    const std::string& path = *s.run.pipeline_path;
    std::string shown = fmt::format("{}@{}:{}", s.git->repo, commit.substr(0, 12), path);
    auto text = git.read_file(s.git->repo, commit, path);
    if (!text) {
        warnings.push_back(fmt::format("warning: {} does not exist: the pipeline stays as recorded", shown));
        return warnings;
    }
    util::MemoryFs fs;
    fs.files[path] = *text;
    Diagnostics diags;
    auto pipeline = spec::load_pipeline(fs, path, shown, s.pos_of("run.pipeline"), diags);
    diags.throw_if_errors();
    for (const auto& w : diags.warnings()) {
        warnings.push_back(w);
    }
    s.run.pipeline = pipeline;
    return warnings;
}

} // namespace kms::git
