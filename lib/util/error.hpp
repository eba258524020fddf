#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace kms {

// Exit codes shared by every verb (documented in the man page and README).
enum class ExitCode : int
{
    ok = 0,
    failure = 1,    // runtime failure: cluster, network, rollout …
    usage = 2,      // bad flags or an invalid service file; nothing was done
};

// Where a value came from: a file position (1-based) or a command-line flag.
struct SourcePos
{
    std::string file; // file name as the user gave it, "<stdin>", or "" when unknown
    int line = 0;
    int column = 0;
    std::string flag; // "--max-replicas" when the value came from a flag

    // "file:line:col", "flag --x", "file" or "" — the prefix of a diagnostic.
    std::string str() const;
};

// The one error type shown to users. The message is a single line, already precise.
class Error : public std::runtime_error
{
public:
    explicit Error(const std::string& message, ExitCode code = ExitCode::failure)
        : std::runtime_error(message), m_code(code)
    {
    }
    ExitCode code() const { return m_code; }

private:
    ExitCode m_code;
};

// An error about user input at `pos`: "file:line:col: message", exit code 2.
Error input_error(const SourcePos& pos, const std::string& message);

// Collects input errors so one run reports all of them, each on its own line.
class Diagnostics
{
public:
    void error(const SourcePos& pos, const std::string& message);
    void warning(const SourcePos& pos, const std::string& message);
    bool has_errors() const { return !m_errors.empty(); }
    const std::vector<std::string>& errors() const { return m_errors; }
    const std::vector<std::string>& warnings() const { return m_warnings; }
    // Throws one Error (exit code 2) whose message holds every error line, if there are any.
    void throw_if_errors() const;

private:
    std::vector<std::string> m_errors;
    std::vector<std::string> m_warnings;
};

} // namespace kms
