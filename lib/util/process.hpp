#pragma once

#include <string>
#include <utility>
#include <vector>

namespace kms::util {

struct ProcessSpec
{
    std::string command; // a path (contains '/') or a name looked up in PATH
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env; // set on top of the parent's environment
    bool inherit_stdin = false;                           // else stdin is /dev/null
};

struct ProcessResult
{
    int exit_code = 0;      // 128+N when killed by signal N
    std::string out;        // standard output; standard error passes through to ours
    bool not_found = false; // the command could not be found or executed
};

// Running other programs (credential plugins), behind a seam so tests can script the answers.
class ProcessRunner
{
  public:
    virtual ~ProcessRunner() = default;
    virtual ProcessResult run(const ProcessSpec& spec) = 0;
};

ProcessRunner& real_process_runner();

} // namespace kms::util
