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

// The flags of the verbs that apply a rebuilt service: the wait flags, --force-conflicts and, with
// `dry_run`, --dry-run=server (scale, expose, clone; restart may restart pods instead of applying).
struct ReapplyFlags
{
    WaitFlags waits;
    bool force_conflicts = false;
    std::string dry_run = "none";
};
void add_reapply_flags(CLI::App& sub, ReapplyFlags& f, const std::string& wait_help, bool dry_run);

struct Reapply
{
    Waiting wait;
    bool force_conflicts = false;
    bool server_dry_run = false;
    bool follow = false;        // the record's: whether restart follows the branch
    bool take_replicas = false; // see kube::ApplyOptions
};
// The checked flags (usage errors name the flag).
Reapply reapply_options(const ReapplyFlags& f);

// Applies `s` exactly as `apply` would (one line per object on stdout, the ApplySet pruned), then
// waits when asked (not after a server dry run).
void reapply(Cluster& cluster, const spec::Service& s, const spec::Config& config, const Reapply& how);

} // namespace kms::cli
