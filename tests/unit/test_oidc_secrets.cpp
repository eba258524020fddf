#include <oidc/secrets.hpp>
#include <util/error.hpp>

#include <doctest/doctest.h>

using namespace kms;

namespace {

oidc::PasswordSource from_stdin(std::string text)
{
    return {true, [text] { return text; }};
}

} // namespace

TEST_SUITE_BEGIN("oidc");

TEST_CASE("obtain_password: --password-stdin, then $KMS_PASSWORD, then a prompt without echo")
{
    util::MapEnvironment env;
    util::FakeTerminal tty;
    tty.in_tty = true;
    tty.answers = {"typed"};
    env.vars = {{"KMS_PASSWORD", "from-env"}};
    CHECK(oidc::obtain_password(from_stdin("piped\r\n"), env, tty, "alice", "https://sso/realms/a") == "piped");
    CHECK(oidc::obtain_password({}, env, tty, "alice", "https://sso/realms/a") == "from-env");
    CHECK(tty.prompts.empty());
    env.vars.clear();
    CHECK(oidc::obtain_password({}, env, tty, "alice", "https://sso/realms/a") == "typed");
    CHECK(tty.prompts == std::vector<std::string>{"Password for alice at https://sso/realms/a: "});
}

TEST_CASE("obtain_password: without a terminal the error names every way to give it")
{
    util::MapEnvironment env;
    util::FakeTerminal tty;
    try {
        oidc::obtain_password({}, env, tty, "alice", "https://sso/realms/a");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::usage);
        CHECK(std::string(e.what()) == "logging in to https://sso/realms/a needs the password of \"alice\": use "
                                       "--password-stdin or $KMS_PASSWORD, or run on a terminal to be asked");
    }
    CHECK(tty.prompts.empty());
    CHECK_THROWS_WITH(oidc::obtain_password(from_stdin("\n"), env, tty, "alice", "x"),
                      "--password-stdin: standard input is empty");
}

TEST_CASE("obtain_client_secret: a file, then $KMS_CLIENT_SECRET, else none")
{
    util::MemoryFs fs;
    util::MapEnvironment env;
    fs.files["/s"] = "s3cret\n";
    fs.files["/empty"] = "\n";
    env.vars = {{"KMS_CLIENT_SECRET", "from-env"}};
    CHECK(oidc::obtain_client_secret("/s", fs, env) == std::optional<std::string>("s3cret"));
    CHECK(oidc::obtain_client_secret("", fs, env) == std::optional<std::string>("from-env"));
    CHECK_THROWS_WITH(oidc::obtain_client_secret("/none", fs, env), "flag --client-secret-file: /none does not exist");
    CHECK_THROWS_WITH(oidc::obtain_client_secret("/empty", fs, env), "flag --client-secret-file: /empty is empty");
    env.vars.clear();
    CHECK_FALSE(oidc::obtain_client_secret("", fs, env));
}

TEST_SUITE_END();
