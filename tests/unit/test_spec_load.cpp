#include "error_of.hpp"

#include <spec/load.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace kms::spec;

namespace {

std::string name_for_repo(const std::string& repo, const std::string& dir = "/src/some-dir")
{
    Service s;
    if (!repo.empty()) {
        s.git = Git{repo, {}, {}, {}};
    }
    return default_service_name(s, dir);
}

std::vector<std::string> names_of(const Loaded& l)
{
    std::vector<std::string> out;
    for (const auto& s : l.services) {
        out.push_back(s.name);
    }
    return out;
}

std::string error_of(const LoadInput& in, const kms::util::Filesystem& fs)
{
    return kms::test::usage_error_of([&] { load_services(in, Config{}, fs); });
}

} // namespace

TEST_SUITE("spec::load")
{
    TEST_CASE("the default name is the git repository's base name without .git, as a DNS-1123 label")
    {
        CHECK(name_for_repo("https://github.com/acme/infer.git") == "infer");
        CHECK(name_for_repo("https://github.com/acme/Fraud_Detector.git") == "fraud-detector");
        CHECK(name_for_repo("git@github.com:acme/ml.service.git") == "ml-service");
        CHECK(name_for_repo("git@host:repo.git") == "repo"); // scp-like without a path
        CHECK(name_for_repo("https://gitlab.example.com/group/sub/api-server") == "api-server");
        CHECK(name_for_repo("https://github.com/acme/infer.git/") == "infer");
        CHECK(name_for_repo("file:///srv/git/Billing.git") == "billing");
    }

    TEST_CASE("without a usable repository name, the directory's name is used")
    {
        CHECK(name_for_repo("", "/src/My_Api.v2") == "my-api-v2");
        CHECK(name_for_repo("https://example.com/___.git", "/src/fallback") == "fallback");
        CHECK(name_for_repo("", "/src/___").empty());
    }

    TEST_CASE("a file without a name takes its directory's name; flags alone and stdin take the current one")
    {
        kms::util::MemoryFs fs;
        fs.files["apps/Billing_API/service.yaml"] = "image: x\n";
        LoadInput in;
        in.files = {"apps/Billing_API/service.yaml"};
        in.cwd = "/home/u/work";
        CHECK(names_of(load_services(in, Config{}, fs)) == std::vector<std::string>{"billing-api"});

        fs.files["here.yaml"] = "image: x\n";
        in.files = {"here.yaml"};
        CHECK(names_of(load_services(in, Config{}, fs)) == std::vector<std::string>{"work"});

        in.files = {"-"};
        in.stdin_text = "image: x\n";
        CHECK(names_of(load_services(in, Config{}, fs)) == std::vector<std::string>{"work"});

        in.files.clear();
        in.overrides.image = "x";
        CHECK(names_of(load_services(in, Config{}, fs)) == std::vector<std::string>{"work"});
    }

    TEST_CASE("a name that cannot be derived is an error asking for one")
    {
        kms::util::MemoryFs fs;
        LoadInput in;
        in.cwd = "/";
        in.overrides.image = "x";
        CHECK(error_of(in, fs) == "name: cannot derive a name; set 'name' or --name");
    }

    TEST_CASE("a directory: its .yaml and .yml files in name order, other files and kustomization.yaml skipped")
    {
        kms::util::MemoryFs fs;
        fs.files["svc/b.yml"] = "name: b\nimage: x\n";
        fs.files["svc/a.yaml"] = "name: a\nimage: x\n---\nname: c\nimage: x\n";
        fs.files["svc/kustomization.yaml"] = "resources: []\n";
        fs.files["svc/README.md"] = "not yaml\n";
        fs.files["svc/sub/d.yaml"] = "name: d\nimage: x\n";
        LoadInput in;
        in.files = {"svc/"};
        in.cwd = "/w";
        CHECK(names_of(load_services(in, Config{}, fs)) == std::vector<std::string>{"a", "c", "b"});
    }

    TEST_CASE("several inputs are read in the order given")
    {
        kms::util::MemoryFs fs;
        fs.files["one.yaml"] = "name: one\nimage: x\n";
        fs.files["two.yaml"] = "name: two\nimage: x\n";
        LoadInput in;
        in.files = {"two.yaml", "-", "one.yaml"};
        in.stdin_text = "name: three\nimage: x\n";
        in.cwd = "/w";
        CHECK(names_of(load_services(in, Config{}, fs)) == std::vector<std::string>{"two", "three", "one"});
    }

    TEST_CASE("missing inputs, directories without service files and empty inputs are usage errors")
    {
        kms::util::MemoryFs fs;
        fs.files["docs/README.md"] = "x\n";
        fs.files["empty.yaml"] = "";
        LoadInput in;
        in.cwd = "/w";
        in.files = {"nope.yaml"};
        CHECK(error_of(in, fs) == "nope.yaml: no such file or directory");
        in.files = {"docs"};
        CHECK(error_of(in, fs) == "docs: no .yaml or .yml files in this directory");
        in.files = {"empty.yaml"};
        CHECK(error_of(in, fs) == "empty.yaml: no service in this input (it is empty or holds only comments)");
        in.files = {"-"};
        in.stdin_text = "\n# nothing\n";
        CHECK(error_of(in, fs) == "<stdin>: no service in this input (it is empty or holds only comments)");
    }

    TEST_CASE("warnings are returned for stderr, prefixed, and do not stop the load")
    {
        kms::util::MemoryFs fs;
        fs.files["s.yaml"] = "name: a\nimage: x\nrun:\n  script: start.sh\n";
        LoadInput in;
        in.files = {"s.yaml"};
        in.cwd = "/w";
        Loaded l = load_services(in, Config{}, fs);
        REQUIRE(l.warnings.size() == 1);
        CHECK(l.warnings[0] ==
              "warning: s.yaml:4:3: run: no git repository is set, so the script must already be in the image");
    }
}
