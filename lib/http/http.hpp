#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The one HTTP seam. The kube client, the token client and `call` all speak through
// http::Client; production uses the libcurl module (loaded on first use, see make_client),
// tests use fakes or the real module against loopback servers.
namespace kms::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct TlsConfig
{
    bool verify = true;          // false only by an explicit flag or kubeconfig field
    std::string ca_file;         // PEM bundle path
    std::string ca_pem;          // or PEM data
    std::string client_cert_file;
    std::string client_cert_pem;
    std::string client_key_file;
    std::string client_key_pem;  // never logged
    std::string server_name;     // SNI / verification name override (kubeconfig tls-server-name)
};

struct ClientOptions
{
    TlsConfig tls;
    std::string proxy;           // "" = libcurl's environment defaults
    std::string user_agent;
    int verbosity = 0;           // ≥6 logs requests to stderr, ≥8 bodies; secrets redacted
    std::chrono::milliseconds connect_timeout{10000};
};

struct Request
{
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;
    std::chrono::milliseconds timeout{0}; // whole request; 0 = none
    // When set, a 2xx body is streamed to this callback instead of Response::body; return false
    // to stop reading (watch streams, logs -f). An error status's body still lands in
    // Response::body, so it can be reported.
    std::function<bool(std::string_view)> on_data;
    // Headers and body fields whose values must never be logged (Authorization is always hidden).
    bool body_is_secret = false;
};

struct Response
{
    int status = 0;
    Headers headers;
    std::string body;

    // The first header with this name (case-insensitive).
    std::optional<std::string> header(std::string_view name) const;
};

class Client
{
public:
    virtual ~Client() = default;
    // Sends one request. Transport failures (DNS, refused, TLS, timeout) throw kms::Error with a
    // one-line message naming the URL's host; HTTP error statuses are returned, not thrown.
    virtual Response send(const Request& req) = 0;
};

// A libcurl-backed client from the kms-curl module, loaded on first use.
std::unique_ptr<Client> make_client(const ClientOptions& options);

} // namespace kms::http
