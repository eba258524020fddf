#pragma once

#include <kube/actions_target.hpp>
#include <kube/client.hpp>
#include <optional>
#include <string>

// Where `clone` finds the description of the service it copies, and what it renames.
namespace kms::actions {

// A service's record when its Deployment is gone: the deployment controller copied the record
// onto every ReplicaSet, so one that outlived the Deployment (orphaned by `kubectl delete
// --cascade=orphan`, or still being deleted in the foreground) holds it. The newest revision wins.
// nullopt when none is left — after `cancel` the garbage collector takes them all.
std::optional<Target> leftover_record(kube::Client& c, const std::string& ns, const std::string& name);

// The source of a clone: the service `name` when it runs (it must be ours and carry a record),
// else its leftover record; a kms::Error with close matches and the reason when neither exists.
Target clone_source(kube::Client& c, const std::string& ns, const std::string& name);

// The copy's host: a recorded host of the form "<from>.rest" (the default <name>.services.<domain>,
// or one named after the service) becomes "<to>.rest", so the copy does not take over the
// original's route; any other host is kept (nullopt).
std::optional<std::string> renamed_host(const std::string& host, const std::string& from, const std::string& to);

} // namespace kms::actions
