#include "scratch_dir.hpp"

#include <render/output.hpp>
#include <util/error.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using kms::Json;
using namespace kms::render;
namespace fs = std::filesystem;

namespace {

Json object(const char* kind, const char* name, const char* ns = nullptr)
{
    Json o = {{"apiVersion", "v1"}, {"kind", kind}, {"metadata", {{"name", name}}}};
    if (ns != nullptr) {
        o["metadata"]["namespace"] = ns;
    }
    return o;
}

std::string read(const fs::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write(const fs::path& p, const std::string& text)
{
    std::ofstream(p) << text;
}

// Names in `dir`, sorted, hidden ones included.
std::vector<std::string> entries(const fs::path& dir)
{
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_SUITE("render::output")
{
    TEST_CASE("parse_output knows yaml, json, name and dir=PATH, and names the flag otherwise")
    {
        CHECK(parse_output("yaml").format == Format::yaml);
        CHECK(parse_output("json").format == Format::json);
        CHECK(parse_output("name").format == Format::name);
        auto d = parse_output("dir=out/manifests");
        CHECK(d.format == Format::dir);
        CHECK(d.dir == "out/manifests");
        for (const char* bad : {"xml", "", "dir=", "YAML", "dir"}) {
            CAPTURE(bad);
            try {
                parse_output(bad);
                FAIL("accepted");
            } catch (const kms::Error& e) {
                CHECK(e.code() == kms::ExitCode::usage);
                CHECK(std::string(e.what()) == std::string("flag --output: unknown output format \"") + bad +
                                                   "\": use yaml, json, name or dir=PATH");
            }
        }
    }

    TEST_CASE("-o name prints kind.group/name lines as kubectl does (core objects without a group)")
    {
        std::vector<Json> objects = {
            Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}})"),
            Json::parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"}})"),
            Json::parse(R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"w"}})"),
            Json::parse(R"({"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r"}})"),
        };
        CHECK(format_objects(objects, Format::name) ==
              "deployment.apps/web\nservice/web\nhorizontalpodautoscaler.autoscaling/w\n"
              "httproute.gateway.networking.k8s.io/r\n");
    }

    TEST_CASE("-o json is one v1 List holding every object, as kubectl prints it")
    {
        std::string text = format_objects({object("Service", "a"), object("ConfigMap", "b")}, Format::json);
        CHECK(text.back() == '\n');
        Json list = Json::parse(text);
        CHECK(list["apiVersion"] == "v1");
        CHECK(list["kind"] == "List");
        CHECK(list["metadata"] == Json::object());
        REQUIRE(list["items"].size() == 2);
        CHECK(list["items"][1]["metadata"]["name"] == "b");
        CHECK(text.find("\n    \"apiVersion\"") != std::string::npos); // 4-space indent like kubectl
        Json empty = Json::parse(format_objects({}, Format::json));
        CHECK(empty["items"] == Json::array());
    }

    TEST_CASE("-o yaml is a multi-document stream")
    {
        CHECK(format_objects({object("Service", "a"), object("ConfigMap", "b")}, Format::yaml) ==
              "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
              "  name: b\n");
    }

    TEST_CASE("object file names are <kind>-<name>.yaml, with the namespace in front only on a collision")
    {
        CHECK(object_file_names({object("Service", "web"), object("HorizontalPodAutoscaler", "web")}) ==
              std::vector<std::string>{"service-web.yaml", "horizontalpodautoscaler-web.yaml"});
        CHECK(object_file_names({object("Service", "web", "a"), object("Service", "web", "b"),
                                 object("Deployment", "web", "a")}) ==
              std::vector<std::string>{"a-service-web.yaml", "b-service-web.yaml", "deployment-web.yaml"});
        CHECK(object_file_names({object("Service", "web", "a"), object("Service", "web")}) ==
              std::vector<std::string>{"a-service-web.yaml", "default-service-web.yaml"});
    }

    TEST_CASE("-o dir writes one file per object and a kustomization.yaml listing them, nothing else")
    {
        kms::test::ScratchDir tmp("kms-output");
        fs::path out = tmp.path / "manifests";
        write_dir({object("Service", "web"), object("Deployment", "web")}, out.string());
        CHECK(entries(out) == std::vector<std::string>{"deployment-web.yaml", "kustomization.yaml", "service-web.yaml"});
        CHECK(read(out / "service-web.yaml") == "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n");
        std::string kust = read(out / "kustomization.yaml");
        CHECK(kust.find("kind: Kustomization\nresources:\n- service-web.yaml\n- deployment-web.yaml\n") !=
              std::string::npos);
        // No temporary siblings are left behind.
        CHECK(entries(tmp.path) == std::vector<std::string>{"manifests"});
    }

    TEST_CASE("-o dir replaces its own previous output completely")
    {
        kms::test::ScratchDir tmp("kms-output");
        fs::path out = tmp.path / "m";
        write_dir({object("Service", "old"), object("Deployment", "old")}, out.string());
        write_dir({object("Service", "new")}, out.string());
        CHECK(entries(out) == std::vector<std::string>{"kustomization.yaml", "service-new.yaml"});
        CHECK(entries(tmp.path) == std::vector<std::string>{"m"});
    }

    TEST_CASE("-o dir accepts an existing empty directory")
    {
        kms::test::ScratchDir tmp("kms-output");
        fs::path out = tmp.path / "empty";
        fs::create_directory(out);
        write_dir({object("Service", "web")}, out.string());
        CHECK(entries(out) == std::vector<std::string>{"kustomization.yaml", "service-web.yaml"});
    }

    TEST_CASE("-o dir refuses a non-empty directory it did not write and leaves it untouched")
    {
        kms::test::ScratchDir tmp("kms-output");
        fs::path out = tmp.path / "theirs";
        fs::create_directory(out);
        write(out / "deployment.yaml", "mine\n");
        try {
            write_dir({object("Service", "web")}, out.string());
            FAIL("accepted a foreign directory");
        } catch (const kms::Error& e) {
            CHECK(e.code() == kms::ExitCode::usage);
            CHECK(std::string(e.what()) == out.string() + ": exists and was not written by 'render -o dir'; remove it "
                                                          "or choose another directory");
        }
        CHECK(entries(out) == std::vector<std::string>{"deployment.yaml"});
        CHECK(read(out / "deployment.yaml") == "mine\n");
        CHECK(entries(tmp.path) == std::vector<std::string>{"theirs"});
        // A kustomization.yaml someone else wrote does not make the directory ours.
        write(out / "kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
        CHECK_THROWS_AS(write_dir({object("Service", "web")}, out.string()), kms::Error);
        CHECK(entries(out) == std::vector<std::string>{"deployment.yaml", "kustomization.yaml"});
    }

    TEST_CASE("-o dir refuses a path that is a file")
    {
        kms::test::ScratchDir tmp("kms-output");
        fs::path out = tmp.path / "file.yaml";
        write(out, "x: 1\n");
        CHECK_THROWS_AS(write_dir({object("Service", "web")}, out.string()), kms::Error);
        CHECK(read(out) == "x: 1\n");
    }

    TEST_CASE("-o dir into a missing parent directory fails without leaving anything")
    {
        kms::test::ScratchDir tmp("kms-output");
        fs::path out = tmp.path / "no" / "such" / "dir";
        CHECK_THROWS_AS(write_dir({object("Service", "web")}, out.string()), kms::Error);
        CHECK(entries(tmp.path).empty());
    }
}
