#pragma once

#include <util/completion.hpp>
#include <util/env.hpp>
#include <util/fs.hpp>

namespace kms::cli {

// The values completion takes from the user's world: file kinds for -f, names from the kubeconfig
// (--context, --cluster, --user), service-file field paths (FIELD arguments), and from the
// cluster the kubeconfig names: namespaces (-n) and the services this tool deployed (NAME
// arguments). Completion must stay quick and quiet, so the
// cluster gets one short request without retries, and any failure just means fewer candidates.
class CliValueSource : public util::ValueSource
{
public:
    CliValueSource(const util::Environment& env, const util::Filesystem& fs) : m_env(env), m_fs(fs) {}

    std::optional<util::Completion> values(const util::ValueRequest& r) override;

private:
    const util::Environment& m_env;
    const util::Filesystem& m_fs;
};

} // namespace kms::cli
