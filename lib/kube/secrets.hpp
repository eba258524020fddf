#pragma once

#include <kube/client.hpp>
#include <spec/service.hpp>
#include <string>
#include <vector>

namespace kms::kube {

// Services may list a Secret without its keys; the HYPERPLANE_CUSTOM_SECRET_KEY_* variables need
// them, so they are read from the cluster (the key names only: values are never kept or shown).
// A missing Secret is an error naming the service file position, raised before anything is written.
void resolve_secret_keys(std::vector<spec::Service>& services, Client& client, const std::string& default_ns);

// The sorted key names of a Secret object (data and stringData).
std::vector<std::string> secret_keys(const Json& secret);

} // namespace kms::kube
