// The libcurl transport, built as the kms-curl module (see CMakeLists.txt). Only header-inline
// parts of lib/ may be used here: the module does not link kms_core.
#include <http/http.hpp>
#include <util/error.hpp>

#include <curl/curl.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <strings.h>
#include <vector>

namespace kms::http {

namespace {

std::once_flag g_curl_init;

struct Transfer
{
    const Request* req = nullptr;
    Response* resp = nullptr;
    bool stopped = false; // on_data asked to stop: not an error
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
        t->resp->headers.clear(); // a new response (after 100 Continue or a redirect)
        // The status, early: on_body streams only a 2xx body (see Request::on_data).
        auto space = line.find(' ');
        if (space != std::string_view::npos && line.size() >= space + 4) {
            t->resp->status = std::atoi(std::string(line.substr(space + 1, 3)).c_str());
        }
        return size * count;
    }
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
            value.remove_prefix(1);
        }
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
            value.remove_suffix(1);
        }
        t->resp->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    std::string_view chunk(data, size * count);
    bool success = t->resp->status >= 200 && t->resp->status < 300;
    if (t->req->on_data && success) {
        if (!t->req->on_data(chunk)) {
            t->stopped = true;
            return 0;
        }
        return chunk.size();
    }
    t->resp->body.append(chunk);
    return chunk.size();
}

std::string host_of(const std::string& url)
{
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    auto end = url.find_first_of("/?#", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool is_secret_header(const std::string& name)
{
    return ::strcasecmp(name.c_str(), "authorization") == 0 || ::strcasecmp(name.c_str(), "proxy-authorization") == 0 ||
           ::strcasecmp(name.c_str(), "cookie") == 0 || ::strcasecmp(name.c_str(), "x-api-key") == 0;
}

class CurlClient : public Client
{
public:
    explicit CurlClient(ClientOptions options) : m_options(std::move(options))
    {
        std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    }

    ~CurlClient() override
    {
        for (CURL* h : m_idle) {
            curl_easy_cleanup(h);
        }
    }

    Response send(const Request& req) override
    {
        CURL* h = acquire();
        try {
            Response r = perform(h, req);
            release(h);
            return r;
        } catch (...) {
            curl_easy_cleanup(h);
            throw;
        }
    }

private:
    // Idle handles keep their connections open, so requests in a row reuse them.
    CURL* acquire()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_idle.empty()) {
                CURL* h = m_idle.back();
                m_idle.pop_back();
                return h;
            }
        }
        CURL* h = curl_easy_init();
        if (h == nullptr) {
            throw Error("cannot initialise libcurl");
        }
        return h;
    }

    void release(CURL* h)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_idle.push_back(h);
    }

    void set_tls(CURL* h)
    {
        const TlsConfig& tls = m_options.tls;
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
        if (!tls.ca_file.empty()) {
            curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file.c_str());
        }
        if (!tls.ca_pem.empty()) {
            curl_blob blob{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_COPY};
            curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
        }
        if (!tls.client_cert_file.empty()) {
            curl_easy_setopt(h, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
        }
        if (!tls.client_cert_pem.empty()) {
            curl_blob blob{const_cast<char*>(tls.client_cert_pem.data()), tls.client_cert_pem.size(), CURL_BLOB_COPY};
            curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &blob);
            curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
        }
        if (!tls.client_key_file.empty()) {
            curl_easy_setopt(h, CURLOPT_SSLKEY, tls.client_key_file.c_str());
        }
        if (!tls.client_key_pem.empty()) {
            curl_blob blob{const_cast<char*>(tls.client_key_pem.data()), tls.client_key_pem.size(), CURL_BLOB_COPY};
            curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &blob);
            curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
        }
    }

    // kubeconfig's tls-server-name: verify the certificate against that name while connecting to
    // the real address, by naming it in the URL and pinning the connection with CONNECT_TO.
    std::string apply_server_name(CURL* h, const std::string& url, curl_slist** connect_to)
    {
        const std::string& name = m_options.tls.server_name;
        if (name.empty()) {
            return url;
        }
        std::string host_port = host_of(url);
        std::string host = host_port;
        std::string port = url.starts_with("https") ? "443" : "80";
        if (auto colon = host_port.rfind(':'); colon != std::string::npos && host_port.back() != ']') {
            host = host_port.substr(0, colon);
            port = host_port.substr(colon + 1);
        }
        std::string rule = name + ":" + port + ":" + host + ":" + port;
        *connect_to = curl_slist_append(*connect_to, rule.c_str());
        curl_easy_setopt(h, CURLOPT_CONNECT_TO, *connect_to);
        auto start = url.find(host_port);
        return url.substr(0, start) + name + ":" + port + url.substr(start + host_port.size());
    }

    void log_request(const Request& req, const Response& r, double ms) const
    {
        if (m_options.verbosity < 6) {
            return;
        }
        std::cerr << "I " << req.method << ' ' << req.url << ' ' << r.status << " in " << static_cast<long>(ms)
                  << " ms\n";
        if (m_options.verbosity >= 7) {
            for (const auto& [k, v] : req.headers) {
                std::cerr << "I   " << k << ": " << (is_secret_header(k) ? "<redacted>" : v) << '\n';
            }
        }
        if (m_options.verbosity >= 8 && !req.on_data) {
            std::string body = req.body_is_secret ? "<redacted>" : r.body.substr(0, 2048);
            std::cerr << "I   response body: " << body << '\n';
        }
    }

    Response perform(CURL* h, const Request& req)
    {
        curl_easy_reset(h);
        Response resp;
        Transfer t{&req, &resp, false};
        curl_slist* headers = nullptr;
        curl_slist* connect_to = nullptr;
        std::string url = apply_server_name(h, req.url, &connect_to);
        curl_easy_setopt(h, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connect_timeout.count()));
        if (req.timeout.count() > 0) {
            curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
        }
        if (!m_options.user_agent.empty()) {
            curl_easy_setopt(h, CURLOPT_USERAGENT, m_options.user_agent.c_str());
        }
        if (!m_options.proxy.empty()) {
            curl_easy_setopt(h, CURLOPT_PROXY, m_options.proxy.c_str());
        }
        set_tls(h);
        for (const auto& [k, v] : req.headers) {
            headers = curl_slist_append(headers, (k + ": " + v).c_str());
        }
        headers = curl_slist_append(headers, "Expect:");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        if (req.method == "HEAD") {
            curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        } else if (req.method != "GET" || !req.body.empty()) {
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
        }
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
        char errbuf[CURL_ERROR_SIZE] = {};
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

        auto start = std::chrono::steady_clock::now();
        CURLcode rc = curl_easy_perform(h);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        curl_slist_free_all(headers);
        curl_slist_free_all(connect_to);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        resp.status = static_cast<int>(status);
        if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.stopped)) {
            std::string detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
            if (rc == CURLE_OPERATION_TIMEDOUT) {
                throw Error(fmt::format("{} {}: timed out after {} ms", req.method, host_of(req.url),
                                        static_cast<long>(ms)));
            }
            throw Error(fmt::format("cannot reach {}: {}", host_of(req.url), detail));
        }
        log_request(req, resp, ms);
        return resp;
    }

    ClientOptions m_options;
    std::mutex m_mutex;
    std::vector<CURL*> m_idle;
};

} // namespace

} // namespace kms::http

extern "C" __attribute__((visibility("default"))) kms::http::Client* kms_curl_make_client(
    const kms::http::ClientOptions* options)
{
    return new kms::http::CurlClient(*options);
}
