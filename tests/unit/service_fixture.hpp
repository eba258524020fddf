#pragma once

// Helpers for tests that go through the real loader and renderer: a service file given as text is
// put into a MemoryFs as "service.yaml" and loaded with spec::load_services, as `render -f` does.

#include "error_of.hpp"

#include <render/render.hpp>
#include <spec/config.hpp>
#include <spec/load.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace kms::test {

struct ServiceInput
{
    std::string yaml;             // service.yaml; empty: no file, flags only
    // Initialised here so that ServiceInput{yaml} leaves no field without an initialiser.
    spec::Overrides overrides{};    // the flags
    std::string config_yaml{};      // the user config as "config.yaml"; empty: none
    std::string cwd = "/work/app"; // for names derived from the directory
};

inline spec::Config load_test_config(const std::string& config_yaml)
{
    util::MemoryFs fs;
    if (config_yaml.empty()) {
        return spec::Config{};
    }
    fs.files["config.yaml"] = config_yaml;
    return spec::load_config("config.yaml", fs);
}

inline spec::Loaded load(const ServiceInput& in)
{
    util::MemoryFs fs;
    spec::LoadInput li;
    if (!in.yaml.empty()) {
        fs.files["service.yaml"] = in.yaml;
        li.files = {"service.yaml"};
    }
    li.cwd = in.cwd;
    li.overrides = in.overrides;
    return spec::load_services(li, load_test_config(in.config_yaml), fs);
}

// The one service `yaml` describes; fails the test when loading throws.
inline spec::Service load_one(const ServiceInput& in)
{
    spec::Loaded l;
    try {
        l = load(in);
    } catch (const Error& e) {
        FAIL("unexpected error: " << std::string(e.what()));
    }
    REQUIRE(l.services.size() == 1);
    return l.services.front();
}

inline spec::Service load_one(const std::string& yaml)
{
    return load_one(ServiceInput{yaml});
}

// The message load_services throws (with exit code 2), or "" when it loads.
inline std::string load_error(const ServiceInput& in)
{
    return usage_error_of([&] { load(in); });
}

inline std::string load_error(const std::string& yaml)
{
    return load_error(ServiceInput{yaml});
}

inline render::Rendered render_text(const ServiceInput& in)
{
    auto l = load(in);
    return render::render_all(l.services, load_test_config(in.config_yaml));
}

inline render::Rendered render_text(const std::string& yaml)
{
    return render_text(ServiceInput{yaml});
}

// The rendered object of `kind` ("Deployment", …); fails the test when there is not exactly one.
inline Json object_of_kind(const std::vector<Json>& objects, const std::string& kind)
{
    std::vector<Json> found;
    for (const auto& o : objects) {
        if (o.value("kind", "") == kind) {
            found.push_back(o);
        }
    }
    REQUIRE_MESSAGE(found.size() == 1, "objects of kind " << kind << ": " << found.size());
    return found.front();
}

inline bool has_kind(const std::vector<Json>& objects, const std::string& kind)
{
    for (const auto& o : objects) {
        if (o.value("kind", "") == kind) {
            return true;
        }
    }
    return false;
}

// The main container of the Deployment among `objects`.
inline Json main_container(const std::vector<Json>& objects)
{
    return object_of_kind(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0];
}

// The env entry named `name` of a container, or null.
inline Json env_entry(const Json& container, const std::string& name)
{
    for (const auto& e : container.value("env", Json::array())) {
        if (e["name"] == name) {
            return e;
        }
    }
    return nullptr;
}

} // namespace kms::test
