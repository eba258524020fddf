#pragma once

// A tiny HTTP/1.1 server on 127.0.0.1 for unit tests: each connection gets the reply the test's
// handler builds from the raw request. Bounded: it serves at most `max_connections`.
#include <arpa/inet.h>
#include <functional>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace kms::test {

class LoopbackServer
{
public:
    using Handler = std::function<std::string(const std::string& request)>;

    LoopbackServer(Handler handler, int max_connections = 16) : m_handler(std::move(handler))
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(m_fd, 16);
        socklen_t len = sizeof addr;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        m_thread = std::thread([this, max_connections] { serve(max_connections); });
    }

    ~LoopbackServer()
    {
        ::shutdown(m_fd, SHUT_RDWR);
        ::close(m_fd);
        m_thread.join();
    }

    std::string url(const std::string& path = "/") const
    {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }

private:
    void serve(int max_connections)
    {
        for (int i = 0; i < max_connections; ++i) {
            int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0) {
                return;
            }
            std::string req;
            char buf[4096];
            // Read the head, then as much body as Content-Length says.
            while (req.find("\r\n\r\n") == std::string::npos) {
                ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) {
                    break;
                }
                req.append(buf, static_cast<std::size_t>(n));
            }
            auto cl = req.find("Content-Length: ");
            if (cl != std::string::npos) {
                std::size_t want = std::stoul(req.substr(cl + 16));
                std::size_t have = req.size() - (req.find("\r\n\r\n") + 4);
                while (have < want) {
                    ssize_t n = ::recv(c, buf, sizeof buf, 0);
                    if (n <= 0) {
                        break;
                    }
                    req.append(buf, static_cast<std::size_t>(n));
                    have += static_cast<std::size_t>(n);
                }
            }
            std::string reply = m_handler(req);
            if (!reply.empty()) {
                ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
            }
            ::close(c);
        }
    }

    Handler m_handler;
    int m_fd = -1;
    int m_port = 0;
    std::thread m_thread;
};

} // namespace kms::test
