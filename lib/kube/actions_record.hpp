#pragma once

#include <spec/config.hpp>
#include <spec/load.hpp>
#include <spec/overrides.hpp>
#include <spec/service.hpp>
#include <util/json.hpp>

#include <optional>
#include <string>
#include <vector>

// What `apply` records on a service's objects so the service actions (restart, scale, clone,
// rollback, expose) can rebuild it later: the loaded service as a service file of our own format,
// fully resolved (presets, defaults, the pinned commit) and holding no secret values.
namespace kms::actions {

// On the Deployment's metadata. The deployment controller copies it to each ReplicaSet, so every
// revision keeps the description it was made from (rollback re-applies that one).
inline constexpr const char* k_source_annotation = "kubectl-microservice.dev/source";
// The record's format version, the first key of the record.
inline constexpr const char* k_record_version = "kubectl-microservice.dev/v1";

// The service as a document of our service-file format (DESIGN.md §3), resolved: the preset is
// folded in (no `environment:`) and git URLs lose any password. Secrets appear only by name.
Json describe_service(const spec::Service& s);

// Whether restart should move the service to its branch's new head: it has git and its commit
// was resolved from a branch (or the default branch) rather than given in the file or by a flag.
bool follows_branch(const spec::Service& s);

// The record: {"record": version, "follow": bool, "service": {...}, "keycloak": {url, realm},
// "pipeline": {...}} as compact JSON. `keycloak` is the server keycloak auth was resolved with, so
// the record loads the same without the user config.
std::string record_text(const spec::Service& s, bool follow);

// Adds the record of `s` to its Deployment among `objects` (the rendered manifests of `s`);
// `follow` defaults to follows_branch(s).
void record_on(std::vector<Json>& objects, const spec::Service& s, std::optional<bool> follow = std::nullopt);

// The record on a Deployment or ReplicaSet, nullopt when it has none.
std::optional<std::string> recorded_text(const Json& object);

// A recorded service to load again, with changes on top.
struct Reload
{
    std::string text;          // record_text() output
    std::string origin;        // "service web in namespace demo", for messages
    std::string namespace_;    // where the service runs (unless the overrides name another)
    spec::Overrides overrides; // flags, as for `render`
    bool remove_expose = false;
    bool add_expose = false; // an expose section with its defaults when the record has none
};

struct Recorded
{
    spec::Service service;
    bool follow = false; // as recorded
    std::vector<std::string> warnings;
};

// Parses the record and loads it like a service file: overrides, validation, defaults. Throws
// kms::Error when the record is unreadable (naming `origin`) or the result is invalid.
Recorded load_record(const Reload& r, const spec::Config& config);

// Git URLs without a password ("https://user:tok@host/x" → "https://user@host/x").
std::string without_password(const std::string& url);

} // namespace kms::actions
