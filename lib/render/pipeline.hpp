#pragma once

#include <spec/service.hpp>

#include <string>

namespace kms::render {

// The bash script the container runs (`bash -c <script>`) for a Shakudo pipeline: installs
// `requirements` with pip, then runs the tasks (bash <path>, python <path>, node <path>,
// papermill <notebook> <output>) in dependency order, parallel where depends_on allows, stopping
// at the first failure. Paths are relative to the directory the container starts in.
std::string pipeline_runner(const spec::Pipeline& p);

} // namespace kms::render
