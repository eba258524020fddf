#pragma once

#include <string>

// What an interrupted run (Ctrl-C, SIGTERM) says before it exits: where it stopped and what state
// it left, instead of dying silently half-way. Exits with 128 + the signal (130 for Ctrl-C), as a
// shell reports a killed command.
namespace kms::util {

// Installs the handlers (once) and sets the line printed as "interrupted: <what>". Called again
// as the work moves on (applying, then waiting). Safe from any thread; the handler itself only
// write(2)s and _exit(2)s.
void on_interrupt(const std::string& what);

} // namespace kms::util
