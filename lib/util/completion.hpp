#pragma once

#include <util/command_tree.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

// Shell completion computed by the program itself, in cobra's `__complete` protocol: kubectl
// (>= 1.26) runs `kubectl_complete-<plugin> ARGS... WORD` and reads one candidate per line, then
// a final `:<directive>` line. Our own bash, zsh and fish scripts speak the same protocol.
namespace kms::util {

// cobra's ShellCompDirective bits.
enum CompletionDirective : int
{
    directive_default = 0,          // no candidates: the shell completes file names
    directive_error = 1,
    directive_no_space = 2,         // do not add a space after the candidate
    directive_no_file_comp = 4,     // never fall back to file names
    directive_filter_file_ext = 8,  // candidates are file extensions to complete
    directive_filter_dirs = 16,     // complete directory names only
    directive_keep_order = 32,
};

struct Completion
{
    std::vector<std::string> candidates; // "value" or "value\tdescription"
    int directive = directive_default;
};

// A value to complete: of a flag (flag != nullptr) or of a positional argument (arg != nullptr).
struct ValueRequest
{
    std::vector<std::string> command_path; // {"render"}: the verbs typed so far
    const FlagInfo* flag = nullptr;
    const ArgInfo* arg = nullptr;
    std::string prefix; // what is typed of the value so far
    // Flags given earlier on the line, by key ("namespace" → "ml"); the last value wins.
    std::map<std::string, std::string> flags_seen;
};

// Dynamic values (contexts, namespaces, service names, files): the part that needs the world.
class ValueSource
{
public:
    virtual ~ValueSource() = default;
    // Candidates for a value, or nullopt when the source knows nothing about it. Candidates need
    // not match the prefix: the caller filters them.
    virtual std::optional<Completion> values(const ValueRequest& request) = 0;
};

// Completes the last of `words` (the words after the program name; the last one is the word
// being completed, "" for a new word) against the command tree.
Completion complete(const CommandInfo& root, const std::vector<std::string>& words, ValueSource& source);

// The protocol's text: candidates one per line (descriptions after a tab, when wanted), then
// ":<directive>".
std::string format_completion(const Completion& c, bool with_descriptions);

} // namespace kms::util
