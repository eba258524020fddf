#pragma once

// Helpers shared by the fuzz targets. Each target is also built without libFuzzer in the normal
// (gcc) build, where replay_main.cpp feeds it the kept regression inputs and seeds.
#include <http/http.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace kms::fuzz {

// The input, and a cursor that hands out its leading bytes as small choices.
class Input
{
  public:
    Input(const std::uint8_t* data, std::size_t size)
      : m_text(reinterpret_cast<const char*>(data), size)
    {
    }

    // One byte (0 once the input is used up).
    std::uint8_t byte()
    {
        return m_pos < m_text.size() ? static_cast<std::uint8_t>(m_text[m_pos++]) : 0;
    }
    // What the choices left.
    std::string rest() const { return m_text.substr(m_pos); }
    const std::string& all() const { return m_text; }

  private:
    std::string m_text;
    std::size_t m_pos = 0;
};

// An HTTP client answering from a function; streamed (on_data) bodies arrive in chunks of
// `chunk` bytes, so line splitting across chunk boundaries is exercised too.
class ScriptedHttp : public http::Client
{
  public:
    using Handler = std::function<http::Response(const http::Request&)>;

    explicit ScriptedHttp(Handler handler, std::size_t chunk = 0)
      : m_handler(std::move(handler))
      , m_chunk(chunk)
    {
    }

    http::Response send(const http::Request& req) override
    {
        http::Response r = m_handler(req);
        if (req.on_data && r.status >= 200 && r.status < 300) {
            std::string_view body = r.body;
            std::size_t step = m_chunk == 0 ? body.size() : m_chunk;
            for (std::size_t at = 0; at < body.size(); at += step) {
                if (!req.on_data(body.substr(at, step))) {
                    break;
                }
            }
            r.body.clear();
        }
        return r;
    }

    static http::Response answer(int status, std::string body)
    {
        http::Response r;
        r.status = status;
        r.body = std::move(body);
        r.headers = {{"Content-Type", "application/json"}};
        return r;
    }

  private:
    Handler m_handler;
    std::size_t m_chunk;
};

} // namespace kms::fuzz
