#pragma once

#include <chrono>
#include <http/http.hpp>
#include <memory>
#include <util/clock.hpp>

namespace kms::http {

struct RetryPolicy
{
    int max_retries = 5;
    std::chrono::milliseconds first_backoff{ 200 }; // doubles each time, up to max_backoff
    std::chrono::milliseconds max_backoff{ 4000 };
    std::chrono::milliseconds max_retry_after{ 30000 }; // a longer Retry-After is cut to this
};

// A client that retries what is worth retrying: 429 and 502/503/504 (and 500 when the server sent
// Retry-After), honouring an integer Retry-After (capped) and backing off exponentially otherwise,
// plus connections reset or closed before an answer. POST is retried only when the server says it
// did not process the request (429, 503). Streaming requests are never retried here: their reader
// decides how to resume.
std::unique_ptr<Client> with_retries(std::unique_ptr<Client> inner, RetryPolicy policy, util::Clock& clock);

// Whether a transport error message (kms::Error from Client::send) means the connection broke,
// so that repeating the request may succeed.
bool is_connection_reset(std::string_view message);

} // namespace kms::http
