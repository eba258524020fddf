#include <util/strings.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using namespace kms::util;

TEST_SUITE("util::strings")
{
    TEST_CASE("to_env_name upper-cases and turns every non-alphanumeric into '_' (seed 000)")
    {
        CHECK(to_env_name("model-name") == "MODEL_NAME");
        CHECK(to_env_name("openai-key") == "OPENAI_KEY");
        CHECK(to_env_name("batch.size") == "BATCH_SIZE");
        CHECK(to_env_name("a b/c:d") == "A_B_C_D");
        CHECK(to_env_name("already_UPPER_9") == "ALREADY_UPPER_9");
        // Each non-alphanumeric character becomes one '_', runs are not collapsed.
        CHECK(to_env_name("a--b") == "A__B");
        CHECK(to_env_name("") == "");
    }

    TEST_CASE("to_env_name maps each byte of a non-ASCII character to '_'")
    {
        // "é" is two bytes in UTF-8; locale-dependent isalnum must not let either through.
        CHECK(to_env_name("caf\xc3\xa9") == "CAF__");
    }

    TEST_CASE("edit_distance is the Levenshtein distance")
    {
        CHECK(edit_distance("", "") == 0);
        CHECK(edit_distance("abc", "") == 3);
        CHECK(edit_distance("", "abc") == 3);
        CHECK(edit_distance("image", "image") == 0);
        CHECK(edit_distance("imgae", "image") == 2); // a transposition costs two edits
        CHECK(edit_distance("replics", "replicas") == 1);
        CHECK(edit_distance("kitten", "sitting") == 3);
        CHECK(edit_distance("flaw", "lawn") == 2);
    }

    TEST_CASE("closest_match suggests a plausible typo and nothing for an unrelated word")
    {
        constexpr std::string_view keys[] = {"name", "image", "port", "ports", "replicas", "resources"};
        CHECK(closest_match("replics", keys) == "replicas");
        CHECK(closest_match("imag", keys) == "image");
        CHECK(closest_match("resorces", keys) == "resources");
        CHECK_FALSE(closest_match("colour", keys).has_value());
        CHECK_FALSE(closest_match("", keys).has_value());
    }

    TEST_CASE("closest_match prefers the nearest candidate and, on a tie, the first listed")
    {
        constexpr std::string_view keys[] = {"port", "ports"};
        CHECK(closest_match("portz", keys) == "port"); // distance 1 to both
        CHECK(closest_match("portss", keys) == "ports");
        std::vector<std::string> names = {"gpu-small", "gpu-large", "cpu"};
        CHECK(closest_match("gpu-larg", names) == "gpu-large");
        CHECK_FALSE(closest_match("tpu-huge", names).has_value());
    }

    TEST_CASE("is_dns1123_label accepts lower-case alphanumerics and inner '-', at most 63")
    {
        CHECK(is_dns1123_label("a"));
        CHECK(is_dns1123_label("ml-service1"));
        CHECK(is_dns1123_label("0abc"));
        CHECK(is_dns1123_label(std::string(63, 'a')));
        CHECK_FALSE(is_dns1123_label(std::string(64, 'a')));
        CHECK_FALSE(is_dns1123_label(""));
        CHECK_FALSE(is_dns1123_label("-a"));
        CHECK_FALSE(is_dns1123_label("a-"));
        CHECK_FALSE(is_dns1123_label("My-Service"));
        CHECK_FALSE(is_dns1123_label("my_service"));
        CHECK_FALSE(is_dns1123_label("a.b"));
    }

    TEST_CASE("is_dns1123_subdomain accepts dot-separated labels, at most 253")
    {
        CHECK(is_dns1123_subdomain("openai"));
        CHECK(is_dns1123_subdomain("git.creds-1"));
        CHECK_FALSE(is_dns1123_subdomain("a..b"));
        CHECK_FALSE(is_dns1123_subdomain(".a"));
        CHECK_FALSE(is_dns1123_subdomain("a_b"));
        std::string long_name;
        for (int i = 0; i < 4; ++i) {
            long_name += std::string(63, 'a') + ".";
        }
        CHECK_FALSE(is_dns1123_subdomain(long_name + "a")); // 257 characters
        CHECK(is_dns1123_subdomain(long_name.substr(0, 252) + "a"));
    }

    TEST_CASE("to_dns1123_label lower-cases, maps runs of other characters to one '-', trims")
    {
        CHECK(to_dns1123_label("Fraud_Detector") == "fraud-detector");
        CHECK(to_dns1123_label("My_Api.v2") == "my-api-v2");
        CHECK(to_dns1123_label("--a__b--") == "a-b");
        CHECK(to_dns1123_label("___") == "");
        CHECK(to_dns1123_label("") == "");
        // Cut to 63 characters without leaving a trailing '-'.
        std::string cut = to_dns1123_label(std::string(62, 'a') + "-bcd");
        CHECK(cut == std::string(62, 'a'));
        CHECK(is_dns1123_label(to_dns1123_label(std::string(100, 'X'))));
    }

    TEST_CASE("split keeps empty fields; trim, starts_with, ends_with and join")
    {
        CHECK(split("a,b,,c", ',') == std::vector<std::string>{"a", "b", "", "c"});
        CHECK(split("", ',') == std::vector<std::string>{""});
        CHECK(trim("  a b \t\n") == "a b");
        CHECK(trim("   ").empty());
        CHECK(starts_with("kubectl", "kube"));
        CHECK_FALSE(starts_with("kube", "kubectl"));
        CHECK(ends_with("repo.git", ".git"));
        CHECK_FALSE(ends_with("git", ".git"));
        CHECK(join({"a", "b", "c"}, ", ") == "a, b, c");
        CHECK(join({}, ",").empty());
    }

    TEST_CASE("shell_quote survives single quotes")
    {
        CHECK(shell_quote("plain") == "'plain'");
        CHECK(shell_quote("it's") == "'it'\\''s'");
        CHECK(shell_quote("") == "''");
    }
}
