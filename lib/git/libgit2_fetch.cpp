// Fetching into a cache. The fetch runs in a forked child so that a server that stops answering
// (connect, ssh handshake, a pack that stalls half way) is bounded by a timeout for certain: the
// parent kills the child, which is exactly a crashed fetch, and the cache must survive that.
#include <git/libgit2_common.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kms::git {

namespace {

long long now_ms()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Messages cross the pipe as one line each, fields separated by tabs.
std::string flatten(std::string s)
{
    for (char& c : s) {
        c = (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
    }
    return s;
}

void report(int fd, const std::string& line)
{
    std::string msg = line + "\n";
    std::size_t done = 0;
    while (done < msg.size()) {
        ssize_t n = ::write(fd, msg.data() + done, msg.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; // the parent is gone; the death signal ends us
        }
        done += static_cast<std::size_t>(n);
    }
}

// Any sign of life from the server keeps the parent's timeout from firing; at most ten a second.
void tick(CallbackState& st, const std::string& line)
{
    long long now = now_ms();
    if (now - st.last_report_ms >= 100) {
        st.last_report_ms = now;
        report(st.report_fd, line);
    }
}

int on_transfer(const git_indexer_progress* stats, void* payload)
{
    auto& st = *static_cast<CallbackState*>(payload);
    tick(st, fmt::format("P {} {} {}", stats->received_objects, stats->total_objects, stats->received_bytes));
    return 0;
}

int on_sideband(const char* /*str*/, int /*len*/, void* payload)
{
    tick(*static_cast<CallbackState*>(payload), "P");
    return 0;
}

[[noreturn]] void child_fail(int fd, int code, const CallbackState& st)
{
    const git_error* e = git_error_last();
    std::string tried;
    for (const auto& t : st.auth.tried) {
        tried += (tried.empty() ? "" : "; ") + t;
    }
    report(fd, fmt::format("E\t{}\t{}\t{}\t{}\t{}\t{}", code, e != nullptr ? e->klass : 0, st.auth.exhausted ? 1 : 0,
                           flatten(tried), flatten(st.auth.host_key_problem), flatten(last_error())));
    ::_exit(1);
}

[[noreturn]] void run_child(int fd, pid_t parent, const std::string& path, const std::string& url,
                            const Options& options)
{
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
        ::_exit(1);
    }
    // libgit2 seeded its TLS random generator in the parent: re-initialise so no two fetches
    // (each a fork of the same parent) draw the same "random" numbers.
    git_libgit2_shutdown();
    git_libgit2_init();
    // Only now: shutdown frees a user agent set before it but keeps the pointer, so requests sent
    // heap garbage (once seen with the system CA bundle in it) and lost their Authorization header.
    git_libgit2_opts(GIT_OPT_SET_USER_AGENT, "kubectl-microservice");

    CallbackState st;
    st.auth = make_auth_state(options.credentials, url);
    st.report_fd = fd;
    RepoPtr repo = open_cache(path);
    if (!repo) {
        child_fail(fd, -1, st);
    }
    git_remote* raw = nullptr;
    if (int rc = git_remote_create_anonymous(&raw, repo.get(), url.c_str()); rc != 0) {
        child_fail(fd, rc, st);
    }
    RemotePtr remote(raw);
    git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
    fo.prune = GIT_FETCH_PRUNE;
    fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE; // the refspecs below take every tag
    fo.update_fetchhead = 0;
    fo.proxy_opts.type = GIT_PROXY_AUTO;
    fo.callbacks.credentials = acquire_credential;
    fo.callbacks.certificate_check = check_certificate;
    fo.callbacks.transfer_progress = on_transfer;
    fo.callbacks.sideband_progress = on_sideband;
    fo.callbacks.payload = &st;
    char heads[] = "+refs/heads/*:refs/heads/*";
    char tags[] = "+refs/tags/*:refs/tags/*";
    char* specs[] = {heads, tags};
    git_strarray refspecs{specs, 2};
    if (int rc = git_remote_fetch(remote.get(), &refspecs, &fo, nullptr); rc != 0) {
        child_fail(fd, rc, st);
    }
    // The remote's HEAD names its default branch: resolving "no ref" reads it from the cache.
    git_buf head = GIT_BUF_INIT;
    if (git_remote_default_branch(&head, remote.get()) == 0) {
        git_reference* ref = nullptr;
        if (git_reference_symbolic_create(&ref, repo.get(), "HEAD", head.ptr, 1, "kubectl-microservice fetch") == 0) {
            git_reference_free(ref);
        }
    }
    git_buf_dispose(&head);
    const git_indexer_progress* s = git_remote_stats(remote.get());
    report(fd, fmt::format("D {} {} {} {}", s->received_objects, s->received_bytes, s->total_objects,
                           s->local_objects));
    ::_exit(0);
}

bool contains(const std::string& text, std::initializer_list<std::string_view> needles)
{
    for (auto n : needles) {
        if (text.find(n) != std::string::npos) {
            return true;
        }
    }
    return false;
}

// Turns the child's "E" line into a message that says what went wrong in plain words.
Error fetch_error(const std::string& url, const std::string& line)
{
    std::vector<std::string> f;
    std::size_t pos = 0;
    while (f.size() < 6) {
        auto tab = line.find('\t', pos);
        f.push_back(line.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos));
        pos = tab == std::string::npos ? line.size() : tab + 1;
    }
    f.push_back(line.substr(pos));
    int code = std::atoi(f[1].c_str());
    int klass = std::atoi(f[2].c_str());
    bool exhausted = f[3] == "1";
    const std::string& tried = f[4];
    const std::string& host_key = f[5];
    const std::string& msg = f[6];
    UrlParts parts = split_url(url);
    if (!host_key.empty()) {
        return Error(fmt::format("cannot fetch {}: {}", url, host_key));
    }
    if (exhausted || code == GIT_EAUTH) {
        return Error(fmt::format("authentication failed for {} (tried: {})", url,
                                 tried.empty() ? "no credentials" : tried));
    }
    std::string lower = msg;
    for (char& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (contains(lower, {"404", "not found", "not exported", "no such repository", "does not appear to be a git repository",
                         "could not find repository", "no such file or directory", "failed to resolve path",
                         "does not exist"})) {
        std::string creds = tried.empty() ? std::string() : fmt::format("; credentials tried: {}", tried);
        return Error(fmt::format("repository not found: {} (or no access to it{}) ({})", url, creds, msg));
    }
    if (klass == GIT_ERROR_NET || klass == GIT_ERROR_OS || klass == GIT_ERROR_SSL ||
        contains(lower, {"failed to connect", "connection refused", "failed to resolve address", "timed out",
                         "early eof", "connection reset"})) {
        std::string host = parts.host.empty() ? url : parts.host;
        if (parts.port != 0) {
            host += fmt::format(":{}", parts.port);
        }
        return Error(fmt::format("cannot reach {} to fetch {}: {}", host, url, msg));
    }
    return Error(fmt::format("cannot fetch {}: {}", url, msg));
}

void log_stats(const Options& options, const std::string& url, const FetchStats& s, long long ms)
{
    if (options.verbosity >= 1 && options.log) {
        options.log(fmt::format("git: fetched {}: received_objects={} received_bytes={} total_objects={} "
                                "local_objects={} in {}ms",
                                url, s.received_objects, s.received_bytes, s.total_objects, s.local_objects, ms));
    }
}

} // namespace

