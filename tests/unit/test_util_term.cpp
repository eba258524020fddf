#include <util/term.hpp>

#include <doctest/doctest.h>
#include <unistd.h>

using namespace kms::util;

TEST_SUITE("util::term")
{
    TEST_CASE("colour only on a terminal")
    {
        MapEnvironment env;
        env.vars["TERM"] = "xterm-256color";
        CHECK(Palette::for_stream(true, env).enabled());
        CHECK_FALSE(Palette::for_stream(false, env).enabled());
    }

    TEST_CASE("NO_COLOR turns colour off when set and not empty; TERM=dumb too")
    {
        MapEnvironment env;
        env.vars["TERM"] = "xterm";
        env.vars["NO_COLOR"] = "1";
        CHECK_FALSE(Palette::for_stream(true, env).enabled());
        env.vars["NO_COLOR"] = ""; // no-color.org: an empty value does not count
        CHECK(Palette::for_stream(true, env).enabled());
        env.vars["TERM"] = "dumb";
        CHECK_FALSE(Palette::for_stream(true, env).enabled());
    }

    TEST_CASE("the process's streams are asked whether they are terminals")
    {
        MapEnvironment env;
        env.vars["TERM"] = "xterm";
        // Under the test runner stdout is a pipe or a terminal: the answer must match isatty.
        CHECK(Palette::for_stdout(env).enabled() == (::isatty(1) == 1));
        CHECK(Palette::for_stderr(env).enabled() == (::isatty(2) == 1));
    }

    TEST_CASE("paint wraps text in the colour and a reset, or leaves it alone")
    {
        CHECK(Palette(true).paint(Colour::red, "gone") == "\033[31mgone\033[0m");
        CHECK(Palette(true).paint(Colour::bold, "x") == "\033[1mx\033[0m");
        CHECK(Palette(true).paint(Colour::green, "") == "");
        CHECK(Palette(false).paint(Colour::red, "gone") == "gone");
        CHECK(Palette().paint(Colour::cyan, "plain") == "plain");
    }
}
