#pragma once

#include "common.hpp"

#include <kube/client.hpp>
#include <kube/discovery.hpp>
#include <kube/kubeconfig.hpp>
#include <memory>
#include <string>

// The global kubectl-style flags turned into a connection (shared by every verb that talks to the
// API server).
namespace kms::cli {

struct Cluster
{
    std::unique_ptr<kube::Client> client;
    std::unique_ptr<kube::Discovery> discovery; // with the on-disk cache
};

// Resolves kubeconfig + flags (warnings to stderr) and builds the client. Contacts nothing yet.
Cluster connect(const GlobalOptions& g);

// The namespace for commands that must work offline: -n, else the kubeconfig context's namespace
// when a kubeconfig can be read, else "default".
std::string offline_namespace(const GlobalOptions& g);

} // namespace kms::cli
