#include <algorithm>
#include <cctype>
#include <http/retry.hpp>
#include <util/error.hpp>

namespace kms::http {

namespace {

std::optional<std::chrono::milliseconds> retry_after(const Response& r)
{
    auto v = r.header("Retry-After");
    if (!v || v->empty() || v->size() > 6) {
        return std::nullopt;
    }
    for (char c : *v) {
        if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
            return std::nullopt; // an HTTP-date: client-go ignores it too
        }
    }
    return std::chrono::seconds(std::stoi(*v));
}

bool worth_retrying(const Request& req, const Response& r)
{
    bool hinted = retry_after(r).has_value();
    if (req.method == "POST") {
        return r.status == 429 || (r.status == 503 && hinted);
    }
    return r.status == 429 || r.status == 502 || r.status == 503 || r.status == 504 || (r.status == 500 && hinted);
}

class RetryingClient : public Client
{
  public:
    RetryingClient(std::unique_ptr<Client> inner, RetryPolicy policy, util::Clock& clock)
      : m_inner(std::move(inner))
      , m_policy(policy)
      , m_clock(clock)
    {
    }

    Response send(const Request& req) override
    {
        if (req.on_data) {
            return m_inner->send(req);
        }
        std::chrono::milliseconds backoff = m_policy.first_backoff;
        for (int attempt = 0;; ++attempt) {
            bool last = attempt >= m_policy.max_retries;
            std::chrono::milliseconds wait = backoff;
            try {
                Response r = m_inner->send(req);
                if (last || !worth_retrying(req, r)) {
                    return r;
                }
                if (auto after = retry_after(r)) {
                    wait = std::min(*after, m_policy.max_retry_after);
                }
            } catch (const Error& e) {
                if (last || req.method == "POST" || !is_connection_reset(e.what())) {
                    throw;
                }
            }
            m_clock.sleep_for(wait);
            backoff = std::min(backoff * 2, m_policy.max_backoff);
        }
    }

  private:
    std::unique_ptr<Client> m_inner;
    RetryPolicy m_policy;
    util::Clock& m_clock;
};

} // namespace

std::unique_ptr<Client> with_retries(std::unique_ptr<Client> inner, RetryPolicy policy, util::Clock& clock)
{
    return std::make_unique<RetryingClient>(std::move(inner), policy, clock);
}

bool is_connection_reset(std::string_view message)
{
    // libcurl's words for a connection that broke mid-request.
    for (std::string_view marker : { "reset by peer",
                                     "Empty reply from server",
                                     "Recv failure",
                                     "Send failure",
                                     "Connection died",
                                     "transfer closed" }) {
        if (message.find(marker) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

} // namespace kms::http
