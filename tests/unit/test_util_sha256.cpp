#include <util/sha256.hpp>

#include <doctest/doctest.h>

#include <string>

using kms::util::base64_encode;
using kms::util::sha256;
using kms::util::sha256_hex;

TEST_SUITE("util::sha256")
{
    TEST_CASE("sha256 matches the FIPS 180-4 / NIST example vectors")
    {
        CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                         "mnopqrstnopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
        CHECK(sha256_hex(std::string(1000000, 'a')) ==
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    TEST_CASE("sha256 handles every length around the 55/56/64-byte padding boundaries")
    {
        // Reference digests from coreutils sha256sum of 'a' repeated n times.
        CHECK(sha256_hex(std::string(55, 'a')) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
        CHECK(sha256_hex(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
        CHECK(sha256_hex(std::string(64, 'a')) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    }

    TEST_CASE("sha256 returns the 32 raw bytes the hex string spells")
    {
        auto raw = sha256("abc");
        CHECK(raw[0] == 0xba);
        CHECK(raw[31] == 0xad);
    }
}

TEST_SUITE("util::base64")
{
    TEST_CASE("base64_encode matches the RFC 4648 test vectors")
    {
        CHECK(base64_encode("") == "");
        CHECK(base64_encode("f") == "Zg==");
        CHECK(base64_encode("fo") == "Zm8=");
        CHECK(base64_encode("foo") == "Zm9v");
        CHECK(base64_encode("foob") == "Zm9vYg==");
        CHECK(base64_encode("fooba") == "Zm9vYmE=");
        CHECK(base64_encode("foobar") == "Zm9vYmFy");
    }

    TEST_CASE("the URL-safe alphabet uses '-' and '_' and drops the padding")
    {
        std::string bytes = "\xfb\xff\xbf";
        CHECK(base64_encode(bytes) == "+/+/");
        CHECK(base64_encode(bytes, true) == "-_-_");
        CHECK(base64_encode("f", true) == "Zg");
        CHECK(base64_encode("fo", true) == "Zm8");
    }
}
