#include <kube/actions_logs.hpp>
#include <kube/object.hpp>
#include <kube/status.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

namespace kms::actions {

namespace {

std::vector<std::string> container_names(const Json& pod, const char* field)
{
    std::vector<std::string> names;
    for (const auto& c : util::list_at(util::object_at(pod, "spec"), field)) {
        names.push_back(util::str_at(c, "name"));
    }
    return names;
}

Json container_status(const Json& pod, const std::string& container)
{
    const Json& status = util::object_at(pod, "status");
    for (const char* field : {"containerStatuses", "initContainerStatuses"}) {
        for (const auto& s : util::list_at(status, field)) {
            if (util::str_at(s, "name") == container) {
                return s;
            }
        }
    }
    return Json::object();
}

// Identifies one run of one container: a restarted container has a new log.
std::string run_key(const Json& pod, const std::string& container)
{
    return fmt::format("{}/{}/{}", util::str_at(kube::meta_of(pod), "uid"), container,
                       util::int_at(container_status(pod, container), "restartCount"));
}

// Why a container has no log yet: its waiting reason, else "not started".
std::string waiting_reason(const Json& pod, const std::string& container)
{
    const Json st = container_status(pod, container);
    const Json& state = util::object_at(st, "state");
    if (state.contains("waiting")) {
        return util::str_at(util::object_at(state, "waiting"), "reason", "waiting");
    }
    return "not started yet";
}

// Serializes the sink: lines from several pods never interleave within a line.
class LockedSink
{
public:
    explicit LockedSink(const LogSink& sink) : m_sink(sink) {}
    void line(const std::string& text)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_sink.line(text);
    }
    void note(const std::string& text)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_sink.note(text);
    }

private:
    const LogSink& m_sink;
    std::mutex m_mutex;
};

// Reads one container's log; follow keeps reading until the container or the stream ends.
void read_log(kube::Client& c, const Target& t, const Json& pod, const std::string& container, const LogOptions& o,
              bool first_seen, LockedSink& sink)
{
    std::string prefix = o.prefix ? log_prefix(kube::name_of(pod), container) : std::string();
    kube::Call call;
    call.path = log_path(t.namespace_, kube::name_of(pod), container, o, first_seen);
    call.accept = "*/*";
    call.no_timeout = o.follow;
    http::Response r = c.stream(call, [&](std::string_view line) {
        sink.line(prefix + std::string(line));
        return true;
    });
    if (r.status == 400 || r.status == 404) {
        // The kubelet's "waiting to start" and a pod deleted meanwhile are facts, not failures.
        sink.note(fmt::format("pod/{}: {}", kube::name_of(pod), kube::parse_status(r).message));
    } else if (r.status < 200 || r.status >= 300) {
        c.fail(r, fmt::format("logs of pod {} in namespace {}", kube::name_of(pod), t.namespace_));
    }
}

void show_once(kube::Client& c, const Target& t, const LogOptions& o, LockedSink& sink)
{
    auto pods = service_pods(c, t);
    if (pods.empty()) {
        sink.note(fmt::format("service {} has no pods (it is off, or its pods are not created yet)", t.name));
    }
    for (const auto& pod : pods) {
        read_log(c, t, pod, pick_container(pod, t.name, o.container), o, true, sink);
    }
}

void follow(kube::Client& c, const Target& t, const LogOptions& o, LockedSink& sink, util::Clock& clock)
{
    std::set<std::string> started;
    std::set<std::string> noted;
    std::vector<std::thread> streams;
    bool first_round = true;
    auto join_all = [&] {
        for (auto& th : streams) {
            th.join();
        }
    };
    try {
        while (c.get_optional(deployment_path(t.namespace_, t.name), "service " + t.name)) {
            for (const auto& pod : service_pods(c, t)) {
                std::string container = pick_container(pod, t.name, o.container);
                std::string key = run_key(pod, container);
                if (started.count(key) != 0) {
                    continue;
                }
                if (!container_started(pod, container)) {
                    std::string note = fmt::format("pod/{}: container {} is {}", kube::name_of(pod), container,
                                                   waiting_reason(pod, container));
                    if (noted.insert(note).second) {
                        sink.note(note);
                    }
                    continue;
                }
                started.insert(key);
                streams.emplace_back([&c, &t, &o, &sink, pod, container, first_round] {
                    try {
                        read_log(c, t, pod, container, o, first_round, sink);
                    } catch (const std::exception& e) {
                        sink.note(e.what());
                    }
                });
            }
            first_round = false;
            clock.sleep_for(o.poll);
        }
    } catch (...) {
        join_all();
        throw;
    }
    sink.note(fmt::format("service {} is gone", t.name));
    join_all();
}

} // namespace

std::string pick_container(const Json& pod, const std::string& service, const std::string& wanted)
{
    auto names = container_names(pod, "containers");
    auto init = container_names(pod, "initContainers");
    if (!wanted.empty()) {
        if (std::find(names.begin(), names.end(), wanted) != names.end() ||
            std::find(init.begin(), init.end(), wanted) != init.end()) {
            return wanted;
        }
        std::string msg = fmt::format("container {} is not valid for pod {}: choose one of: [{}]", wanted,
                                      kube::name_of(pod), util::join(names, " "));
        if (!init.empty()) {
            msg += fmt::format(" or one of the init containers: [{}]", util::join(init, " "));
        }
        throw Error(msg, ExitCode::usage);
    }
    std::string dflt = kube::annotation_of(pod, "kubectl.kubernetes.io/default-container");
    for (const auto& candidate : {dflt, service}) {
        if (std::find(names.begin(), names.end(), candidate) != names.end()) {
            return candidate;
        }
    }
    if (names.empty()) {
        throw Error(fmt::format("pod {} has no containers", kube::name_of(pod)));
    }
    return names.front();
}

std::string log_prefix(const std::string& pod, const std::string& container)
{
    return fmt::format("[pod/{}/{}] ", pod, container);
}

std::string log_path(const std::string& ns, const std::string& pod, const std::string& container,
                     const LogOptions& o, bool first_seen)
{
    // The pod name comes from the server: escaped so that it can only name a pod.
    std::string path = fmt::format("/api/v1/namespaces/{}/pods/{}/log?container={}", ns, query_escape(pod),
                                   query_escape(container));
    if (o.follow) {
        path += "&follow=true";
    }
    // Pods that appear while following are new: all of their log is news.
    if (o.tail && first_seen) {
        path += fmt::format("&tailLines={}", *o.tail);
    }
    if (o.since_seconds) {
        path += fmt::format("&sinceSeconds={}", *o.since_seconds);
    }
    if (o.timestamps) {
        path += "&timestamps=true";
    }
    return path;
}

bool container_started(const Json& pod, const std::string& container)
{
    const Json st = container_status(pod, container);
    const Json& state = util::object_at(st, "state");
    return state.contains("running") || state.contains("terminated") ||
           util::object_at(st, "lastState").contains("terminated");
}

void show_logs(kube::Client& c, const Target& t, const LogOptions& o, const LogSink& sink, util::Clock& clock)
{
    LockedSink locked(sink);
    if (o.follow) {
        follow(c, t, o, locked, clock);
    } else {
        show_once(c, t, o, locked);
    }
}

} // namespace kms::actions
