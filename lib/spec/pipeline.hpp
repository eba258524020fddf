#pragma once

#include <spec/service.hpp>
#include <spec/yaml_reader.hpp>
#include <util/fs.hpp>

#include <optional>
#include <string>
#include <string_view>

// Shakudo multi-step pipeline files: `pipeline: {name, working_dir, requirements, tasks: […]}`.
namespace kms::spec {

// The normalised task type ("bash", "python", "js", "notebook") of any spelling Shakudo accepts
// ("bash script", "py", "vscode notebook", "Jupyter Notebook", …); nullopt when unknown.
std::optional<std::string> normalise_task_type(std::string_view type);

// Reads a pipeline document (the map whose `pipeline` key holds the pipeline) and checks it:
// unique task names, existing and acyclic dependencies, relative paths. Unknown keys are warnings
// unless they look like a typo of a known key. Problems go to the reader's Diagnostics.
Pipeline parse_pipeline(const YAML::Node& doc, YamlReader& r);

// Reads the pipeline file `path` through `fs`; `shown` is the name used in messages and
// Pipeline::source. A missing file is an error at `ref` (where run.pipeline was given).
std::optional<Pipeline> load_pipeline(const util::Filesystem& fs, const std::string& path, const std::string& shown,
                                      const SourcePos& ref, Diagnostics& diags);

// The service a pipeline file describes on its own: it runs that pipeline, and its name is the
// pipeline's name made a DNS-1123 label. The image must come from --image or --environment.
Service service_from_pipeline(const YAML::Node& doc, YamlReader& r);

} // namespace kms::spec
