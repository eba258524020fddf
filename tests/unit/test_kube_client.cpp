#include "fake_http.hpp"

#include <doctest/doctest.h>
#include <http/retry.hpp>
#include <kube/client.hpp>
#include <util/error.hpp>

using namespace kms;
using test::FakeHttp;

namespace {

class OneShotRunner : public util::ProcessRunner
{
  public:
    int runs = 0;
    util::ProcessResult run(const util::ProcessSpec&) override
    {
        ++runs;
        std::string token = "exec-" + std::to_string(runs);
        return { 0,
                 R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":")" +
                   token + "\"}}",
                 false };
    }
};

std::string header(const http::Request& r, const std::string& name)
{
    for (const auto& [k, v] : r.headers) {
        if (k == name) {
            return v;
        }
    }
    return {};
}

} // namespace

TEST_SUITE_BEGIN("kube");

TEST_CASE("kube::parse_warning_header")
{
    CHECK(kube::parse_warning_header(R"(299 - "spec.x is deprecated")") ==
          std::vector<std::string>{ "spec.x is deprecated" });
    CHECK(kube::parse_warning_header(
            R"(299 - "a \"quoted\" \\ b", 299 k8s "two" "Mon, 01 Jan 2024 00:00:00 GMT", 199 - "misc")") ==
          std::vector<std::string>{ "a \"quoted\" \\ b", "two" });
    CHECK(kube::parse_warning_header("garbage").empty());
}

TEST_CASE("kube::client request shape, warnings, timeout and TLS options")
{
    FakeHttp fake;
    fake.handler = [](const http::Request&) {
        return FakeHttp::answer(200, R"({"kind":"ConfigMap"})", { { "Warning", R"(299 - "deprecated field")" } });
    };
    kube::RestConfig rc;
    rc.server = "https://api.example/prefix";
    rc.token = "secret-token";
    rc.ca_pem = "CA";
    rc.tls_server_name = "kube.internal";
    rc.request_timeout = std::chrono::seconds(5);
    std::vector<std::string> warnings;
    kube::ClientDeps deps;
    deps.http = fake.factory();
    deps.warn = [&](const std::string& w) { warnings.push_back(w); };
    kube::Client client(rc, deps);

    kube::Call c;
    c.method = "PATCH";
    c.path = "/api/v1/namespaces/d/configmaps/x?fieldManager=m";
    c.body = "{}";
    c.content_type = "application/apply-patch+yaml";
    CHECK(client.request(c, "ConfigMap/x")["kind"] == "ConfigMap");
    client.get("/api/v1/namespaces/d/configmaps/y", "ConfigMap/y");
    REQUIRE(fake.requests.size() == 2);
    const auto& r = fake.requests[0];
    CHECK(r.url == "https://api.example/prefix/api/v1/namespaces/d/configmaps/x?fieldManager=m&timeout=5s");
    CHECK(r.timeout == std::chrono::seconds(5));
    CHECK(header(r, "Authorization") == "Bearer secret-token");
    CHECK(header(r, "Content-Type") == "application/apply-patch+yaml");
    CHECK(header(r, "Accept") == "application/json");
    CHECK(fake.requests[1].url == "https://api.example/prefix/api/v1/namespaces/d/configmaps/y?timeout=5s");
    CHECK(warnings == std::vector<std::string>{ "deprecated field" }); // printed once
    REQUIRE(fake.options.size() == 1);
    CHECK(fake.options[0].tls.ca_pem == "CA");
    CHECK(fake.options[0].tls.server_name == "kube.internal");
    CHECK(fake.options[0].tls.verify);
    CHECK(fake.options[0].user_agent.rfind("kubectl-microservice/v", 0) == 0);
}

TEST_CASE("kube::client errors and 404 as nullopt")
{
    FakeHttp fake;
    fake.handler = [](const http::Request& r) {
        if (r.url.find("missing") != std::string::npos) {
            return FakeHttp::answer(404, R"({"kind":"Status","code":404,"reason":"NotFound","message":"x not found"})");
        }
        return FakeHttp::answer(403, R"({"kind":"Status","code":403,"reason":"Forbidden","message":"no way"})");
    };
    kube::RestConfig rc;
    rc.server = "http://api";
    kube::ClientDeps deps;
    deps.http = fake.factory();
    kube::Client client(rc, deps);
    CHECK_FALSE(client.get_optional("/missing", "Secret/s").has_value());
    CHECK_THROWS_WITH_AS(client.get("/api", "listing"), "listing: forbidden: no way", Error);
}

