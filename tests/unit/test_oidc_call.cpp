#include "oidc_fixtures.hpp"

#include <oidc/body.hpp>
#include <oidc/call.hpp>
#include <util/clock.hpp>

#include <util/strings.hpp>

#include <doctest/doctest.h>

using namespace kms;

namespace {

// Tokens "t1", "t2", … ; counts renewals.
class CountingBearer : public oidc::BearerSource
{
public:
    int issued = 1;
    std::vector<std::string> rejected;
    std::string token() override { return "t" + std::to_string(issued); }
    std::string renew(const std::string& old) override
    {
        rejected.push_back(old);
        ++issued;
        return token();
    }
};

std::string auth_header(const http::Request& r)
{
    for (const auto& [k, v] : r.headers) {
        if (k == "Authorization") {
            return v;
        }
    }
    return {};
}

struct CallRig
{
    test::FakeHttp http;
    std::unique_ptr<http::Client> client = http.factory()(http::ClientOptions{});
    util::FakeClock clock;
    CountingBearer bearer;
};

} // namespace

TEST_SUITE_BEGIN("oidc");

TEST_CASE("call exit codes by status class")
{
    CHECK(oidc::exit_for_status(200) == oidc::CallExit::ok);
    CHECK(oidc::exit_for_status(204) == oidc::CallExit::ok);
    CHECK(oidc::exit_for_status(302) == oidc::CallExit::redirect);
    CHECK(oidc::exit_for_status(404) == oidc::CallExit::client_error);
    CHECK(oidc::exit_for_status(503) == oidc::CallExit::server_error);
    CHECK(static_cast<int>(oidc::CallExit::transport) == 6);
}

TEST_CASE("oidc::parse_header_flags takes 'Name: value' only")
{
    auto h = oidc::parse_header_flags({"X-A: 1", "Accept:application/json", "X-Empty:"});
    CHECK(h == http::Headers{{"X-A", "1"}, {"Accept", "application/json"}, {"X-Empty", ""}});
    CHECK_THROWS_WITH_AS(oidc::parse_header_flags({"no-colon"}), doctest::Contains("expected 'Name: value'"), Error);
    CHECK_THROWS_AS(oidc::parse_header_flags({": v"}), Error);
    CHECK_THROWS_AS(oidc::parse_header_flags({"Bad Name: v"}), Error);
}

TEST_CASE("oidc::join_url")
{
    CHECK(oidc::join_url("https://h/api", "v1/x") == "https://h/api/v1/x");
    CHECK(oidc::join_url("https://h/api/", "/v1") == "https://h/api/v1");
    CHECK(oidc::join_url("https://h", "?q=1") == "https://h?q=1");
    CHECK(oidc::join_url("https://h/x", "") == "https://h/x");
}

TEST_CASE("perform_call attaches the token and retries once on 'Jwt is expired'")
{
    CallRig rig;
    rig.http.handler = [](const http::Request& r) {
        if (auth_header(r) == "Bearer t1") {
            return test::FakeHttp::answer(401, "Jwt is expired", {{"WWW-Authenticate", "Bearer realm=\"x\""}});
        }
        return test::json_answer(200, Json{{"ok", true}});
    };
    oidc::CallRequest req;
    req.url = "http://svc/echo";
    auto result = oidc::perform_call(*rig.client, req, &rig.bearer, rig.clock);
    CHECK(result.response.status == 200);
    CHECK(result.renewed);
    CHECK(rig.bearer.rejected == std::vector<std::string>{"t1"});
    CHECK(rig.http.requests.size() == 2);
    CHECK(result.response.body == R"({"ok":true})");
}

TEST_CASE("perform_call retries only once, and not for other 401s")
{
    CallRig rig;
    rig.http.handler = [](const http::Request&) { return test::FakeHttp::answer(401, "Jwt is expired"); };
    oidc::CallRequest req;
    req.url = "http://svc/";
    auto result = oidc::perform_call(*rig.client, req, &rig.bearer, rig.clock);
    CHECK(result.response.status == 401);
    CHECK(rig.http.requests.size() == 2);

    CallRig other;
    other.http.handler = [](const http::Request&) {
        return test::FakeHttp::answer(401, "Jwt issuer is not configured");
    };
    oidc::perform_call(*other.client, req, &other.bearer, other.clock);
    CHECK(other.http.requests.size() == 1);
    CHECK(other.bearer.rejected.empty());
}

TEST_CASE("perform_call keeps an Authorization header the user gave, and sends none without a source")
{
    CallRig rig;
    rig.http.handler = [](const http::Request&) { return test::FakeHttp::answer(200, "x"); };
    oidc::CallRequest req;
    req.url = "http://svc/";
    req.headers = {{"authorization", "Basic abc"}};
    auto r1 = oidc::perform_call(*rig.client, req, &rig.bearer, rig.clock);
    CHECK_FALSE(r1.sent_token);
    CHECK(rig.http.requests.back().headers == http::Headers{{"authorization", "Basic abc"}});
    req.headers.clear();
    oidc::perform_call(*rig.client, req, nullptr, rig.clock);
    CHECK(auth_header(rig.http.requests.back()).empty());
}

