#include <doctest/doctest.h>
#include <util/process.hpp>

using namespace kms;

TEST_SUITE_BEGIN("util");

TEST_CASE("util::real_process_runner")
{
    auto& runner = util::real_process_runner();
    util::ProcessSpec spec;
    spec.command = "sh";
    spec.args = { "-c", "printf '%s|' \"$KMS_TEST_VALUE\" \"$HOME\"; read -r line || printf eof; exit 3" };
    spec.env = { { "KMS_TEST_VALUE", "from-spec" } };
    auto r = runner.run(spec);
    CHECK(r.exit_code == 3);
    CHECK_FALSE(r.not_found);
    CHECK(r.out.rfind("from-spec|", 0) == 0);       // the spec's variable, on top of the parent's (HOME)
    CHECK(r.out.substr(r.out.size() - 3) == "eof"); // stdin is /dev/null unless inherited

    util::ProcessSpec missing;
    missing.command = "kms-no-such-command-anywhere";
    auto m = runner.run(missing);
    CHECK(m.not_found);
    CHECK(m.exit_code == 127);
}

TEST_SUITE_END();
