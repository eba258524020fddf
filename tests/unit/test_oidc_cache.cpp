#include "oidc_fixtures.hpp"
#include "scratch_dir.hpp"

#include <oidc/cache.hpp>
#include <util/env.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <sys/stat.h>

using namespace kms;

namespace {

oidc::CachedToken sample(const oidc::CacheKey& key)
{
    oidc::CachedToken t;
    t.key = key;
    t.grant = "password";
    t.provider.issuer = key.issuer;
    t.provider.token_endpoint = key.issuer + "/protocol/openid-connect/token";
    t.provider.token_auth_methods = {"client_secret_basic", "client_secret_post"};
    t.tokens.access_token = "at";
    t.tokens.refresh_token = "rt";
    t.tokens.received_at = 100;
    t.tokens.expires_at = 400;
    t.tokens.refresh_expires_at = 1900;
    return t;
}

int mode_of(const std::string& path)
{
    struct stat st
    {
    };
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<int>(st.st_mode & 0777);
}

const oidc::CacheKey k_key{"http://127.0.0.1:1/realms/test", "istio", "alice", "openid"};

} // namespace

TEST_SUITE_BEGIN("oidc");

TEST_CASE("oidc::CacheKey::stem depends on every field and leaks none")
{
    std::string stem = k_key.stem();
    CHECK(stem.size() == 64);
    CHECK(stem.find("alice") == std::string::npos);
    CHECK(stem == oidc::CacheKey(k_key).stem());
    for (auto changed :
         {oidc::CacheKey{"http://127.0.0.1:1/realms/other", "istio", "alice", "openid"},
          oidc::CacheKey{k_key.issuer, "cli", "alice", "openid"},
          oidc::CacheKey{k_key.issuer, "istio", "bob", "openid"}, oidc::CacheKey{k_key.issuer, "istio", "alice", ""}}) {
        CHECK(changed.stem() != stem);
    }
    // Field boundaries matter: ("ab", "c") is not ("a", "bc").
    CHECK(oidc::CacheKey{"ab", "c", "", ""}.stem() != oidc::CacheKey{"a", "bc", "", ""}.stem());
}

TEST_CASE("oidc::normalize_scope sorts and de-duplicates words")
{
    CHECK(oidc::normalize_scope({"profile openid", "openid", " email "}) == "email openid profile");
    CHECK(oidc::normalize_scope({}) == "");
}

TEST_CASE("oidc::CachedToken survives JSON and rejects other formats")
{
    auto t = sample(k_key);
    auto back = oidc::CachedToken::from_json(t.to_json());
    REQUIRE(back);
    CHECK(back->key == k_key);
    CHECK(back->tokens.refresh_token == "rt");
    CHECK(back->tokens.expires_at == 400);
    CHECK(back->provider.token_auth_methods.size() == 2);
    Json other = t.to_json();
    other["format"] = 99;
    CHECK_FALSE(oidc::CachedToken::from_json(other));
    CHECK_FALSE(oidc::CachedToken::from_json(Json::array()));
}

TEST_CASE("oidc::FileTokenStore: 0700 directory, 0600 files, atomic replace, damaged entries are misses")
{
    test::ScratchDir tmp("kms-oidc");
    std::string dir = tmp.path / "cache/kubectl-microservice/tokens";
    oidc::FileTokenStore store(dir);
    CHECK_FALSE(store.load(k_key));
    store.save(sample(k_key));
    CHECK(mode_of(dir) == 0700);
    CHECK(mode_of(store.path_of(k_key)) == 0600);
    auto loaded = store.load(k_key);
    REQUIRE(loaded);
    CHECK(loaded->tokens.access_token == "at");

    auto newer = sample(k_key);
    newer.tokens.access_token = "at2";
    store.save(newer);
    CHECK(store.load(k_key)->tokens.access_token == "at2");
    // Only the entry and nothing left over from the atomic write.
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        CHECK(e.path().string().find(".tmp.") == std::string::npos);
        ++files;
    }
    CHECK(files == 1);

    std::ofstream(store.path_of(k_key)) << "{not json";
    CHECK_FALSE(store.load(k_key));
    // An entry saved under another key (a copied file) is not taken for this one.
    auto other_key = k_key;
    other_key.username = "bob";
    store.save(sample(k_key));
    std::filesystem::copy_file(store.path_of(k_key), store.path_of(other_key));
    CHECK_FALSE(store.load(other_key));
    CHECK(store.load(k_key));

    CHECK(store.remove(k_key));
    CHECK_FALSE(store.remove(k_key));
}

TEST_CASE("oidc::FileTokenStore tightens a directory others can read")
{
    test::ScratchDir tmp("kms-oidc");
    std::string dir = tmp.path / "tokens";
    REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
    REQUIRE(::chmod(dir.c_str(), 0755) == 0);
    oidc::FileTokenStore store(dir);
    store.save(sample(k_key));
    CHECK(mode_of(dir) == 0700);
    {
        auto lock = store.lock(k_key);
    }
    CHECK(mode_of(dir + "/" + k_key.stem() + ".lock") == 0600);
}

TEST_CASE("oidc::default_token_dir follows XDG")
{
    util::MapEnvironment env;
    env.vars = {{"HOME", "/home/u"}};
    CHECK(oidc::default_token_dir(env) == "/home/u/.cache/kubectl-microservice/tokens");
    env.vars["XDG_CACHE_HOME"] = "/x/cache";
    CHECK(oidc::default_token_dir(env) == "/x/cache/kubectl-microservice/tokens");
    env.vars["XDG_CACHE_HOME"] = "relative"; // invalid per the XDG spec: ignored
    CHECK(oidc::default_token_dir(env) == "/home/u/.cache/kubectl-microservice/tokens");
    env.vars.clear();
    CHECK_THROWS_AS(oidc::default_token_dir(env), Error);
}

TEST_SUITE_END();
