#include <spec/scaffold.hpp>

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <string>

using namespace kms::spec;

namespace {

const ScaffoldFile* find(const std::vector<ScaffoldFile>& files, const std::string& path)
{
    for (const auto& f : files) {
        if (f.path == path) {
            return &f;
        }
    }
    return nullptr;
}

} // namespace

TEST_SUITE("spec::scaffold")
{
    TEST_CASE("template names")
    {
        CHECK(parse_scaffold_kind("shell") == ScaffoldKind::shell);
        CHECK(parse_scaffold_kind("pipeline") == ScaffoldKind::pipeline);
        CHECK(parse_scaffold_kind("command") == ScaffoldKind::command);
        CHECK_FALSE(parse_scaffold_kind("Shell"));
        CHECK_FALSE(parse_scaffold_kind(""));
    }

    TEST_CASE("shell: service.yaml runs an executable start.sh in seed 000's shape")
    {
        auto files = scaffold({"hello", ScaffoldKind::shell, std::nullopt});
        REQUIRE(files.size() == 2);
        const auto* svc = find(files, "service.yaml");
        const auto* sh = find(files, "start.sh");
        REQUIRE(svc != nullptr);
        REQUIRE(sh != nullptr);
        CHECK(svc->mode == 0644);
        CHECK(sh->mode == 0755);
        YAML::Node doc = YAML::Load(svc->content);
        CHECK(doc["name"].as<std::string>() == "hello");
        CHECK(doc["run"]["script"].as<std::string>() == "start.sh");
        CHECK_FALSE(doc["git"].IsDefined()); // commented out without a checkout
        CHECK(svc->content.find("#   repo: https://github.com/acme/hello.git") != std::string::npos);
        CHECK(sh->content.rfind("#!/bin/bash\n", 0) == 0);
        CHECK(sh->content.find("set -e\n") != std::string::npos);
        CHECK(sh->content.find("PROJECT_DIR=\"$(cd -P \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"") !=
              std::string::npos);
    }

    TEST_CASE("pipeline: service.yaml names pipeline.yaml, which names the service")
    {
        auto files = scaffold({"etl", ScaffoldKind::pipeline, std::nullopt});
        REQUIRE(files.size() == 2);
        YAML::Node svc = YAML::Load(find(files, "service.yaml")->content);
        CHECK(svc["run"]["pipeline"].as<std::string>() == "pipeline.yaml");
        YAML::Node pipe = YAML::Load(find(files, "pipeline.yaml")->content);
        CHECK(pipe["pipeline"]["name"].as<std::string>() == "etl");
        CHECK(pipe["pipeline"]["tasks"].size() == 2);
    }

    TEST_CASE("command: only service.yaml, with a command")
    {
        auto files = scaffold({"api", ScaffoldKind::command, std::nullopt});
        REQUIRE(files.size() == 1);
        YAML::Node svc = YAML::Load(files[0].content);
        CHECK(svc["run"]["command"][0].as<std::string>() == "python");
        CHECK(svc["port"].as<int>() == 8787);
    }

    TEST_CASE("a checkout fills git: with its origin and branch; the commit stays a comment")
    {
        ScaffoldGit g{"https://example.com/acme/app.git", "dev", "0123456789abcdef0123456789abcdef01234567"};
        auto files = scaffold({"app", ScaffoldKind::shell, g});
        const auto& text = find(files, "service.yaml")->content;
        YAML::Node svc = YAML::Load(text);
        CHECK(svc["git"]["repo"].as<std::string>() == g.repo);
        CHECK(svc["git"]["branch"].as<std::string>() == "dev");
        CHECK_FALSE(svc["git"]["commit"].IsDefined());
        CHECK(text.find("# commit: " + g.commit) != std::string::npos);
    }

    TEST_CASE("no placeholder is left in any file of any template")
    {
        ScaffoldGit g{"https://example.com/x.git", "main", "0123456"};
        for (auto kind : {ScaffoldKind::shell, ScaffoldKind::pipeline, ScaffoldKind::command}) {
            for (const auto& git : {std::optional<ScaffoldGit>{}, std::optional<ScaffoldGit>{g}}) {
                for (const auto& f : scaffold({"x", kind, git})) {
                    INFO(f.path);
                    CHECK(f.content.find("{{") == std::string::npos);
                    CHECK(f.content.find("}}") == std::string::npos);
                }
            }
        }
    }
}
