// git::Sources with FakeGit: services read from a commit, `git:` filled, pinned or not, local
// checkouts, and the plain-words errors of resolve.hpp.
#include "error_of.hpp"

#include <git/commit_fs.hpp>
#include <git/fake.hpp>
#include <git/resolve.hpp>
#include <git/sources.hpp>
#include <spec/load.hpp>
#include <util/error.hpp>
#include <util/mount_fs.hpp>

#include <doctest/doctest.h>

#include <string>

using kms::test::error_of;

namespace {

const std::string k_url = "https://git.example/acme/infer.git";

// A FakeGit owned by the test, handed to Sources through a factory that counts its calls.
struct Fixture
{
    kms::git::FakeGit git;
    kms::util::MemoryFs local;
    kms::git::SourceOptions options;
    int opened = 0;
    std::string main_commit;

    Fixture()
    {
        main_commit = git.commit(k_url, "main",
                                 {{"deploy/service.yaml", "image: ghcr.io/acme/infer:1\n"},
                                  {"deploy/pipeline.yaml", "pipeline: {name: p, tasks: []}\n"},
                                  {"README.md", "x"}});
        git.commit(k_url, "dev", {{"deploy/service.yaml", "image: ghcr.io/acme/infer:2\n"}});
        git.repos[k_url].tags["v1"] = main_commit;
    }

    kms::git::Sources sources()
    {
        auto factory = [this] {
            ++opened;
            // Sources owns what the factory returns: hand it a view of the fixture's FakeGit.
            struct View : kms::git::Git
            {
                kms::git::FakeGit& g;
                explicit View(kms::git::FakeGit& fake) : g(fake) {}
                kms::git::Resolved resolve(const std::string& u, const std::string& r) override
                {
                    return g.resolve(u, r);
                }
                std::optional<std::string> read_file(const std::string& u, const std::string& c,
                                                     const std::string& p) override
                {
                    return g.read_file(u, c, p);
                }
                std::optional<std::vector<kms::git::Entry>> list_dir(const std::string& u, const std::string& c,
                                                                     const std::string& p) override
                {
                    return g.list_dir(u, c, p);
                }
                std::vector<std::string> list_paths(const std::string& u, const std::string& c) override
                {
                    return g.list_paths(u, c);
                }
                std::optional<kms::git::LocalCheckout> local_checkout(const std::string& d) override
                {
                    return g.local_checkout(d);
                }
            };
            return std::unique_ptr<kms::git::Git>(new View(git));
        };
        return kms::git::Sources(factory, options, "/work/app", local);
    }

