#include "oidc_fixtures.hpp"

#include <oidc/form.hpp>

#include <doctest/doctest.h>

using namespace kms;

TEST_SUITE_BEGIN("oidc");

TEST_CASE("oidc::form_encode escapes like a browser form (and Python's urlencode)")
{
    CHECK(oidc::form_encode({{"a b", "x&y=z"}, {"u", "ü~.-_*"}}) == "a+b=x%26y%3Dz&u=%C3%BC~.-_%2A");
    CHECK(oidc::form_encode({}) == "");
    CHECK(oidc::form_encode({{"grant_type", "password"}, {"password", ""}}) == "grant_type=password&password=");
}

TEST_CASE("oidc::form_unescape reverses form_escape and keeps malformed escapes")
{
    for (const std::string& s :
         std::vector<std::string>{"plain", "with space", "p:ss%w/rd é", "a+b&c=d", std::string("nul\0byte", 8)}) {
        CHECK(oidc::form_unescape(oidc::form_escape(s)) == s);
    }
    CHECK(oidc::form_unescape("100%") == "100%");
    CHECK(oidc::form_unescape("%zz%4") == "%zz%4");
}

TEST_CASE("oidc::basic_authorization form-encodes id and secret before base64 (RFC 6749 §2.3.1)")
{
    // Expected value computed with Python: quote_plus(id) + ":" + quote_plus(secret), base64.
    CHECK(oidc::basic_authorization("my client", "p:ss%w/rd é") ==
          "Basic bXkrY2xpZW50OnAlM0FzcyUyNXclMkZyZCslQzMlQTk=");
    CHECK(oidc::basic_authorization("svc", "svc-secret") == "Basic c3ZjOnN2Yy1zZWNyZXQ=");
}

TEST_CASE("test helper form_value finds decoded values")
{
    std::string body = oidc::form_encode({{"grant_type", "password"}, {"username", "a b"}, {"password", "x&y"}});
    CHECK(test::form_value(body, "username") == "a b");
    CHECK(test::form_value(body, "password") == "x&y");
    CHECK(test::form_value(body, "scope") == "");
}

TEST_SUITE_END();
