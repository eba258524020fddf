#include "git_flags.hpp"

#include <git/source.hpp>
#include <util/duration.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace kms::cli {

namespace {

std::string env(const char* name)
{
    const char* v = std::getenv(name);
    return v != nullptr ? std::string(v) : std::string();
}

void log_line(const std::string& line)
{
    std::cerr << line << '\n';
}

std::chrono::milliseconds git_timeout(const GitFlags& f)
{
    auto timeout = util::parse_duration(f.timeout);
    if (!timeout || timeout->count() == 0) {
        throw Error(fmt::format("--git-timeout: \"{}\" is not a positive duration (e.g. 30s, 2m)", f.timeout),
                    ExitCode::usage);
    }
    return *timeout;
}

} // namespace

void add_git_flags(CLI::App& sub, GitFlags& f)
{
    const char* group = "Git flags";
    sub.add_option("--spec", f.spec, "Service file inside --git-repo, read at --commit or --branch (default branch)")
        ->group(group);
    sub.add_flag("--no-pin", f.no_pin, "Keep git branches as given instead of pinning them to their current commit")
        ->group(group);
    sub.add_flag("--git-from-cwd", f.from_cwd,
                 "Take git repo (origin), branch and commit from the checkout in the current directory")
        ->group(group);
    sub.add_flag("--git-ssh-to-https", f.ssh_to_https, "Turn an ssh origin URL into https for the cluster")
        ->group(group);
    add_git_access_flags(sub, f);
}

void add_git_access_flags(CLI::App& sub, GitFlags& f)
{
    const char* group = "Git flags";
    sub.add_option("--git-ssh-key", f.ssh_key, "Private ssh key file (default: ssh-agent, then ~/.ssh/id_*)")
        ->group(group);
    sub.add_option("--git-token-file", f.token_file,
                   "File holding the https token for git (else $KMS_GIT_TOKEN; never pass it as an argument)")
        ->group(group);
    sub.add_option("--git-known-hosts", f.known_hosts,
                   "known_hosts file for ssh host keys (repeatable; default ~/.ssh/known_hosts and "
                   "/etc/ssh/ssh_known_hosts)")
        ->group(group);
    sub.add_option("--git-timeout", f.timeout, "Give up a git fetch that receives nothing for this long (default 60s)")
        ->group(group);
}

git::Options git_options(const GitFlags& f, int verbosity)
{
    git::Options o;
    std::string home = env("HOME");
    o.cache_dir = git::default_cache_dir(env("XDG_CACHE_HOME"), home);
    o.timeout = git_timeout(f);
    auto& c = o.credentials;
    if (!f.token_file.empty()) {
        auto text = util::real_fs().read(f.token_file);
        if (!text) {
            throw Error(fmt::format("--git-token-file: {}: no such file", f.token_file), ExitCode::usage);
        }
        c.token = std::string(util::trim(*text));
        if (c.token.empty()) {
            throw Error(fmt::format("--git-token-file: {} is empty", f.token_file), ExitCode::usage);
        }
        c.token_source = "--git-token-file " + f.token_file;
    } else if (!env("KMS_GIT_TOKEN").empty()) {
        c.token = env("KMS_GIT_TOKEN");
        c.token_source = "KMS_GIT_TOKEN";
    }
    c.username = env("KMS_GIT_USERNAME");
    // Checked now, not when a fetch first needs it (after a connection, or never for a cached commit).
    if (!f.ssh_key.empty() && !std::filesystem::is_regular_file(f.ssh_key)) {
        throw Error(fmt::format("--git-ssh-key: {}: no such file", f.ssh_key), ExitCode::usage);
    }
    c.ssh_key = f.ssh_key;
    c.ssh_passphrase = env("KMS_GIT_SSH_PASSPHRASE");
    c.home = home;
    c.known_hosts = f.known_hosts;
    if (c.known_hosts.empty()) {
        if (!home.empty()) {
            c.known_hosts.push_back(home + "/.ssh/known_hosts");
        }
        c.known_hosts.emplace_back("/etc/ssh/ssh_known_hosts");
    }
    o.verbosity = verbosity;
    o.log = log_line;
    return o;
}

git::Sources make_sources(const GitFlags& f, int verbosity, const std::string& cwd)
{
    git_timeout(f); // a bad flag is an error even when no input needs git
    git::SourceOptions so;
    so.pin = !f.no_pin;
    if (!f.spec.empty()) {
        so.spec = f.spec;
    }
    so.from_cwd = f.from_cwd;
    so.ssh_to_https = f.ssh_to_https;
    so.verbosity = verbosity;
    so.log = log_line;
    // Options (and the token file) are read only when git is actually needed.
    auto factory = [f, verbosity] { return git::open(git_options(f, verbosity)); };
    return git::Sources(factory, so, cwd, util::real_fs());
}

} // namespace kms::cli