FetchStats fetch(const std::string& path, const std::string& url, const Options& options)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw Error(fmt::format("cannot fetch {}: pipe: {}", url, std::strerror(errno)));
    }
    pid_t parent = ::getpid();
    long long start = now_ms();
    pid_t pid = ::fork();
    if (pid < 0) {
        int err = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw Error(fmt::format("cannot fetch {}: fork: {}", url, std::strerror(err)));
    }
    if (pid == 0) {
        ::close(fds[0]);
        run_child(fds[1], parent, path, url, options);
    }
    ::close(fds[1]);

    std::string buffer;
    std::string final_line;
    bool timed_out = false;
    long long deadline = now_ms() + options.timeout.count();
    while (final_line.empty()) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1 << 30)));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n == 0) {
            continue; // the loop re-checks the deadline
        }
        char chunk[4096];
        ssize_t got = ::read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break; // the child exited (or died) without a final line
        }
        buffer.append(chunk, static_cast<std::size_t>(got));
        for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            deadline = now_ms() + options.timeout.count();
            if (line.starts_with("D ") || line.starts_with("E\t")) {
                final_line = line;
            }
        }
    }
    ::close(fds[0]);
    if (timed_out) {
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!final_line.starts_with("D ")) {
        repair_cache(path);
    }
    if (timed_out) {
        throw Error(fmt::format("timed out fetching {}: nothing received for {}s (--git-timeout); the cache was left "
                                "as it was before",
                                url, static_cast<double>(options.timeout.count()) / 1000.0));
    }
    if (final_line.starts_with("E\t")) {
        throw fetch_error(url, final_line);
    }
    if (final_line.empty()) {
        std::string how = WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                                              : fmt::format("exit status {}", WEXITSTATUS(status));
        throw Error(fmt::format("cannot fetch {}: the fetch process ended without an answer ({})", url, how));
    }
    FetchStats stats;
    stats.fetched = true;
    std::sscanf(final_line.c_str(), "D %zu %zu %zu %zu", &stats.received_objects, &stats.received_bytes,
                &stats.total_objects, &stats.local_objects);
    log_stats(options, url, stats, now_ms() - start);
    return stats;
}

} // namespace kms::git
