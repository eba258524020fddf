#include <util/interrupt.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>
#include <unistd.h>

namespace kms::util {

namespace {

// Two buffers, so the handler never reads one that is being written: `g_current` names the
// complete one.
constexpr std::size_t k_size = 512;
char g_messages[2][k_size];
std::atomic<int> g_current{ -1 };
std::mutex g_mutex;

extern "C" void say_and_exit(int sig)
{
    int i = g_current.load();
    if (i >= 0) {
        const char* m = g_messages[i];
        ssize_t rc = ::write(STDERR_FILENO, m, std::strlen(m));
        (void)rc;
    }
    ::_exit(128 + sig);
}

} // namespace

void on_interrupt(const std::string& what)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    int next = g_current.load() == 0 ? 1 : 0;
    std::string line = "\ninterrupted: " + what + "\n";
    std::size_t n = std::min(line.size(), k_size - 1);
    std::memcpy(g_messages[next], line.data(), n);
    g_messages[next][n] = '\0';
    bool first = g_current.exchange(next) < 0;
    if (first) {
        struct sigaction sa
        {
        };
        sa.sa_handler = say_and_exit;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, nullptr);
        ::sigaction(SIGTERM, &sa, nullptr);
    }
}

} // namespace kms::util
