#include <spec/fields.hpp>
#include <spec/parse.hpp>
#include <util/error.hpp>

#include <doctest/doctest.h>

using namespace kms;

namespace {

std::vector<std::string> parse_errors(const std::string& text)
{
    Diagnostics d;
    spec::YamlReader r("s.yaml", d);
    spec::parse_service(YAML::Load(text), r);
    return d.errors();
}

} // namespace

TEST_SUITE("spec::fields")
{
    TEST_CASE("the parser rejects a key the table does not list, suggesting the table's closest key")
    {
        auto errors = parse_errors("name: a\nimage: b\nresources: {cpu: 1, memroy: 1Gi}\n");
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == "s.yaml:3:21: unknown key 'resources.memroy' (did you mean 'memory'?)");
    }

    TEST_CASE("every top-level key of the table is a key the parser knows")
    {
        for (auto key : spec::field_keys("")) {
            auto errors = parse_errors(fmt::format("name: a\nimage: b\n{}: ~\n", key == "name" || key == "image" ? "env"
                                                                                                                 : key));
            for (const auto& e : errors) {
                CHECK_MESSAGE(e.find("unknown key") == std::string::npos, e);
            }
        }
    }

    TEST_CASE("field_keys lists an object's children in table order and refuses non-objects")
    {
        auto keys = spec::field_keys("resources.limits");
        REQUIRE(keys.size() == 2);
        CHECK(keys[0] == "cpu");
        CHECK(keys[1] == "memory");
        CHECK_THROWS_AS(spec::field_keys("image"), Error);
        CHECK_THROWS_AS(spec::field_keys("nope"), Error);
    }

    TEST_CASE("the schema closes every object and carries ranges, enums and alternatives")
    {
        Json s = spec::service_schema();
        CHECK(s["additionalProperties"] == false);
        CHECK(s["properties"]["port"]["minimum"] == 1);
        CHECK(s["properties"]["port"]["maximum"] == 65535);
        CHECK(s["properties"]["resources"]["properties"]["limits"]["additionalProperties"] == false);
        CHECK(s["properties"]["replicas"].contains("anyOf"));
        auto via = s["properties"]["expose"]["anyOf"][0]["properties"]["via"]["enum"];
        CHECK(via == Json::array({"gateway-api", "istio", "ingress"}));
        CHECK(s["properties"]["secrets"]["items"].contains("anyOf"));
    }

    TEST_CASE("explain prints type, description, defaults and child fields, and suggests on a typo")
    {
        std::string text = spec::explain_field("autoscaling");
        CHECK(text.find("FIELD:    autoscaling <Object>") == 0);
        CHECK(text.find("  cpu                   <integer>") != std::string::npos);
        CHECK(spec::explain_field("port").find("Default: 8787") != std::string::npos);
        CHECK_THROWS_WITH(spec::explain_field("autoscaling.cpus"),
                          "field \"autoscaling.cpus\" does not exist (did you mean \"autoscaling.cpu\"?)");
    }
}
