#include <kube/wait.hpp>
#include <util/duration.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

namespace kms::kube {

namespace {

constexpr int k_max_reconnects = 8;

std::string list_items_rv(const Json& list)
{
    return util::str_at(util::object_at(list, "metadata"), "resourceVersion");
}

std::string selector_of(const Json& deployment)
{
    std::vector<std::string> parts;
    const Json& sel = util::object_at(util::object_at(deployment, "spec"), "selector");
    for (const auto& [k, v] : util::object_at(sel, "matchLabels").items()) {
        if (v.is_string()) {
            parts.push_back(k + "%3D" + v.get<std::string>());
        }
    }
    return util::join(parts, "%2C");
}

class Waiter
{
  public:
    Waiter(Client& client, const std::string& ns, const std::string& name, const WaitOptions& o)
      : m_client(client)
      , m_ns(ns)
      , m_name(name)
      , m_o(o)
      , m_clock(o.clock ? *o.clock : util::real_clock())
      , m_deadline(m_clock.now() + o.timeout)
    {
    }

    void run()
    {
        relist();
        int reconnects = 0;
        while (true) {
            RolloutStatus s = rollout_status(m_current);
            say(s.message);
            if (s.done) {
                return;
            }
            if (s.failed) {
                auto d = examine();
                throw Error(s.message + (d ? ": " + *d : std::string()));
            }
            if (auto d = examine()) {
                throw Error(fmt::format("deployment \"{}\" cannot roll out: {}", m_name, *d));
            }
            if (m_o.timeout.count() > 0 && m_clock.now() >= m_deadline) {
                throw Error(fmt::format("timed out after {} waiting for deployment \"{}\": {}",
                                        util::format_duration(m_o.timeout),
                                        m_name,
                                        s.message));
            }
            try {
                watch();
                reconnects = 0;
            } catch (const Error& e) {
                // A dropped connection: resume from the last version seen, a few times.
                if (++reconnects > k_max_reconnects) {
                    throw;
                }
                m_clock.sleep_for(std::chrono::milliseconds(250 * reconnects));
            }
        }
    }

  private:
    Client& m_client;
    std::string m_ns;
    std::string m_name;
    const WaitOptions& m_o;
    util::Clock& m_clock;
    util::Clock::TimePoint m_deadline;
    Json m_current;
    std::string m_rv;
    std::string m_said;

    std::string collection() const { return "/apis/apps/v1/namespaces/" + m_ns + "/deployments"; }
    std::string what() const { return fmt::format("deployment \"{}\" in namespace {}", m_name, m_ns); }

    void say(const std::string& message)
    {
        if (message == m_said) {
            return;
        }
        m_said = message;
        if (m_o.progress) {
            m_o.progress(message);
        } else if (m_o.line) {
            m_o.line(message);
        }
    }

    void relist()
    {
        Json list = m_client.get(collection() + "?fieldSelector=metadata.name%3D" + m_name, "waiting for " + what());
        const Json& items = util::list_at(list, "items");
        if (items.empty()) {
            throw Error(what() + " not found");
        }
        m_current = items[0];
        m_rv = list_items_rv(list);
    }

    // One watch window; returns when it ends, or early when the rollout finished or failed.
    void watch()
    {
        Call c;
        c.path = fmt::format("{}?allowWatchBookmarks=true&fieldSelector=metadata.name%3D{}&resourceVersion={}&"
                             "timeoutSeconds={}&watch=true",
                             collection(),
                             m_name,
                             m_rv,
                             m_o.watch_window.count());
        c.no_timeout = true;
        c.timeout = std::chrono::seconds(m_o.watch_window.count() + 30); // a server that ignores timeoutSeconds
        bool expired = false;
        http::Response r = m_client.stream(c, [&](std::string_view line) {
            Json ev = Json::parse(line, nullptr, false);
            if (!ev.is_object()) {
                return true;
            }
            std::string type = util::str_at(ev, "type");
            const Json& obj = util::object_at(ev, "object");
            if (type == "ERROR") {
                ApiStatus s = parse_status(obj, 500);
                if (s.code == 410 || s.reason == "Expired" || s.reason == "Gone") {
                    expired = true;
                    return false;
                }
                throw Error(describe_failure(s, "watching " + what()));
            }
            if (auto rv = util::str_at(util::object_at(obj, "metadata"), "resourceVersion"); !rv.empty()) {
                m_rv = rv;
            }
            if (type == "DELETED") {
                throw Error(what() + " was deleted while waiting for its rollout");
            }
            if (type == "ADDED" || type == "MODIFIED") {
                m_current = obj;
                RolloutStatus s = rollout_status(m_current);
                say(s.message);
                return !s.done && !s.failed;
            }
            return true;
        });
        if (r.status == 410) {
            expired = true;
        } else if (r.status < 200 || r.status >= 300) {
            m_client.fail(r, "watching " + what());
        }
        if (expired) {
            relist(); // the version we had is gone from the server's window: start over from a list
        }
    }

    // Why the rollout cannot succeed, with log lines for crash loops; nullopt when it still may.
    std::optional<std::string> examine()
    {
        std::string sel = selector_of(m_current);
        std::string base = "/api/v1/namespaces/" + m_ns;
        Json rs = m_client.get("/apis/apps/v1/namespaces/" + m_ns + "/replicasets?labelSelector=" + sel,
                               "listing the replica sets of " + what());
        Json pods = m_client.get(base + "/pods?labelSelector=" + sel, "listing the pods of " + what());
        Json events =
          m_client.get(base + "/events?fieldSelector=involvedObject.kind%3DPod", "listing the events of " + what());
        auto d = diagnose(m_current,
                          util::list_at(rs, "items"),
                          util::list_at(pods, "items"),
                          util::list_at(events, "items"),
                          m_o.diagnose);
        if (!d) {
            return std::nullopt;
        }
        std::string text = d->summary;
        if (d->want_logs) {
            text += last_log_lines(*d);
        }
        return text;
    }

    std::string last_log_lines(const Diagnosis& d)
    {
        auto lines = previous_log_lines(m_client, m_ns, d.pod, d.container, m_o.log_lines);
        if (lines.empty()) {
            return "";
        }
        std::string out = "; its last log lines:";
        for (const auto& l : lines) {
            out += "\n  | " + l;
        }
        return out;
    }
};

} // namespace

std::vector<std::string> previous_log_lines(Client& client, const std::string& ns, const std::string& pod,
                                            const std::string& container, int lines)
{
    Call c;
    c.accept = "*/*";
    c.path = fmt::format(
      "/api/v1/namespaces/{}/pods/{}/log?container={}&previous=true&tailLines={}", ns, pod, container, lines);
    http::Response r = client.send(c);
    if (r.status != 200 || util::trim(r.body).empty()) {
        return {};
    }
    return util::split(std::string(util::trim(r.body)), '\n');
}

void wait_for_rollout(Client& client, const std::string& ns, const std::string& name, const WaitOptions& options)
{
    Waiter(client, ns, name, options).run();
}

} // namespace kms::kube
