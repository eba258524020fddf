#include <util/term.hpp>

#include <unistd.h>

namespace kms::util {

namespace {

std::string_view sgr(Colour c)
{
    switch (c) {
    case Colour::red:
        return "\033[31m";
    case Colour::green:
        return "\033[32m";
    case Colour::yellow:
        return "\033[33m";
    case Colour::cyan:
        return "\033[36m";
    case Colour::bold:
        return "\033[1m";
    case Colour::dim:
        return "\033[2m";
    }
    return "";
}

} // namespace

Palette Palette::for_stream(bool stream_is_tty, const Environment& env)
{
    bool no_color = !env.value("NO_COLOR").empty();
    return Palette(stream_is_tty && !no_color && env.value("TERM") != "dumb");
}

Palette Palette::for_stdout(const Environment& env)
{
    return for_stream(::isatty(STDOUT_FILENO) == 1, env);
}

Palette Palette::for_stderr(const Environment& env)
{
    return for_stream(::isatty(STDERR_FILENO) == 1, env);
}

std::string Palette::paint(Colour colour, std::string_view text) const
{
    if (!m_enabled || text.empty()) {
        return std::string(text);
    }
    return std::string(sgr(colour)) + std::string(text) + "\033[0m";
}

} // namespace kms::util
