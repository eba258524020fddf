#pragma once

#include <kube/actions_target.hpp>
#include <kube/client.hpp>
#include <util/clock.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

// `logs`: the logs of every pod of a service, each line prefixed by its pod, and (with follow) the
// pods that appear later, as during a rollout.
namespace kms::actions {

struct LogOptions
{
    bool follow = false;
    std::optional<long> tail;          // lines per pod that exist when logs starts
    std::optional<long> since_seconds;
    std::string container;             // "" = the service's own container
    bool timestamps = false;
    bool prefix = true;
    std::chrono::milliseconds poll{1000}; // how often follow looks for new pods
};

// Where lines go; called from several threads, one line at a time (serialized by the caller).
struct LogSink
{
    std::function<void(const std::string&)> line; // a log line, prefixed
    std::function<void(const std::string&)> note; // about a pod that has no log (yet): stderr
};

// The container `logs` reads in `pod`: `wanted` if given (an error lists the valid names), else
// the default-container annotation, else the container named like the service, else the first.
std::string pick_container(const Json& pod, const std::string& service, const std::string& wanted);

// "[pod/web-5d9f-abcde/web] "
std::string log_prefix(const std::string& pod, const std::string& container);

// The log path with its query for one pod.
std::string log_path(const std::string& ns, const std::string& pod, const std::string& container,
                     const LogOptions& o, bool first_seen);

// Whether the container has started (has a log to read).
bool container_started(const Json& pod, const std::string& container);

// Prints the logs; with follow, runs until the service is gone.
void show_logs(kube::Client& c, const Target& t, const LogOptions& o, const LogSink& sink, util::Clock& clock);

} // namespace kms::actions
