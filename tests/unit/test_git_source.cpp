#include "error_of.hpp"

#include <git/source.hpp>
#include <util/error.hpp>

#include <doctest/doctest.h>

#include <string>

using kms::git::parse_source;
using kms::test::error_of;

TEST_SUITE("git::source")
{
    TEST_CASE("git+https with a path and a ref")
    {
        auto s = parse_source("git+https://github.com/acme/infer.git//deploy/service.yaml@v1.2");
        CHECK(s.url == "https://github.com/acme/infer.git");
        CHECK(s.path == "deploy/service.yaml");
        CHECK(s.ref == "v1.2");
    }

    TEST_CASE("the user name of an ssh URL is not a ref")
    {
        auto s = parse_source("git+ssh://git@github.com:2222/acme/infer.git//service.yaml");
        CHECK(s.url == "ssh://git@github.com:2222/acme/infer.git");
        CHECK(s.path == "service.yaml");
        CHECK(s.ref == "");
        auto bare = parse_source("git+ssh://git@github.com/acme/infer.git@main");
        CHECK(bare.url == "ssh://git@github.com/acme/infer.git");
        CHECK(bare.path == "");
        CHECK(bare.ref == "main");
    }

    TEST_CASE("file:// and git+file:// keep the absolute repository path")
    {
        auto s = parse_source("file:///srv/git/app//svc/service.yaml@0123abcd");
        CHECK(s.url == "file:///srv/git/app");
        CHECK(s.path == "svc/service.yaml");
        CHECK(s.ref == "0123abcd");
        auto g = parse_source("git+file:///srv/git/app.git//.");
        CHECK(g.url == "file:///srv/git/app.git");
        CHECK(g.path == "");
    }

    TEST_CASE("the path is normalised and may not leave the repository")
    {
        CHECK(parse_source("git+git://127.0.0.1:9418/r.git//a/./b/../c.yaml").path == "a/c.yaml");
        CHECK(error_of([] { parse_source("git+git://h/r.git//../x.yaml"); }).find("must stay inside") !=
              std::string::npos);
    }

    TEST_CASE("malformed sources are usage errors that say what is missing")
    {
        CHECK(error_of([] { parse_source("git+https://host.example"); }).find("names no repository") !=
              std::string::npos);
        CHECK(error_of([] { parse_source("git+https://h/r.git//x.yaml@"); }).find("nothing follows '@'") !=
              std::string::npos);
        try {
            parse_source("service.yaml");
            FAIL("no error");
        } catch (const kms::Error& e) {
            CHECK(e.code() == kms::ExitCode::usage);
        }
    }

    TEST_CASE("a password in the URL is refused without echoing it")
    {
        std::string msg = error_of([] { parse_source("git+https://bob:hunter2@h/r.git//s.yaml"); });
        CHECK(msg.find("carries a password") != std::string::npos);
        CHECK(msg.find("hunter2") == std::string::npos);
        CHECK(error_of([] { kms::git::check_url("https://bob@h/r.git", "--git-repo"); }).empty());
        CHECK(error_of([] { kms::git::check_url("git@h:r.git", "--git-repo"); }).empty());
    }

    TEST_CASE("refs git could not have and schemes git cannot fetch are refused before any fetch")
    {
        for (const char* ok : {"main", "release/1.0", "v1.2.3", "feature-x_y", "3f2c1a9", "HEAD"}) {
            CHECK_MESSAGE(kms::git::is_ref_name(ok), ok);
        }
        for (const char* bad : {"my branch", "a..b", "-x", "/x", "x/", "x.lock", "x.", "a@{1}", "a//b", "a~1", "a^",
                                "a:b", "a?", "a*", "a[b", "a\\b", "@", "tab\there"}) {
            CHECK_FALSE_MESSAGE(kms::git::is_ref_name(bad), bad);
        }
        CHECK(error_of([] { parse_source("git+https://h/r.git//s.yaml@my branch"); })
                .find("\"my branch\" is not a valid branch, tag or commit name") != std::string::npos);
        CHECK(error_of([] { kms::git::check_url("ftp://h/r.git", "--git-repo"); }) ==
              "--git-repo: git cannot fetch over \"ftp\" (use https://, http://, ssh://, git:// or file://)");
        for (const char* ok : {"https://h/r.git", "http://h/r", "ssh://git@h/r", "git://h/r", "file:///srv/r",
                               "git@h:r.git", "/srv/r.git"}) {
            CHECK_MESSAGE(error_of([&] { kms::git::check_url(ok, "x"); }).empty(), ok);
        }
    }

    TEST_CASE("only git+ and file:// prefixes name git sources")
    {
        CHECK(kms::git::is_source("git+ssh://h/r.git//s.yaml"));
        CHECK(kms::git::is_source("file:///r//s.yaml"));
        CHECK_FALSE(kms::git::is_source("https://h/r.git//s.yaml"));
        CHECK_FALSE(kms::git::is_source("./git+x/service.yaml"));
        CHECK_FALSE(kms::git::is_source("-"));
    }

    TEST_CASE("ssh URLs convert to https; other URLs do not")
    {
        CHECK(kms::git::ssh_to_https("git@github.com:acme/x.git") == "https://github.com/acme/x.git");
        CHECK(kms::git::ssh_to_https("ssh://git@gitlab.example:2222/g/x.git") == "https://gitlab.example/g/x.git");
        CHECK_FALSE(kms::git::ssh_to_https("https://github.com/acme/x.git"));
        CHECK_FALSE(kms::git::ssh_to_https("/srv/git/x"));
    }

    TEST_CASE("same_repo ignores .git and trailing slashes; local URLs are recognised")
    {
        CHECK(kms::git::same_repo("https://h/a/b.git", "https://h/a/b/"));
        CHECK_FALSE(kms::git::same_repo("https://h/a/b.git", "https://h/a/c.git"));
        CHECK(kms::git::is_local_url("/srv/x.git"));
        CHECK(kms::git::is_local_url("file:///srv/x.git"));
        CHECK_FALSE(kms::git::is_local_url("git@github.com:a/b.git"));
        CHECK_FALSE(kms::git::is_local_url("https://h/a.git"));
    }

    TEST_CASE("the cache lives under XDG_CACHE_HOME, else HOME/.cache")
    {
        CHECK(kms::git::default_cache_dir("/x", "/home/u") == "/x/kubectl-microservice/git");
        CHECK(kms::git::default_cache_dir("", "/home/u") == "/home/u/.cache/kubectl-microservice/git");
        CHECK(kms::git::default_cache_dir("", "").empty());
    }
}
