#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <util/error.hpp>
#include <util/process.hpp>

extern char** environ;

namespace kms::util {

namespace {

// The parent's environment with `extra` set on top, as "K=V" strings.
std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& extra)
{
    std::map<std::string, std::string> vars;
    std::vector<std::string> order;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        std::string k = kv.substr(0, eq);
        if (vars.emplace(k, eq == std::string::npos ? "" : kv.substr(eq + 1)).second) {
            order.push_back(k);
        }
    }
    for (const auto& [k, v] : extra) {
        if (vars.count(k) == 0) {
            order.push_back(k);
        }
        vars[k] = v;
    }
    std::vector<std::string> out;
    out.reserve(order.size());
    for (const auto& k : order) {
        out.push_back(k + "=" + vars[k]);
    }
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings)
{
    std::vector<char*> p;
    for (auto& s : strings) {
        p.push_back(s.data());
    }
    p.push_back(nullptr);
    return p;
}

class RealProcessRunner : public ProcessRunner
{
  public:
    ProcessResult run(const ProcessSpec& spec) override
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            throw Error(fmt::format("cannot run {}: pipe: {}", spec.command, std::strerror(errno)));
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        if (!spec.inherit_stdin) {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        }
        std::vector<std::string> argv_s{ spec.command };
        argv_s.insert(argv_s.end(), spec.args.begin(), spec.args.end());
        std::vector<std::string> env_s = child_environment(spec.env);
        auto argv = pointers(argv_s);
        auto envp = pointers(env_s);
        pid_t pid = 0;
        int rc = ::posix_spawnp(&pid, spec.command.c_str(), &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        ProcessResult result;
        if (rc != 0) {
            ::close(fds[0]);
            result.not_found = true;
            result.exit_code = 127;
            return result;
        }
        char buf[8192];
        while (true) {
            ssize_t n = ::read(fds[0], buf, sizeof buf);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;
            }
            result.out.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fds[0]);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (WIFEXITED(status)) {
            result.exit_code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            result.exit_code = 128 + WTERMSIG(status);
        }
        return result;
    }
};

} // namespace

ProcessRunner& real_process_runner()
{
    static RealProcessRunner runner;
    return runner;
}

} // namespace kms::util
