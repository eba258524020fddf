#include <git/git.hpp>
#include <util/module.hpp>

namespace kms::git {

std::unique_ptr<Git> open(const Options& options)
{
    using Factory = Git* (*)(const Options*);
    auto factory = reinterpret_cast<Factory>(util::module_symbol("kms-git", "kms_git_open"));
    return std::unique_ptr<Git>(factory(&options));
}

} // namespace kms::git
