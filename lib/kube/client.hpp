#pragma once

#include <chrono>
#include <functional>
#include <http/http.hpp>
#include <kube/credentials.hpp>
#include <kube/kubeconfig.hpp>
#include <kube/status.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/json.hpp>
#include <util/process.hpp>
#include <vector>

namespace kms::kube {

using HttpFactory = std::function<std::unique_ptr<http::Client>(const http::ClientOptions&)>;

// The outside world the client uses; tests replace any of it.
struct ClientDeps
{
    HttpFactory http;                      // default: the libcurl module with retries
    util::ProcessRunner* runner = nullptr; // default: real processes (exec plugins)
    util::Clock* clock = nullptr;
    const util::Filesystem* fs = nullptr;
    bool stdin_tty = false;
    std::function<void(const std::string&)> warn; // default: "Warning: …" on stderr
    int verbosity = 0;
};

// One API request. `path` starts with "/" and may carry a query.
struct Call
{
    std::string method = "GET";
    std::string path;
    std::string body;
    std::string content_type;
    std::string accept = "application/json";
    bool secret_body = false;               // Secrets: never log the body
    bool no_timeout = false;                // watches and log streams
    std::chrono::milliseconds timeout{ 0 }; // this call's own client-side limit (instead of --request-timeout)
};

// "299 - \"text\"" Warning header values → their texts (code 299 only, as kubectl prints them).
std::vector<std::string> parse_warning_header(std::string_view value);

// The REST client: credentials, User-Agent, Accept, request timeout, Warning headers, 401
// refresh of exec/tokenFile credentials, retries (via the transport). Thread-safe.
class Client
{
  public:
    explicit Client(RestConfig rc, ClientDeps deps = {});

    const RestConfig& config() const { return m_rc; }

    // Sends `c`; HTTP errors are returned, transport failures throw kms::Error.
    http::Response send(const Call& c);
    // Sends `c` and returns the JSON answer; a non-2xx answer throws one clear line about `what`.
    Json request(const Call& c, const std::string& what);
    Json get(const std::string& path, const std::string& what);
    // nullopt on 404.
    std::optional<Json> get_optional(const std::string& path, const std::string& what);
    // Streams the answer line by line (watch, logs -f); `on_line` returns false to stop. Returns
    // the response (its body holds the error text for a non-2xx status).
    http::Response stream(const Call& c, const std::function<bool(std::string_view)>& on_line);

    // Throws the one-line error for a failed response.
    [[noreturn]] void fail(const http::Response& r, const std::string& what) const;

  private:
    RestConfig m_rc;
    ClientDeps m_deps;
    std::unique_ptr<Credentials> m_creds;
    std::mutex m_mutex;
    std::shared_ptr<http::Client> m_http;
    std::uint64_t m_http_generation = ~std::uint64_t{ 0 };
    std::set<std::string> m_warned;

    std::shared_ptr<http::Client> transport();
    http::Request build(const Call& c, std::uint64_t* generation = nullptr);
    void report_warnings(const http::Response& r);
    bool can_refresh() const;
};

std::string user_agent();

} // namespace kms::kube
