#include "kube_flags.hpp"

#include <iostream>
#include <unistd.h>
#include <util/env.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

namespace kms::cli {

Cluster connect(const GlobalOptions& g)
{
    kube::RestConfig rc = kube::resolve_rest_config(g.kube, util::real_env(), util::real_fs());
    for (const auto& w : rc.warnings) {
        std::cerr << w << '\n';
    }
    kube::ClientDeps deps;
    deps.verbosity = g.verbosity;
    deps.stdin_tty = ::isatty(STDIN_FILENO) == 1;
    Cluster c;
    c.client = std::make_unique<kube::Client>(std::move(rc), std::move(deps));
    c.discovery = std::make_unique<kube::Discovery>(*c.client, kube::default_discovery_cache(util::real_env()));
    return c;
}

std::string offline_namespace(const GlobalOptions& g)
{
    if (!g.kube.namespace_.empty()) {
        return g.kube.namespace_;
    }
    try {
        return kube::resolve_rest_config(g.kube, util::real_env(), util::real_fs()).namespace_;
    } catch (const Error&) {
        return "default"; // no usable kubeconfig: an offline plan still works
    }
}

} // namespace kms::cli
