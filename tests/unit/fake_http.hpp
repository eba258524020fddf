#pragma once

#include <functional>
#include <http/http.hpp>
#include <memory>
#include <mutex>
#include <vector>

namespace kms::test {

// An http::Client whose answers come from a handler, recording every request. Share one
// FakeHttp between the client under test (via factory()) and the test's assertions.
class FakeHttp
{
  public:
    using Handler = std::function<http::Response(const http::Request&)>;

    Handler handler;
    std::vector<http::Request> requests;
    std::vector<http::ClientOptions> options; // one per transport the code built
    std::mutex mutex;

    std::function<std::unique_ptr<http::Client>(const http::ClientOptions&)> factory()
    {
        return [this](const http::ClientOptions& o) {
            std::lock_guard<std::mutex> lock(mutex);
            options.push_back(o);
            return std::unique_ptr<http::Client>(new Transport(*this));
        };
    }

    static http::Response answer(int status, std::string body, http::Headers headers = {})
    {
        http::Response r;
        r.status = status;
        r.body = std::move(body);
        r.headers = std::move(headers);
        return r;
    }

  private:
    class Transport : public http::Client
    {
      public:
        explicit Transport(FakeHttp& owner)
          : m_owner(owner)
        {
        }
        http::Response send(const http::Request& req) override
        {
            Handler h;
            {
                std::lock_guard<std::mutex> lock(m_owner.mutex);
                m_owner.requests.push_back(req);
                h = m_owner.handler;
            }
            http::Response r = h(req);
            if (req.on_data && r.status >= 200 && r.status < 300) {
                req.on_data(r.body); // streamed, like the real transport
                r.body.clear();
            }
            return r;
        }

      private:
        FakeHttp& m_owner;
    };
};

} // namespace kms::test
