#include "loopback_server.hpp"

#include <http/http.hpp>
#include <util/error.hpp>

#include <doctest/doctest.h>

using kms::http::Request;

namespace {

std::unique_ptr<kms::http::Client> client()
{
    kms::http::ClientOptions o;
    o.user_agent = "kubectl-microservice/test";
    o.connect_timeout = std::chrono::milliseconds(2000);
    return kms::http::make_client(o);
}

std::string reply(int status, const std::string& body, const std::string& extra = {})
{
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n" + extra + "\r\n" + body;
}

} // namespace

TEST_SUITE("http::curl")
{
    TEST_CASE("a GET returns status, headers and body, and sends the user agent")
    {
        std::string seen;
        kms::test::LoopbackServer server([&](const std::string& req) {
            seen = req;
            return reply(200, "hello", "X-Thing: a b\r\n");
        });
        auto r = client()->send(Request{"GET", server.url("/x?y=1"), {{"Accept", "text/plain"}}, {}, {}, {}, false});
        CHECK(r.status == 200);
        CHECK(r.body == "hello");
        CHECK(r.header("x-thing") == "a b");
        CHECK(seen.rfind("GET /x?y=1 HTTP/1.1\r\n", 0) == 0);
        CHECK(seen.find("User-Agent: kubectl-microservice/test\r\n") != std::string::npos);
        CHECK(seen.find("Accept: text/plain\r\n") != std::string::npos);
    }

    TEST_CASE("a PATCH sends its body and method; error statuses are returned, not thrown")
    {
        std::string seen;
        kms::test::LoopbackServer server([&](const std::string& req) {
            seen = req;
            return reply(409, "{\"kind\":\"Status\"}");
        });
        Request req;
        req.method = "PATCH";
        req.url = server.url("/apis/apps/v1/x");
        req.headers = {{"Content-Type", "application/apply-patch+yaml"}};
        req.body = "{\"a\":1}";
        auto r = client()->send(req);
        CHECK(r.status == 409);
        CHECK(r.body == "{\"kind\":\"Status\"}");
        CHECK(seen.rfind("PATCH /apis/apps/v1/x HTTP/1.1\r\n", 0) == 0);
        CHECK(seen.substr(seen.size() - 7) == "{\"a\":1}");
        CHECK(seen.find("Expect:") == std::string::npos);
    }

    TEST_CASE("a streaming request hands chunks to on_data and stops when it returns false")
    {
        kms::test::LoopbackServer server([](const std::string&) {
            return std::string("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nline1\nline2\nline3\n");
        });
        std::string got;
        Request req;
        req.url = server.url("/watch");
        req.on_data = [&](std::string_view chunk) {
            got.append(chunk);
            return false;
        };
        auto r = client()->send(req);
        CHECK(r.status == 200);
        CHECK(r.body.empty());
        CHECK(got.find("line1") == 0);
    }

    TEST_CASE("a refused connection throws one line naming the host")
    {
        int port = 0;
        {
            kms::test::LoopbackServer server([](const std::string&) { return std::string(); }, 0);
            port = std::stoi(server.url().substr(17));
        }
        Request req;
        req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
        try {
            client()->send(req);
            FAIL("expected an error");
        } catch (const kms::Error& e) {
            std::string msg = e.what();
            CHECK(msg.rfind("cannot reach 127.0.0.1:" + std::to_string(port) + ": ", 0) == 0);
            CHECK(msg.find('\n') == std::string::npos);
        }
    }

    TEST_CASE("a request past its timeout throws a timeout error")
    {
        kms::test::LoopbackServer server([](const std::string&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(600));
            return reply(200, "late");
        });
        Request req;
        req.url = server.url("/slow");
        req.timeout = std::chrono::milliseconds(150);
        CHECK_THROWS_WITH_AS(client()->send(req), doctest::Contains("timed out after"), kms::Error);
    }

    TEST_CASE("https to a server that does not speak TLS is an error, never a plain-text fallback")
    {
        kms::test::LoopbackServer server([](const std::string&) { return reply(200, "plain"); });
        std::string url = server.url("/");
        url.replace(0, 4, "https");
        Request req;
        req.url = url;
        req.timeout = std::chrono::milliseconds(2000);
        CHECK_THROWS_AS(client()->send(req), kms::Error);
    }
}
