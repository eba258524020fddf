#pragma once

#include "kube_flags.hpp"
#include "wait_flags.hpp"

#include <kube/actions_record.hpp>
#include <kube/actions_target.hpp>
#include <spec/config.hpp>

#include <string>

// The verbs that change a running service by rebuilding it from its record (restart, scale,
// clone, expose): find it, load the record with changes on top, apply it as `apply` would.
namespace kms::cli {

// The user config (presets, Keycloak, domain), as render and apply read it.
spec::Config user_config();

struct Rebuilt
{
    actions::Target target;
    actions::Recorded recorded;
    spec::Config config;
};

// What to change of the recorded service.
struct Changes
{
    spec::Overrides overrides; // flags, as for render
    bool remove_expose = false;
    bool add_expose = false; // with its defaults, when the record has none
};

// Loads the record of `target` (found with Need::record) with `changes` on top.
actions::Recorded reload(const actions::Target& target, const spec::Config& config, const Changes& changes);

// Finds service `name` in the namespace of -n or the context (a kms::Error when unknown, not ours
// or without a record, naming `verb`) and loads its record with `changes`.
Rebuilt rebuild(Cluster& cluster, const std::string& name, const std::string& verb, const Changes& changes = {});

// Applies `s` exactly as `apply` would (one line per object on stdout, the ApplySet pruned), with
// the record's `follow` kept, then waits when asked.
// `take_replicas`: see kube::ApplyOptions.
void reapply(Cluster& cluster, const spec::Service& s, const spec::Config& config, bool follow, const Waiting& wait,
             bool take_replicas = false);

} // namespace kms::cli
