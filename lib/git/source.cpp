#include <git/source.hpp>
#include <util/error.hpp>
#include <util/strings.hpp>

#include <algorithm>
#include <array>
#include <vector>

namespace kms::git {

namespace {

constexpr std::array<std::string_view, 6> k_source_prefixes = {"git+https://", "git+http://", "git+ssh://",
                                                               "git+git://",   "git+file://", "file://"};

Error usage(std::string_view arg, std::string_view problem)
{
    return Error(fmt::format("{}: {}", arg, problem), ExitCode::usage);
}

// Offset of the path part of a URL with a scheme ("https://host:1/x" → 14), npos when none.
std::size_t path_start(std::string_view url)
{
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) {
        return std::string_view::npos;
    }
    return url.find('/', scheme + 3);
}

std::string_view strip_repo_suffix(std::string_view url)
{
    while (url.ends_with('/')) {
        url.remove_suffix(1);
    }
    if (url.ends_with(".git")) {
        url.remove_suffix(4);
    }
    return url;
}

} // namespace

bool is_source(std::string_view arg)
{
    for (auto p : k_source_prefixes) {
        if (arg.starts_with(p)) {
            return true;
        }
    }
    return false;
}

SourceRef parse_source(std::string_view arg)
{
    if (!is_source(arg)) {
        throw usage(arg, "not a git source: use git+https://HOST/REPO.git//PATH@REF (or git+ssh://, git+git://, "
                         "git+file://, file://)");
    }
    std::string_view rest = arg.starts_with("git+") ? arg.substr(4) : arg;
    check_url(rest, "-f"); // before any message could echo a password
    std::size_t start = path_start(rest);
    if (start == std::string_view::npos || start + 1 >= rest.size()) {
        throw usage(arg, "the URL names no repository");
    }
    // The repository ends at the first "//" of the URL's path (file:///srv/repo//x: past "file://").
    auto sep = rest.find("//", start + 1);
    std::string_view repo = sep == std::string_view::npos ? rest : rest.substr(0, sep);
    std::string_view tail = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 2);
    std::optional<std::string_view> ref;
    if (sep != std::string_view::npos) {
        if (auto at = tail.rfind('@'); at != std::string_view::npos) {
            ref = tail.substr(at + 1);
            tail = tail.substr(0, at);
        }
    } else if (auto at = repo.rfind('@'); at != std::string_view::npos && at > start) {
        // No path, but a ref after the repository ("…/repo.git@main"); an '@' before the path
        // belongs to the user name.
        ref = repo.substr(at + 1);
        repo = repo.substr(0, at);
    }
    if (ref && ref->empty()) {
        throw usage(arg, "nothing follows '@': give a branch, tag or commit");
    }
    if (ref && !is_ref_name(*ref)) {
        throw usage(arg, fmt::format("\"{}\" is not a valid branch, tag or commit name", *ref));
    }
    auto path = normalize_path(tail);
    if (!path) {
        throw usage(arg, fmt::format("the path \"{}\" must stay inside the repository (relative, no '..' above "
                                     "its root)",
                                     tail));
    }
    SourceRef out;
    out.url = std::string(repo);
    out.path = *path;
    out.ref = std::string(ref.value_or(""));
    return out;
}

void check_url(std::string_view url, std::string_view what)
{
    if (url.empty()) {
        throw Error(fmt::format("{}: the repository URL is empty", what), ExitCode::usage);
    }
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) {
        return; // a path or scp-like user@host:path: no password can hide there
    }
    static constexpr std::array<std::string_view, 7> k_schemes = {"https", "http", "ssh", "git", "file", "git+ssh",
                                                                  "ssh+git"};
    std::string_view name = url.substr(0, scheme);
    if (std::find(k_schemes.begin(), k_schemes.end(), name) == k_schemes.end()) {
        throw Error(fmt::format("{}: git cannot fetch over \"{}\" (use https://, http://, ssh://, git:// or file://)",
                                what,
                                name),
                    ExitCode::usage);
    }
    std::string_view authority = url.substr(scheme + 3);
    authority = authority.substr(0, authority.find('/'));
    auto at = authority.rfind('@');
    if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
        // The URL itself is never echoed: it holds the secret.
        throw Error(fmt::format("{}: the repository URL carries a password; remove it and set KMS_GIT_TOKEN or "
                                "--git-token-file instead (URLs end up in manifests, argv and logs)",
                                what),
                    ExitCode::usage);
    }
}

bool is_ref_name(std::string_view ref)
{
    if (ref.empty() || ref.front() == '-' || ref.front() == '/' || ref.back() == '/' || ref.back() == '.' ||
        ref.ends_with(".lock") || ref.find("..") != std::string_view::npos || ref.find("@{") != std::string_view::npos ||
        ref.find("//") != std::string_view::npos || ref == "@") {
        return false;
    }
    for (unsigned char c : ref) {
        if (c <= ' ' || c == 0x7f || std::string_view("~^:?*[\\").find(static_cast<char>(c)) != std::string_view::npos) {
            return false;
        }
    }
    return true;
}

std::optional<std::string> ssh_to_https(std::string_view url)
{
    std::string_view host_and_path;
    if (url.starts_with("ssh://") || url.starts_with("git+ssh://") || url.starts_with("ssh+git://")) {
        std::string_view rest = url.substr(url.find("://") + 3);
        auto slash = rest.find('/');
        if (slash == std::string_view::npos) {
            return std::nullopt;
        }
        std::string_view authority = rest.substr(0, slash);
        if (auto at = authority.rfind('@'); at != std::string_view::npos) {
            authority = authority.substr(at + 1);
        }
        if (auto colon = authority.rfind(':'); colon != std::string_view::npos && !authority.ends_with(']')) {
            authority = authority.substr(0, colon); // the ssh port means nothing to https
        }
        return fmt::format("https://{}{}", authority, rest.substr(slash));
    }
    if (url.find("://") != std::string_view::npos) {
        return std::nullopt;
    }
    auto colon = url.find(':');
    auto slash = url.find('/');
    if (colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon)) {
        return std::nullopt; // a local path
    }
    std::string_view host = url.substr(0, colon);
    if (auto at = host.rfind('@'); at != std::string_view::npos) {
        host = host.substr(at + 1);
    }
    std::string_view path = url.substr(colon + 1);
    while (path.starts_with('/')) {
        path.remove_prefix(1);
    }
    return fmt::format("https://{}/{}", host, path);
}

bool is_local_url(std::string_view url)
{
    if (url.starts_with("file://") || url.starts_with('/') || url.starts_with('.')) {
        return true;
    }
    return url.find("://") == std::string_view::npos && url.find(':') == std::string_view::npos;
}

bool same_repo(std::string_view a, std::string_view b)
{
    return strip_repo_suffix(a) == strip_repo_suffix(b);
}

std::optional<std::string> normalize_path(std::string_view path)
{
    if (path.starts_with('/')) {
        return std::nullopt;
    }
    std::vector<std::string> parts;
    for (const auto& p : util::split(path, '/')) {
        if (p.empty() || p == ".") {
            continue;
        }
        if (p == "..") {
            if (parts.empty()) {
                return std::nullopt;
            }
            parts.pop_back();
            continue;
        }
        parts.push_back(p);
    }
    return util::join(parts, "/");
}

std::string default_cache_dir(const std::string& xdg_cache_home, const std::string& home)
{
    if (!xdg_cache_home.empty()) {
        return xdg_cache_home + "/kubectl-microservice/git";
    }
    if (!home.empty()) {
        return home + "/.cache/kubectl-microservice/git";
    }
    return {};
}

} // namespace kms::git
