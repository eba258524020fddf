#include "oidc_fixtures.hpp"
#include "scratch_dir.hpp"

#include <oidc/history.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <sys/stat.h>

using namespace kms;

namespace {

oidc::HistoryEntry entry(int status)
{
    oidc::HistoryEntry e;
    e.time = "2026-01-01T00:00:00Z";
    e.method = "POST";
    e.url = "https://svc.test/api?x=1&access_token=abc";
    e.headers = {{"Authorization", "Bearer abc"}, {"Content-Type", "application/json"}, {"cookie", "s=1"}};
    e.request_size = 7;
    e.request_body = "{\"a\":1}";
    e.status = status;
    e.duration_ms = 12;
    e.response_size = 3;
    e.response_body = std::string("\xff\x00\x01", 3);
    oidc::TokenRequest auth;
    auth.where.issuer = "https://sso.test/realms/acme";
    auth.client_id = "istio";
    auth.username = "alice";
    auth.scopes = {"openid"};
    e.auth = auth;
    return e;
}

} // namespace

TEST_SUITE_BEGIN("oidc");

TEST_CASE("history never stores credentials")
{
    CHECK(oidc::storable_headers({{"Authorization", "Bearer x"},
                                  {"PROXY-AUTHORIZATION", "y"},
                                  {"X-Api-Key", "k"},
                                  {"Cookie", "c"},
                                  {"Accept", "a"}}) == http::Headers{{"Accept", "a"}});
    CHECK(oidc::storable_url("https://h/p?access_token=abc&q=1&password=pw#frag") ==
          "https://h/p?access_token=REDACTED&q=1&password=REDACTED#frag");
    CHECK(oidc::storable_url("https://h/p") == "https://h/p");
    std::string line = entry(200).to_json().dump();
    CHECK(line.find("Bearer") == std::string::npos);
    CHECK(line.find("abc") == std::string::npos);
    CHECK(line.find("s=1") == std::string::npos);
}

TEST_CASE("history entries survive JSON, binary bodies as base64")
{
    auto back = oidc::HistoryEntry::from_json(entry(201).to_json());
    REQUIRE(back);
    CHECK(back->status == 201);
    CHECK(back->headers == http::Headers{{"Content-Type", "application/json"}});
    CHECK(back->request_body == std::optional<std::string>("{\"a\":1}"));
    CHECK(back->response_body == std::optional<std::string>(std::string("\xff\x00\x01", 3)));
    REQUIRE(back->auth);
    CHECK(back->auth->where.issuer == "https://sso.test/realms/acme");
    CHECK(back->auth->username == "alice");
    CHECK(back->auth->scopes == std::vector<std::string>{"openid"});
    CHECK(back->url == "https://svc.test/api?x=1&access_token=REDACTED");
    CHECK_FALSE(oidc::HistoryEntry::from_json(Json{{"url", "x"}}));
}

TEST_CASE("FileHistory appends JSON lines in a private file and skips damaged lines")
{
    test::ScratchDir tmp("kms-oidc");
    std::string path = tmp.path / "state/kubectl-microservice/history.jsonl";
    oidc::FileHistory h(path);
    CHECK(h.load().empty());
    h.append(entry(200));
    {
        std::ofstream(path, std::ios::app) << "{broken\n";
    }
    h.append(entry(404));
    auto all = h.load();
    REQUIRE(all.size() == 2);
    CHECK(all[0].status == 200);
    CHECK(all[1].status == 404);
    struct stat st
    {
    };
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat((tmp.path / "state/kubectl-microservice").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("FileHistory keeps the newest entries when the file grows past its limit")
{
    test::ScratchDir tmp("kms-oidc");
    std::string path = tmp.path / "history.jsonl";
    oidc::FileHistory h(path);
    auto big = entry(200);
    big.response_body = std::string(1024 * 1024, 'x');
    for (int i = 0; i < 9; ++i) {
        big.status = 200 + i;
        h.append(big);
    }
    auto all = h.load();
    CHECK(all.size() < 9);
    CHECK(all.size() >= 3);
    CHECK(all.back().status == 208);
}

TEST_CASE("format_history numbers entries from the oldest")
{
    auto e = entry(200);
    auto failed = entry(0);
    failed.error = "cannot reach svc";
    std::string text = oidc::format_history({e, failed});
    CHECK(text.find(
              "   1  2026-01-01T00:00:00Z  POST   https://svc.test/api?x=1&access_token=REDACTED  200  3 B  12 ms") !=
          std::string::npos);
    CHECK(text.find("   2  ") != std::string::npos);
    CHECK(text.find("ERR") != std::string::npos);
}

TEST_CASE("default_history_path follows XDG_STATE_HOME")
{
    util::MapEnvironment env;
    env.vars = {{"HOME", "/home/u"}};
    CHECK(oidc::default_history_path(env) == "/home/u/.local/state/kubectl-microservice/history.jsonl");
    env.vars["XDG_STATE_HOME"] = "/s";
    CHECK(oidc::default_history_path(env) == "/s/kubectl-microservice/history.jsonl");
}

TEST_SUITE_END();
