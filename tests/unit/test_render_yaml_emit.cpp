#include <render/yaml_emit.hpp>

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

using kms::Json;
using kms::render::to_yaml;
using kms::render::to_yaml_stream;

namespace {

// Strings a YAML 1.1 reader (kubectl, PyYAML) or a YAML 1.2 reader would take for a bool, null,
// number or timestamp when written plain.
const std::vector<std::string> k_typed_lookalikes = {
    "true", "false", "True", "FALSE", "yes", "no", "Yes", "NO", "y", "n", "Y", "on", "off", "On", "OFF",
    "null", "Null", "NULL", "~", "0", "1", "-1", "+1", "00", "012", "1.0", "-1.5", ".5", "1.", "1e3", "1E-3",
    "6.02e+23", "0x1F", "0o17", "0b101", "1_000", "12:30", "190:20:30.15", "-0", ".inf", "-.inf", "+.inf",
    ".nan", ".NaN", ".Inf", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5"};

// Strings with YAML syntax in them that must survive a round trip as the same string.
const std::vector<std::string> k_tricky = {
    "", " lead", "trail ", "a: b", "a #b", "#comment", "- item", "-", "?", ":", "[x]", "{x}", "*alias",
    "&anchor", "!tag", "|", ">", "'single'", "\"double\"", "%percent", "@at", "`back", "multi\nline",
    "multi\nline\n", "ends\n\n", "\n leading newline", "a\n  indented", "\ttab", "tab\tinside", "\x01" "ctl",
    "bell\x07", "del\x7f", "unicode \xc3\xa9 \xe2\x9c\x93", "space \nnext", "a\n \nb", "---", "...", "--- x",
    "a\r\nb", "x: ", "key:", "http://x:80/", "=", "<<", "a,b", "a, b", "back\\slash", "quote\"inside",
    "single'inside", "x:y", "-x", "?x", ":x", "- ", "#", "a\tb: c", "{", "}", "]", ",", "1:2:x"};

// A yaml-cpp node as Json, resolving plain scalars the way a YAML 1.2 core-schema reader does.
Json to_json(const YAML::Node& n)
{
    switch (n.Type()) {
    case YAML::NodeType::Map: {
        Json o = Json::object();
        for (auto it = n.begin(); it != n.end(); ++it) {
            o[it->first.Scalar()] = to_json(it->second);
        }
        return o;
    }
    case YAML::NodeType::Sequence: {
        Json a = Json::array();
        for (const auto& item : n) {
            a.push_back(to_json(item));
        }
        return a;
    }
    case YAML::NodeType::Scalar: {
        const std::string& s = n.Scalar();
        if (n.Tag() == "!") {
            return s; // quoted or a block scalar: a string whatever it reads like
        }
        if (s == "true" || s == "false") {
            return s == "true";
        }
        std::size_t digits_from = !s.empty() && s[0] == '-' ? 1 : 0;
        bool is_int = s.size() > digits_from && s.find_first_not_of("0123456789", digits_from) == std::string::npos;
        if (is_int) {
            return std::stoll(s);
        }
        return s;
    }
    default:
        return nullptr;
    }
}

Json round_trip(const Json& value)
{
    return to_json(YAML::Load(to_yaml(value)));
}

} // namespace

TEST_SUITE("render::yaml_emit")
{
    TEST_CASE("strings that read as another type are double-quoted")
    {
        for (const auto& s : k_typed_lookalikes) {
            CAPTURE(s);
            std::string out = to_yaml(Json{{"v", s}});
            CHECK(out.rfind("v: \"", 0) == 0);
            YAML::Node n = YAML::Load(out);
            CHECK(n["v"].Tag() == "!");
            CHECK(n["v"].Scalar() == s);
        }
    }

    TEST_CASE("ordinary strings stay plain")
    {
        for (const char* s : {"hello", "ghcr.io/acme/infer:1.4", "/healthz", "compute,utility", "http://ml-service1",
                              "kubernetes.io/h2c", "a:b", "x-1", "v1.2.3", "2.3-cu121", "nvidia-tesla-t4",
                              "yes-please", "true.value", "1.2.3", "12:3a", "-x", "hello world"}) {
            CAPTURE(s);
            CHECK(to_yaml(Json{{"v", s}}) == std::string("v: ") + s + "\n");
        }
    }

    TEST_CASE("tricky strings round-trip through yaml-cpp unchanged")
    {
        for (const auto& s : k_tricky) {
            CAPTURE(s);
            std::string out = to_yaml(Json{{"v", s}, {"list", Json::array({s, s})}});
            CAPTURE(out);
            YAML::Node n;
            REQUIRE_NOTHROW(n = YAML::Load(out));
            CHECK(n["v"].Scalar() == s);
            CHECK(n["list"][1].Scalar() == s);
            // Whatever the form, a string comes back as a string.
            CHECK(to_json(n["v"]) == Json(s));
        }
    }

    TEST_CASE("tricky strings round-trip as a whole document and as top-level keys (line start: --- and ...)")
    {
        for (const auto& s : k_tricky) {
            CAPTURE(s);
            std::string alone = to_yaml(Json(s));
            CAPTURE(alone);
            YAML::Node n;
            REQUIRE_NOTHROW(n = YAML::Load(alone));
            CHECK(to_json(n) == Json(s));
            std::string keyed = to_yaml(Json{{s, "v"}});
            CAPTURE(keyed);
            REQUIRE_NOTHROW(n = YAML::Load(keyed));
            REQUIRE(n.IsMap());
            CHECK(n[s].Scalar() == "v");
        }
    }

    TEST_CASE("map keys that read as another type are quoted too")
    {
        std::string out = to_yaml(Json{{"on", "a"}, {"1.0", "b"}, {"plain", "c"}});
        CHECK(out == "\"on\": a\n\"1.0\": b\nplain: c\n");
        YAML::Node n = YAML::Load(out);
        CHECK(n["on"].Scalar() == "a");
    }

    TEST_CASE("numbers, booleans and null are written plain")
    {
        CHECK(to_yaml(Json{{"i", 8787}, {"neg", -3}, {"b", true}, {"f", false}, {"z", nullptr}, {"d", 0.5}}) ==
              "i: 8787\nneg: -3\nb: true\nf: false\nz: null\nd: 0.5\n");
    }

    TEST_CASE("multi-line strings become literal blocks, with |- when there is no final newline")
    {
        CHECK(to_yaml(Json{{"script", "echo a\necho b\n"}}) == "script: |\n  echo a\n  echo b\n");
        CHECK(to_yaml(Json{{"script", "echo a\necho b"}}) == "script: |-\n  echo a\n  echo b\n");
        // An empty line inside the block stays empty (no trailing spaces).
        CHECK(to_yaml(Json{{"s", "a\n\nb\n"}}) == "s: |\n  a\n\n  b\n");
        // In a list, the block is indented under the item.
        CHECK(to_yaml(Json{{"command", Json::array({"sh", "-c", "set -e\nrun\n"})}}) ==
              "command:\n- sh\n- -c\n- |\n  set -e\n  run\n");
    }

    TEST_CASE("strings a literal block cannot carry exactly are double-quoted instead")
    {
        CHECK(to_yaml(Json{{"s", "ends\n\n"}}) == "s: \"ends\\n\\n\"\n");
        CHECK(to_yaml(Json{{"s", " lead\nx"}}) == "s: \" lead\\nx\"\n");
        CHECK(to_yaml(Json{{"s", "tab\there\nx"}}) == "s: \"tab\\there\\nx\"\n");
    }

    TEST_CASE("empty maps and lists are written inline")
    {
        CHECK(to_yaml(Json{{"a", Json::object()}, {"b", Json::array()}}) == "a: {}\nb: []\n");
        CHECK(to_yaml(Json::object()) == "{}\n");
        CHECK(to_yaml(Json::array()) == "[]\n");
        CHECK(to_yaml(Json{{"l", Json::array({Json::object(), Json::array()})}}) == "l:\n- {}\n- []\n");
    }

    TEST_CASE("lists sit at their key's indentation and maps in lists start on the dash line (kubectl layout)")
    {
        Json v = {{"spec",
                   {{"containers",
                     Json::array({{{"name", "web"}, {"ports", Json::array({{{"name", "http"}, {"containerPort", 80}}})}}})}}}};
        CHECK(to_yaml(v) == "spec:\n"
                            "  containers:\n"
                            "  - name: web\n"
                            "    ports:\n"
                            "    - name: http\n"
                            "      containerPort: 80\n");
    }

    TEST_CASE("nested lists and deep structures round-trip with their types")
    {
        Json v = {{"matrix", Json::array({Json::array({1, 2}), Json::array({Json::array({"x", "true"})}), Json::array()})},
                  {"deep", {{"a", {{"b", {{"c", Json::array({{{"d", "1.0"}}, {{"e", nullptr}}})}}}}}}},
                  {"mixed", Json::array({"plain", 3, false, "yes", Json::object(), "multi\nline\n"})}};
        CHECK(round_trip(v) == v);
    }

    TEST_CASE("the same value always gives the same bytes, in insertion order")
    {
        Json v = Json::object();
        v["zeta"] = 1;
        v["alpha"] = 2;
        CHECK(to_yaml(v) == "zeta: 1\nalpha: 2\n");
        CHECK(to_yaml(v) == to_yaml(v));
    }

    TEST_CASE("a stream separates documents with --- and each parses on its own")
    {
        std::vector<Json> objects = {Json{{"kind", "Service"}}, Json{{"kind", "Deployment"}}};
        std::string out = to_yaml_stream(objects);
        CHECK(out == "kind: Service\n---\nkind: Deployment\n");
        auto docs = YAML::LoadAll(out);
        REQUIRE(docs.size() == 2);
        CHECK(docs[1]["kind"].Scalar() == "Deployment");
        CHECK(to_yaml_stream({}).empty());
    }
}