TEST_CASE("kube::client re-runs the exec plugin after a 401 and retries once")
{
    FakeHttp fake;
    fake.handler = [](const http::Request& r) {
        return header(r, "Authorization") == "Bearer exec-1" ? FakeHttp::answer(401, "{}")
                                                             : FakeHttp::answer(200, "{}");
    };
    OneShotRunner runner;
    kube::RestConfig rc;
    rc.server = "https://api";
    kube::ExecConfig e;
    e.api_version = "client.authentication.k8s.io/v1beta1";
    e.command = "plugin";
    rc.exec = e;
    kube::ClientDeps deps;
    deps.http = fake.factory();
    deps.runner = &runner;
    kube::Client client(rc, deps);
    client.get("/api", "discovery");
    CHECK(runner.runs == 2);
    REQUIRE(fake.requests.size() == 2);
    CHECK(header(fake.requests[1], "Authorization") == "Bearer exec-2");
    client.get("/api", "discovery");
    CHECK(runner.runs == 2); // cached
}

TEST_CASE("kube::client streams lines")
{
    FakeHttp fake;
    fake.handler = [](const http::Request&) { return FakeHttp::answer(200, "{\"a\":1}\n\n{\"b\":2}\n{\"c\":3}"); };
    kube::RestConfig rc;
    rc.server = "http://api";
    rc.request_timeout = std::chrono::seconds(1);
    kube::ClientDeps deps;
    deps.http = fake.factory();
    kube::Client client(rc, deps);
    std::vector<std::string> lines;
    kube::Call c;
    c.path = "/watch";
    c.no_timeout = true;
    auto r = client.stream(c, [&](std::string_view l) {
        lines.emplace_back(l);
        return true;
    });
    CHECK(r.status == 200);
    CHECK(lines == std::vector<std::string>{ "{\"a\":1}", "{\"b\":2}", "{\"c\":3}" });
    CHECK(fake.requests[0].url == "http://api/watch");

    // A caller that stops gets no further line, not even the unfinished last one (it used to get
    // the whole buffer again).
    lines.clear();
    client.stream(c, [&](std::string_view l) {
        lines.emplace_back(l);
        return false;
    });
    CHECK(lines == std::vector<std::string>{ "{\"a\":1}" });
}

TEST_CASE("http::with_retries")
{
    FakeHttp fake;
    int calls = 0;
    std::vector<int> statuses;
    fake.handler = [&](const http::Request&) {
        int s = statuses.at(static_cast<std::size_t>(calls++));
        http::Headers h;
        if (s == 429) {
            h.emplace_back("Retry-After", "2");
        }
        return FakeHttp::answer(s, "", h);
    };
    util::FakeClock clock;
    auto client = http::with_retries(fake.factory()({}), http::RetryPolicy{}, clock);
    http::Request get;
    get.url = "http://x/";

    statuses = { 503, 429, 200 };
    CHECK(client->send(get).status == 200);
    CHECK(clock.slept == std::chrono::milliseconds(200 + 2000)); // backoff, then Retry-After

    calls = 0;
    clock.slept = {};
    statuses = { 500, 200 }; // a 500 without Retry-After is not retried
    CHECK(client->send(get).status == 500);

    calls = 0;
    statuses = { 429, 429, 429, 429, 429, 429, 429 };
    fake.handler = [&](const http::Request&) {
        ++calls;
        return FakeHttp::answer(429, "", { { "Retry-After", "100" } });
    };
    CHECK(client->send(get).status == 429);
    CHECK(calls == 6);                                          // 1 + 5 retries
    CHECK(clock.slept == std::chrono::milliseconds(5 * 30000)); // Retry-After capped at 30s

    calls = 0;
    fake.handler = [&](const http::Request&) -> http::Response {
        if (calls++ == 0) {
            throw Error("cannot reach x: Recv failure: Connection reset by peer");
        }
        return FakeHttp::answer(200, "");
    };
    CHECK(client->send(get).status == 200);
    calls = 0;
    http::Request post = get;
    post.method = "POST";
    CHECK_THROWS_AS(client->send(post), Error); // not idempotent
    CHECK(http::is_connection_reset("Empty reply from server"));
    CHECK_FALSE(http::is_connection_reset("SSL certificate problem: unable to get local issuer certificate"));
}

TEST_SUITE_END();
