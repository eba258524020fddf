#include <git/resolve.hpp>
#include <git/source.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>
#include <util/strings.hpp>

#include <algorithm>

namespace kms::git {

namespace {

constexpr std::size_t k_max_listed = 10;

// The names closest to `word` first (edit distance, then alphabetical), at most `n` of them.
std::vector<std::string> closest(const std::string& word, std::vector<std::string> names, std::size_t n)
{
    std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
        return util::edit_distance(word, a) < util::edit_distance(word, b);
    });
    if (names.size() > n) {
        names.resize(n);
    }
    return names;
}

// "a, b, c" or "a, b, … and 12 more".
std::string listing(const std::vector<std::string>& names)
{
    if (names.size() <= k_max_listed) {
        return util::join(names, ", ");
    }
    std::vector<std::string> head(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(k_max_listed));
    return fmt::format("{}, … and {} more", util::join(head, ", "), names.size() - k_max_listed);
}

std::string short_id(const std::string& commit)
{
    return commit.substr(0, 12);
}

Error ref_not_found(const std::string& url, const std::string& ref, const Resolved& r)
{
    if (ref.empty()) {
        if (r.branches.empty()) {
            return Error(fmt::format("{} has no branches: the repository is empty", url), ExitCode::usage);
        }
        return Error(fmt::format("{} names no default branch (HEAD): give a branch ({})", url, listing(r.branches)),
                     ExitCode::usage);
    }
    std::string msg = fmt::format("no branch, tag or commit \"{}\" in {}", ref, url);
    if (r.branches.empty()) {
        msg += " (it has no branches)";
    } else {
        msg += fmt::format("; closest branches: {}", util::join(closest(ref, r.branches, 3), ", "));
    }
    if (auto tag = util::closest_match(ref, r.tags)) {
        msg += fmt::format(" (or did you mean tag {}?)", *tag);
    }
    return Error(msg, ExitCode::usage);
}

} // namespace

Resolved resolve_ref(Git& git, const std::string& url, const std::string& ref)
{
    check_url(url, "git repository");
    Resolved r = git.resolve(url, ref);
    if (r.commit.empty()) {
        throw ref_not_found(url, ref, r);
    }
    return r;
}

std::string current_commit(Git& git, const spec::Git& g)
{
    return resolve_ref(git, g.repo, g.branch.value_or("")).commit;
}

std::optional<Resolved> pin(Git& git, spec::Git& g)
{
    if (g.commit) {
        return std::nullopt;
    }
    Resolved r = resolve_ref(git, g.repo, g.branch.value_or(""));
    g.commit = r.commit;
    return r;
}

void require_path(Git& git, const std::string& url, const std::string& commit, const std::string& path)
{
    if (path.empty() || git.read_file(url, commit, path) || git.list_dir(url, commit, path)) {
        return;
    }
    std::vector<std::string> all = git.list_paths(url, commit);
    std::string msg = fmt::format("{}: no such file at commit {} of {}", path, short_id(commit), url);
    if (auto guess = util::closest_match(path, all)) {
        msg += fmt::format(" (did you mean {}?)", *guess);
    }
    std::string dir = util::dir_name(path);
    dir = dir == "." ? std::string() : dir;
    if (auto entries = git.list_dir(url, commit, dir)) {
        std::vector<std::string> names;
        for (const auto& e : *entries) {
            names.push_back(e.directory ? e.name + "/" : e.name);
        }
        msg += fmt::format("; {} holds: {}", dir.empty() ? std::string("the repository root") : dir + "/",
                           names.empty() ? std::string("nothing") : listing(names));
    } else {
        std::vector<std::string> yaml;
        for (const auto& p : all) {
            if (util::ends_with(p, ".yaml") || util::ends_with(p, ".yml")) {
                yaml.push_back(p);
            }
        }
        msg += fmt::format("; there is no directory {}/; YAML files in the repository: {}", dir,
                           yaml.empty() ? std::string("none") : listing(closest(path, yaml, yaml.size())));
    }
    throw Error(msg, ExitCode::usage);
}

std::string describe(const Resolved& r)
{
    switch (r.kind) {
    case RefKind::head:
        return fmt::format("the default branch ({})", r.name);
    case RefKind::branch:
        return "branch " + r.name;
    case RefKind::tag:
        return "tag " + r.name;
    case RefKind::commit:
        return "commit " + short_id(r.commit);
    }
    return {};
}

} // namespace kms::git
