#include <util/error.hpp>
#include <util/terminal.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace kms::util {

namespace {

// Writes all of `s` to `fd`, ignoring failures: a prompt that cannot be shown is not fatal.
void write_all(int fd, const std::string& s)
{
    std::size_t done = 0;
    while (done < s.size()) {
        ssize_t n = ::write(fd, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

std::string read_line_fd(int fd)
{
    std::string line;
    char c = 0;
    while (true) {
        ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || c == '\n') {
            break;
        }
        line += c;
    }
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    return line;
}

// Ctrl-C while echo is off must not leave the user's terminal silent.
int g_tty_fd = -1;
struct termios g_saved_termios
{
};

extern "C" void restore_tty_and_reraise(int sig)
{
    if (g_tty_fd >= 0) {
        ::tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

class RealTerminal : public Terminal
{
public:
    bool stdin_is_tty() const override { return ::isatty(STDIN_FILENO) == 1; }
    bool stdout_is_tty() const override { return ::isatty(STDOUT_FILENO) == 1; }

    std::string read_secret(const std::string& prompt) override { return ask(prompt, false); }
    std::string read_line(const std::string& prompt) override { return ask(prompt, true); }

private:
    // Asks on /dev/tty, not stdin/stdout, so pipes and $(…) around the command are unaffected.
    static std::string ask(const std::string& prompt, bool echo)
    {
        int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            throw Error("no terminal to ask on (" + prompt + "): give the value another way (see --help)");
        }
        bool restore = false;
        void (*old_int)(int) = SIG_DFL;
        void (*old_term)(int) = SIG_DFL;
        if (!echo && ::tcgetattr(fd, &g_saved_termios) == 0) {
            g_tty_fd = fd;
            old_int = std::signal(SIGINT, restore_tty_and_reraise);
            old_term = std::signal(SIGTERM, restore_tty_and_reraise);
            struct termios quiet = g_saved_termios;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            quiet.c_lflag |= ECHONL;
            restore = ::tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
        }
        write_all(fd, prompt);
        std::string line = read_line_fd(fd);
        if (restore) {
            ::tcsetattr(fd, TCSAFLUSH, &g_saved_termios);
        }
        if (g_tty_fd >= 0) {
            std::signal(SIGINT, old_int);
            std::signal(SIGTERM, old_term);
            g_tty_fd = -1;
        }
        ::close(fd);
        return line;
    }
};

} // namespace

Terminal& real_terminal()
{
    static RealTerminal terminal;
    return terminal;
}

std::string FakeTerminal::read_secret(const std::string& prompt)
{
    prompts.push_back(prompt);
    if (answers.empty()) {
        throw Error("no terminal to ask on (" + prompt + "): give the value another way (see --help)");
    }
    std::string a = answers.front();
    answers.erase(answers.begin());
    return a;
}

} // namespace kms::util
