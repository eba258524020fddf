#pragma once

#include <string>
#include <vector>

namespace kms::util {

// The user's terminal: whether a stream is one, and asking for a secret without echo.
class Terminal
{
public:
    virtual ~Terminal() = default;
    virtual bool stdin_is_tty() const = 0;
    virtual bool stdout_is_tty() const = 0;
    // Prints `prompt` on the controlling terminal and reads one line with echo off (the
    // newline is not part of the result). Throws kms::Error when there is no terminal.
    virtual std::string read_secret(const std::string& prompt) = 0;
    // Same, with echo on (user names).
    virtual std::string read_line(const std::string& prompt) = 0;
};

Terminal& real_terminal();

// A terminal for tests: scripted answers, recorded prompts.
class FakeTerminal : public Terminal
{
public:
    bool in_tty = false;
    bool out_tty = false;
    std::vector<std::string> answers; // consumed front to back
    std::vector<std::string> prompts;

    bool stdin_is_tty() const override { return in_tty; }
    bool stdout_is_tty() const override { return out_tty; }
    std::string read_secret(const std::string& prompt) override;
    std::string read_line(const std::string& prompt) override { return read_secret(prompt); }
};

} // namespace kms::util