    kms::spec::Loaded load(std::vector<std::string> files, kms::spec::Overrides overrides = {})
    {
        auto src = sources();
        kms::spec::LoadInput in;
        in.files = std::move(files);
        in.cwd = "/work/app";
        in.overrides = std::move(overrides);
        src.prepare(in);
        auto loaded = kms::spec::load_services(in, kms::spec::Config{}, src.fs());
        src.pin(loaded.services);
        return loaded;
    }
};

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_SUITE("git::sources")
{
    TEST_CASE("a service read from a branch gets git: with the branch pinned to its commit")
    {
        Fixture f;
        auto loaded = f.load({"git+" + k_url + "//deploy/service.yaml@main"});
        REQUIRE(loaded.services.size() == 1);
        const auto& s = loaded.services[0];
        CHECK(s.image == "ghcr.io/acme/infer:1");
        CHECK(s.name == "infer"); // from the repository, not from the mount path
        REQUIRE(s.git);
        CHECK(s.git->repo == k_url);
        CHECK(s.git->branch == "main");
        CHECK(s.git->commit == f.main_commit);
        CHECK(s.pos_of("image").file == "git+" + k_url + "@" + f.main_commit.substr(0, 12) + "//deploy/service.yaml");
    }

    TEST_CASE("--no-pin keeps the branch only; a tag pins, or names the tag unpinned")
    {
        Fixture f;
        f.options.pin = false;
        auto unpinned = f.load({"git+" + k_url + "//deploy/service.yaml@dev"});
        CHECK(unpinned.services[0].image == "ghcr.io/acme/infer:2"); // still read at dev's commit
        CHECK(unpinned.services[0].git->branch == "dev");
        CHECK_FALSE(unpinned.services[0].git->commit);
        auto tag = f.load({"git+" + k_url + "//deploy/service.yaml@v1"});
        CHECK(tag.services[0].git->branch == "v1");
        CHECK_FALSE(tag.services[0].git->commit);
        f.options.pin = true;
        auto pinned = f.load({"git+" + k_url + "//deploy/service.yaml@v1"});
        CHECK_FALSE(pinned.services[0].git->branch);
        CHECK(pinned.services[0].git->commit == f.main_commit);
    }

    TEST_CASE("the long form --git-repo --branch --spec reads the same file")
    {
        Fixture f;
        f.options.spec = "deploy/service.yaml";
        kms::spec::Overrides o;
        o.git_repo = k_url;
        o.branch = "dev";
        auto loaded = f.load({}, o);
        REQUIRE(loaded.services.size() == 1);
        CHECK(loaded.services[0].image == "ghcr.io/acme/infer:2");
        CHECK(loaded.services[0].git->branch == "dev");
        CHECK(loaded.services[0].git->commit == f.git.repos[k_url].branches["dev"]);
    }

    TEST_CASE("a directory of the repository is read like -f DIR")
    {
        Fixture f;
        f.git.commit(k_url, "multi", {{"svcs/a.yaml", "name: a\nimage: x\n"}, {"svcs/b.yml", "name: b\nimage: y\n"}});
        auto loaded = f.load({"git+" + k_url + "//svcs@multi"});
        REQUIRE(loaded.services.size() == 2);
        CHECK(loaded.services[0].name == "a");
        CHECK(loaded.services[1].git->branch == "multi");
    }

    TEST_CASE("repo: . in a file from a repository means that repository; another repository is pinned itself")
    {
        Fixture f;
        const std::string other = "https://git.example/acme/code.git";
        std::string code = f.git.commit(other, "trunk", {{"app.py", ""}});
        f.git.commit(k_url, "cfg",
                     {{"a.yaml", "name: a\nimage: x\ngit: {repo: ., branch: cfg}\n"},
                      {"b.yaml", "name: b\nimage: x\ngit: {repo: " + other + "}\n"}});
        auto loaded = f.load({"git+" + k_url + "//@cfg"});
        REQUIRE(loaded.services.size() == 2);
        CHECK(loaded.services[0].git->repo == k_url);
        CHECK(loaded.services[0].git->commit == f.git.repos[k_url].branches["cfg"]);
        CHECK(loaded.services[1].git->repo == other);
        CHECK_FALSE(loaded.services[1].git->branch);
        CHECK(loaded.services[1].git->commit == code); // the default branch, resolved by pin()
    }

    TEST_CASE("a local file with a branch is pinned; without git the module is never made")
    {
        Fixture f;
        f.local.files["/work/app/service.yaml"] = "image: x\ngit: {repo: " + k_url + ", branch: dev}\n";
        f.local.files["/work/app/plain.yaml"] = "image: x\n";
        auto plain = f.load({"/work/app/plain.yaml"});
        CHECK(f.opened == 0);
        auto loaded = f.load({"/work/app/service.yaml"});
        CHECK(loaded.services[0].git->commit == f.git.repos[k_url].branches["dev"]);
        CHECK(f.opened == 1);
    }

    TEST_CASE("refs that name nothing list the closest branches")
    {
        Fixture f;
        std::string msg = error_of([&] { f.load({"git+" + k_url + "//deploy/service.yaml@mian"}); });
        CHECK(msg == "no branch, tag or commit \"mian\" in " + k_url + "; closest branches: main, dev");
        std::string tag = error_of([&] { f.load({"git+" + k_url + "//deploy/service.yaml@v2"}); });
        CHECK(contains(tag, "(or did you mean tag v1?)"));
    }

    TEST_CASE("a path missing at the commit lists what is nearby")
    {
        Fixture f;
        std::string typo = error_of([&] { f.load({"git+" + k_url + "//deploy/servce.yaml@main"}); });
        CHECK(typo == "deploy/servce.yaml: no such file at commit " + f.main_commit.substr(0, 12) + " of " + k_url +
                          " (did you mean deploy/service.yaml?); deploy/ holds: pipeline.yaml, service.yaml");
        std::string nodir = error_of([&] { f.load({"git+" + k_url + "//ops/service.yaml@main"}); });
        CHECK(contains(nodir, "there is no directory ops/; YAML files in the repository: deploy/service.yaml, "
                              "deploy/pipeline.yaml"));
    }

    TEST_CASE("git: {repo: .} and --git-from-cwd take origin, branch and HEAD from the checkout")
    {
        Fixture f;
        kms::git::LocalCheckout co;
        co.root = "/work/app";
        co.origin = "git@git.example:acme/app.git";
        co.branch = "feature";
        co.commit = std::string(40, 'a');
        co.has_remote_branches = true;
        co.on_remote = true;
        f.git.checkouts["/work/app"] = co;
        f.local.files["/work/app/deploy/service.yaml"] = "image: x\ngit: {repo: .}\n";
        auto loaded = f.load({"/work/app/deploy/service.yaml"});
        CHECK(loaded.services[0].git->repo == "git@git.example:acme/app.git");
        CHECK(loaded.services[0].git->branch == "feature");
        CHECK(loaded.services[0].git->commit == co.commit);
        CHECK(loaded.warnings.empty());

        f.options.from_cwd = true;
        f.options.ssh_to_https = true;
        f.git.checkouts["/work/app"].changed_files = 2;
        f.git.checkouts["/work/app"].on_remote = false;
        kms::spec::Overrides o;
        o.image = "x";
        auto cwd = f.load({}, o);
        CHECK(cwd.services[0].git->repo == "https://git.example/acme/app.git");
        REQUIRE(cwd.warnings.size() == 2);
        CHECK(cwd.warnings[0] == "warning: /work/app has 2 uncommitted changes: the cluster clones "
                                 "https://git.example/acme/app.git at aaaaaaaaaaaa and cannot see them (commit and "
                                 "push first)");
        CHECK(contains(cwd.warnings[1], "commit aaaaaaaaaaaa is not on https://git.example/acme/app.git"));
    }

    TEST_CASE("a checkout without origin, or no checkout at all, is an error")
    {
        Fixture f;
        f.options.from_cwd = true;
        kms::spec::Overrides o;
        o.image = "x";
        CHECK(contains(error_of([&] { f.load({}, o); }), "/work/app is not inside a git checkout"));
        kms::git::LocalCheckout co;
        co.root = "/work/app";
        co.commit = std::string(40, 'b');
        f.git.checkouts["/work/app"] = co;
        CHECK(contains(error_of([&] { f.load({}, o); }), "has no remote \"origin\""));
    }

    TEST_CASE("CommitFs resolves . and .. inside the commit and refuses writes; MountFs routes by prefix")
    {
        Fixture f;
        kms::git::CommitFs fs(f.git, k_url, f.main_commit);
        CHECK(fs.read("deploy/../deploy/./service.yaml") == "image: ghcr.io/acme/infer:1\n");
        CHECK_FALSE(fs.read("../README.md"));
        CHECK(fs.is_directory("deploy"));
        CHECK(fs.is_directory(""));
        CHECK(fs.list("") == std::vector<std::string>{"README.md", "deploy"});
        CHECK_THROWS_AS(fs.write_atomic("x", "y", 0644), kms::Error);
        kms::util::MountFs mounts(f.local);
        f.local.files["/a/b.yaml"] = "local";
        mounts.mount("git+x@c//", std::make_unique<kms::git::CommitFs>(f.git, k_url, f.main_commit));
        CHECK(mounts.read("/a/b.yaml") == "local");
        CHECK(mounts.read("git+x@c//README.md") == "x");
        CHECK(mounts.is_directory("git+x@c/"));
    }
}
