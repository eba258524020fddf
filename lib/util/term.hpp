#pragma once

#include <util/env.hpp>

#include <string>
#include <string_view>

// Colour for terminal output. Colour is used only when the stream is a terminal, NO_COLOR is
// unset or empty (https://no-color.org) and TERM is not "dumb"; pipes, files and CI logs get
// plain text. Verbs build one Palette per stream and paint the parts that deserve it.
namespace kms::util {

enum class Colour
{
    red,    // failures, removed lines
    green,  // success, added lines
    yellow, // warnings, changed values
    cyan,   // names and headings
    bold,
    dim,    // secondary detail
};

class Palette
{
public:
    Palette() = default; // plain text
    explicit Palette(bool enabled) : m_enabled(enabled) {}

    // The decision for a stream, given whether it is a terminal (tests decide with this).
    static Palette for_stream(bool stream_is_tty, const Environment& env);
    // The decisions for this process's standard output and standard error.
    static Palette for_stdout(const Environment& env = real_env());
    static Palette for_stderr(const Environment& env = real_env());

    bool enabled() const { return m_enabled; }
    // `text` wrapped in the colour's escape sequence and a reset, or `text` itself when plain.
    std::string paint(Colour colour, std::string_view text) const;

private:
    bool m_enabled = false;
};

} // namespace kms::util
