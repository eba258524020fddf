// The libgit2 module (loaded from KMS_MODULE_DIR like the binary loads it) against repositories
// made here with the git command-line tool.
#include "scratch_dir.hpp"

#include <git/git.hpp>
#include <util/error.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace {

// Runs a shell command with git isolated from the user's configuration; returns its stdout.
std::string sh(const std::string& dir, const std::string& cmd)
{
    std::string full = "cd '" + dir + "' && export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null " +
                       "GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t && " +
                       cmd + " 2>/dev/null";
    std::string out;
    FILE* p = ::popen(full.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) {
        out.append(buf, n);
    }
    REQUIRE(::pclose(p) == 0);
    while (!out.empty() && out.back() == '\n') {
        out.pop_back();
    }
    return out;
}

// A work repository with one commit on main pushed to a bare "remote", in a temporary directory.
struct Repos
{
    kms::test::ScratchDir scratch{"kms-git-unit"};
    std::string root = scratch.path.string();
    std::string work;
    std::string bare;
    std::string url;

    Repos()
    {
        work = root + "/work";
        bare = root + "/remote.git";
        sh(root, "git init -q -b main work && git init -q --bare -b main remote.git");
        sh(work, "mkdir -p svc && echo 'image: a' > svc/service.yaml && echo hi > start.sh && git add -A && "
                 "git commit -qm one && git tag v1 && git remote add origin ../remote.git && "
                 "git push -q origin main v1");
        url = "file://" + bare;
    }
    std::unique_ptr<kms::git::Git> open() const
    {
        kms::git::Options o;
        o.cache_dir = root + "/cache";
        return kms::git::open(o);
    }
};

} // namespace

TEST_SUITE("git::libgit2")
{
    TEST_CASE("branches, tags and commits resolve to the remote's commit ids")
    {
        Repos r;
        std::string head = sh(r.work, "git rev-parse HEAD");
        auto git = r.open();
        auto main = git->resolve(r.url, "main");
        CHECK(main.commit == head);
        CHECK(main.kind == kms::git::RefKind::branch);
        CHECK(main.stats.fetched);
        CHECK(main.stats.received_objects == 5); // commit, 2 trees, 2 blobs
        auto dflt = git->resolve(r.url, "");
        CHECK(dflt.kind == kms::git::RefKind::head);
        CHECK(dflt.name == "main");
        CHECK(git->resolve(r.url, "v1").kind == kms::git::RefKind::tag);
        auto abbrev = git->resolve(r.url, head.substr(0, 8));
        CHECK(abbrev.kind == kms::git::RefKind::commit);
        CHECK(abbrev.commit == head);
        auto missing = git->resolve(r.url, "mian");
        CHECK(missing.commit.empty());
        CHECK(missing.branches == std::vector<std::string>{"main"});
        CHECK(missing.tags == std::vector<std::string>{"v1"});
    }

    TEST_CASE("files and directories are read at a commit without a work tree")
    {
        Repos r;
        auto git = r.open();
        std::string c = git->resolve(r.url, "main").commit;
        CHECK(git->read_file(r.url, c, "svc/service.yaml") == "image: a\n");
        CHECK_FALSE(git->read_file(r.url, c, "svc"));
        CHECK_FALSE(git->read_file(r.url, c, "nope.yaml"));
        auto root = git->list_dir(r.url, c, "");
        REQUIRE(root);
        REQUIRE(root->size() == 2);
        CHECK(root->at(0).name == "start.sh");
        CHECK(root->at(1).name == "svc");
        CHECK(root->at(1).directory);
        CHECK_FALSE(git->list_dir(r.url, c, "start.sh"));
        CHECK(git->list_paths(r.url, c) == std::vector<std::string>{"start.sh", "svc/service.yaml"});
    }

    TEST_CASE("a second process fetches only the new objects, and a cached full commit needs no fetch")
    {
        Repos r;
        std::string first = r.open()->resolve(r.url, "main").commit;
        sh(r.work, "echo two > start.sh && git commit -qam two && git push -q origin main");
        auto again = r.open()->resolve(r.url, "main");
        CHECK(again.commit == sh(r.work, "git rev-parse HEAD"));
        CHECK(again.stats.received_objects == 3); // commit, root tree, blob
        std::filesystem::remove_all(r.bare);      // the server is gone: a full id is still answered
        auto cached = r.open()->resolve(r.url, first);
        CHECK(cached.commit == first);
        CHECK_FALSE(cached.stats.fetched);
    }

    TEST_CASE("a missing repository is an error in plain words")
    {
        Repos r;
        try {
            r.open()->resolve("file://" + r.root + "/nope.git", "main");
            FAIL("no error");
        } catch (const kms::Error& e) {
            CHECK(std::string(e.what()).find("repository not found: file://" + r.root + "/nope.git") !=
                  std::string::npos);
        }
    }

    TEST_CASE("a local checkout reports origin, branch, HEAD, changes and whether HEAD was pushed")
    {
        Repos r;
        auto git = r.open();
        auto co = git->local_checkout(r.work + "/svc");
        REQUIRE(co);
        CHECK(co->root == r.work);
        CHECK(co->origin == "../remote.git");
        CHECK(co->branch == "main");
        CHECK(co->commit == sh(r.work, "git rev-parse HEAD"));
        CHECK(co->changed_files == 0);
        CHECK(co->has_remote_branches);
        CHECK(co->on_remote);
        sh(r.work, "echo z > svc/extra.yaml && git add svc && git commit -qm local && echo x > new.txt && "
                   "echo y >> start.sh");
        co = git->local_checkout(r.work);
        CHECK(co->changed_files == 2);
        CHECK_FALSE(co->on_remote);
        CHECK_FALSE(git->local_checkout(r.root));
    }
}
