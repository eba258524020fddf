#pragma once

#include <http/http.hpp>
#include <oidc/token_source.hpp>
#include <util/env.hpp>
#include <util/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The request history of `call` ($XDG_STATE_HOME/kubectl-microservice/history.jsonl, one JSON
// object per line). Credentials are never stored: no Authorization, Cookie or API-key headers,
// no credential-like query values; bodies only when asked (--save-body).
namespace kms::oidc {

struct HistoryEntry
{
    std::string time; // UTC, RFC 3339
    std::string method;
    std::string url;       // credential-like query values replaced by REDACTED
    http::Headers headers; // as sent, without credentials
    std::size_t request_size = 0;
    std::optional<std::string> request_body;
    int status = 0;    // 0: no HTTP answer
    std::string error; // why there was none
    std::int64_t duration_ms = 0;
    std::size_t response_size = 0;
    std::string content_type;
    std::optional<std::string> response_body;
    std::optional<TokenRequest> auth; // how the token was obtained, for --replay
    bool internal = false;            // sent through the API server's service proxy (--internal)

    Json to_json() const;
    static std::optional<HistoryEntry> from_json(const Json& j);
};

// Headers safe to keep: everything but Authorization, Proxy-Authorization, Cookie and X-Api-Key.
http::Headers storable_headers(const http::Headers& headers);

// The URL with the values of access_token, id_token, refresh_token, token, code, client_secret,
// password, api_key and apikey query parameters replaced by REDACTED.
std::string storable_url(const std::string& url);

Json token_request_to_json(const TokenRequest& req);
std::optional<TokenRequest> token_request_from_json(const Json& j);

class HistoryStore
{
public:
    virtual ~HistoryStore() = default;
    virtual void append(const HistoryEntry& entry) = 0;
    // Oldest first; damaged lines are skipped.
    virtual std::vector<HistoryEntry> load() = 0;
};

// The JSON-lines file (0600 in a 0700 directory). Appends are serialized with a lock; when the
// file passes 8 MiB it is rewritten with the newest entries that fit in 4 MiB.
class FileHistory : public HistoryStore
{
public:
    explicit FileHistory(std::string path);
    void append(const HistoryEntry& entry) override;
    std::vector<HistoryEntry> load() override;

private:
    std::string m_path;
};

// $XDG_STATE_HOME/kubectl-microservice/history.jsonl, else ~/.local/state/….
std::string default_history_path(const util::Environment& env);

// `call --history`: "N  TIME  METHOD URL  STATUS  SIZE  DURATION" per entry, N from 1 (oldest).
std::string format_history(const std::vector<HistoryEntry>& entries);

} // namespace kms::oidc