TEST_CASE("perform_call enforces --max-body and reports transport failures")
{
    CallRig rig;
    rig.http.handler = [](const http::Request&) { return test::FakeHttp::answer(200, std::string(2000, 'a')); };
    oidc::CallRequest req;
    req.url = "http://svc/large";
    req.max_body = 1000;
    CHECK_THROWS_WITH(oidc::perform_call(*rig.client, req, nullptr, rig.clock),
                      doctest::Contains("larger than --max-body"));
    req.max_body = 0;
    CHECK(oidc::perform_call(*rig.client, req, nullptr, rig.clock).response.body.size() == 2000);

    rig.http.handler = [](const http::Request&) -> http::Response { throw Error("cannot reach svc: refused"); };
    auto failed = oidc::perform_call(*rig.client, req, nullptr, rig.clock);
    CHECK(failed.transport_error == "cannot reach svc: refused");
}

TEST_CASE("gateway hints for Envoy's JWT answers")
{
    auto hint = [](int status, const std::string& body, bool sent = true) {
        return oidc::gateway_hint(test::FakeHttp::answer(status, body), sent).value_or("");
    };
    CHECK(hint(401, "Jwt is missing", false).find("--issuer") != std::string::npos);
    CHECK(hint(401, "Jwt is missing", true).find("drop the Authorization header") != std::string::npos);
    CHECK(hint(401, "Jwt issuer is not configured").find("byte for byte") != std::string::npos);
    CHECK(hint(403, "Audiences in Jwt are not allowed").find("audience") != std::string::npos);
    CHECK(hint(403, "RBAC: access denied").find("authorization policy") != std::string::npos);
    CHECK(hint(401, "Jwt verification fails").find("signature") != std::string::npos);
    CHECK(hint(500, "Jwt is missing").empty());
    CHECK(hint(404, "not found").empty());
}

TEST_CASE("render_body: pretty JSON on a terminal, bytes otherwise, binary refused on a terminal")
{
    auto json = test::json_answer(200, Json{{"a", 1}});
    CHECK(oidc::render_body(json, oidc::BodyFormat::automatic, true) == "{\n  \"a\": 1\n}\n");
    CHECK(oidc::render_body(json, oidc::BodyFormat::automatic, false) == R"({"a":1})");
    CHECK(oidc::render_body(json, oidc::BodyFormat::yaml, false) == "a: 1\n");
    CHECK(oidc::render_body(json, oidc::BodyFormat::json, false) == "{\n  \"a\": 1\n}\n");

    auto bin =
        test::FakeHttp::answer(200, std::string("\x00\x01\xff", 3), {{"Content-Type", "application/octet-stream"}});
    CHECK(oidc::is_binary(bin));
    CHECK_THROWS_WITH(oidc::render_body(bin, oidc::BodyFormat::automatic, true), doctest::Contains("-o raw"));
    CHECK(oidc::render_body(bin, oidc::BodyFormat::raw, true) == bin.body);
    CHECK(oidc::render_body(bin, oidc::BodyFormat::automatic, false) == bin.body);

    auto text = test::FakeHttp::answer(200, "hello", {{"Content-Type", "text/plain; charset=utf-8"}});
    CHECK_FALSE(oidc::is_binary(text));
    CHECK(oidc::render_body(text, oidc::BodyFormat::automatic, true) == "hello\n");
    CHECK_THROWS_WITH(oidc::render_body(text, oidc::BodyFormat::json, false), doctest::Contains("not JSON"));
    auto yaml = test::FakeHttp::answer(200, "a: 1\n", {{"Content-Type", "application/yaml"}});
    CHECK(oidc::render_body(yaml, oidc::BodyFormat::yaml, false) == "a: 1\n");
    // Without a Content-Type the bytes decide.
    CHECK(oidc::is_binary(test::FakeHttp::answer(200, std::string("a\0b", 3))));
    CHECK_FALSE(oidc::is_binary(test::FakeHttp::answer(200, "plain ü")));
}

TEST_CASE("util::is_utf8 is strict; utf8_error says where")
{
    CHECK(util::is_utf8("ascii"));
    CHECK(util::is_utf8("ü € 𝄞"));
    CHECK_FALSE(util::is_utf8("\xc3"));         // truncated
    CHECK_FALSE(util::is_utf8("\xc0\xaf"));     // overlong
    CHECK_FALSE(util::is_utf8("\xed\xa0\x80")); // surrogate
    CHECK_FALSE(util::is_utf8("\xff"));
    CHECK(util::utf8_error("ok \xc3\xbc then \xad") == 11); // 3 + 2 + 6 bytes before it
    CHECK(util::utf8_error("ok") == std::string_view::npos);
}

TEST_CASE("render_head shows the status line and headers")
{
    auto r = test::FakeHttp::answer(404, "", {{"Content-Type", "text/plain"}});
    CHECK(oidc::render_head(r) == "HTTP 404 Not Found\nContent-Type: text/plain\n\n");
}

TEST_SUITE_END();
