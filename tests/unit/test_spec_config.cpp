#include "error_of.hpp"
#include "service_fixture.hpp"

#include <spec/config.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>

using kms::test::load_error;
using kms::test::load_one;
using kms::test::ServiceInput;
using namespace kms::spec;

namespace {

// Sets (or, with nullopt, unsets) an environment variable for the lifetime of the object.
class ScopedEnv
{
public:
    ScopedEnv(const char* name, std::optional<std::string> value) : m_name(name)
    {
        if (const char* old = std::getenv(name)) {
            m_old = old;
        }
        set(value);
    }
    ~ScopedEnv() { set(m_old); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    void set(const std::optional<std::string>& v)
    {
        if (v) {
            ::setenv(m_name, v->c_str(), 1);
        } else {
            ::unsetenv(m_name);
        }
    }
    const char* m_name;
    std::optional<std::string> m_old;
};

Config config_from(const std::string& text)
{
    kms::util::MemoryFs fs;
    fs.files["/home/u/.config/kubectl-microservice/config.yaml"] = text;
    return load_config("/home/u/.config/kubectl-microservice/config.yaml", fs);
}

std::string config_error(const std::string& text)
{
    return kms::test::usage_error_of([&] { config_from(text); });
}

const char* const k_presets = "environments:\n"
                              "  gpu:\n"
                              "    image: ghcr.io/acme/torch:2.3\n"
                              "    resources: {cpu: \"4\", memory: 16Gi, gpu: 1, limits: {memory: 20Gi}}\n"
                              "    env: {A: preset, B: preset}\n"
                              "    nodeSelector: {pool: gpu}\n"
                              "    tolerations: [{key: nvidia.com/gpu, operator: Exists}]\n"
                              "  basic:\n"
                              "    image: ghcr.io/acme/py:3.12\n";

ServiceInput with_presets(const std::string& yaml)
{
    ServiceInput in;
    in.yaml = yaml;
    in.config_yaml = k_presets;
    return in;
}

} // namespace

TEST_SUITE("spec::config")
{
    TEST_CASE("the config path: KMS_CONFIG, else $XDG_CONFIG_HOME/…, else ~/.config/…")
    {
        ScopedEnv home("HOME", "/home/u");
        {
            ScopedEnv kms("KMS_CONFIG", std::nullopt);
            ScopedEnv xdg("XDG_CONFIG_HOME", std::nullopt);
            CHECK(default_config_path() == "/home/u/.config/kubectl-microservice/config.yaml");
        }
        {
            ScopedEnv kms("KMS_CONFIG", std::nullopt);
            ScopedEnv xdg("XDG_CONFIG_HOME", "/xdg");
            CHECK(default_config_path() == "/xdg/kubectl-microservice/config.yaml");
        }
        {
            ScopedEnv kms("KMS_CONFIG", "/etc/kms.yaml");
            ScopedEnv xdg("XDG_CONFIG_HOME", "/xdg");
            CHECK(default_config_path() == "/etc/kms.yaml");
        }
        {
            // An empty variable counts as unset.
            ScopedEnv kms("KMS_CONFIG", "");
            ScopedEnv xdg("XDG_CONFIG_HOME", "");
            CHECK(default_config_path() == "/home/u/.config/kubectl-microservice/config.yaml");
        }
    }

    TEST_CASE("a missing or empty config file gives the defaults")
    {
        kms::util::MemoryFs fs;
        Config missing = load_config("/nowhere/config.yaml", fs);
        CHECK(missing.path.empty());
        CHECK(missing.environments.empty());
        CHECK(missing.git_image == "alpine/git:2.45.2");
        Config empty = config_from("");
        CHECK(empty.environments.empty());
    }

    TEST_CASE("the config's settings are read")
    {
        Config c = config_from("domain: example.com\ngitImage: registry/git:1\ningressClass: nginx\n"
                               "keycloak: {url: https://sso.example.com, realm: acme}\n"
                               "gateway: {name: public, namespace: infra}\n" +
                               std::string(k_presets));
        CHECK(c.domain == "example.com");
        CHECK(c.git_image == "registry/git:1");
        CHECK(c.ingress_class == "nginx");
        REQUIRE(c.keycloak);
        CHECK(c.keycloak->realm == "acme");
        CHECK(c.keycloak->client_id == "istio");
        REQUIRE(c.gateway);
        CHECK(c.gateway->name == "public");
        REQUIRE(c.environments.count("gpu") == 1);
        const Preset& p = c.environments.at("gpu");
        CHECK(p.image == "ghcr.io/acme/torch:2.3");
        CHECK(p.cpu == "4");
        CHECK(p.memory == "16Gi");
        CHECK(p.memory_limit == "20Gi");
        CHECK(p.gpu == 1);
        CHECK(p.env == KeyValues{{"A", "preset"}, {"B", "preset"}});
        CHECK(p.node_selector.at("pool") == "gpu");
        REQUIRE(p.tolerations.size() == 1);
        CHECK_FALSE(c.environments.at("basic").cpu.has_value());
    }

    TEST_CASE("config errors carry the config file's position")
    {
        CHECK(config_error("domian: example.com\n") ==
              "/home/u/.config/kubectl-microservice/config.yaml:1:1: unknown key 'domian' (did you mean 'domain'?)");
        CHECK(config_error("environments:\n  gpu:\n    imag: x\n") ==
              "/home/u/.config/kubectl-microservice/config.yaml:3:5: unknown key 'environments.gpu.imag' (did you "
              "mean 'image'?)");
        CHECK(config_error("environments:\n  gpu:\n    resources: {cpu: lots}\n") ==
              "/home/u/.config/kubectl-microservice/config.yaml:3:22: resources.cpu: \"lots\" is not a Kubernetes "
              "quantity (e.g. 500m, 2, 128Mi, 1Gi)");
    }

    TEST_CASE("a preset fills what the service leaves unset; the service's own values win")
    {
        Service s = load_one(with_presets("name: a\nenvironment: gpu\nresources: {memory: 2Gi}\nenv: {B: own, C: own}\n"));
        CHECK(s.image == "ghcr.io/acme/torch:2.3");
        CHECK(s.resources.cpu == "4");
        CHECK(s.resources.memory == "2Gi");
        // The preset's memory limit belongs to its memory request, which the service replaced.
        CHECK_FALSE(s.resources.memory_limit.has_value());
        CHECK(s.resources.gpu == 1);
        CHECK(s.env == KeyValues{{"A", "preset"}, {"B", "own"}, {"C", "own"}});
        CHECK(s.node_selector.at("pool") == "gpu");
        CHECK(s.tolerations.size() == 1);
        Service own_image = load_one(with_presets("name: a\nimage: mine:1\nenvironment: gpu\n"));
        CHECK(own_image.image == "mine:1");
        CHECK(own_image.resources.memory_limit == "20Gi");
        Service own_tolerations =
            load_one(with_presets("name: a\nenvironment: gpu\ntolerations: [{key: spot, operator: Exists}]\n"));
        REQUIRE(own_tolerations.tolerations.size() == 1);
        CHECK(own_tolerations.tolerations[0].key == "spot");
    }

    TEST_CASE("a flag's value beats the preset")
    {
        ServiceInput in = with_presets("name: a\nenvironment: gpu\n");
        in.overrides.cpu = "1";
        CHECK(load_one(in).resources.cpu == "1");
        ServiceInput by_flag = with_presets("name: a\n");
        by_flag.overrides.environment = "basic";
        CHECK(load_one(by_flag).image == "ghcr.io/acme/py:3.12");
    }

    TEST_CASE("an unknown preset is one error with a suggestion")
    {
        CHECK(load_error(with_presets("name: a\nenvironment: gpu2\n")) ==
              "service.yaml:2:14: environment: no preset \"gpu2\" in config.yaml (did you mean \"gpu\"?)");
        CHECK(load_error(with_presets("name: a\nenvironment: tensorflow\n")) ==
              "service.yaml:2:14: environment: no preset \"tensorflow\" in config.yaml");
        CHECK(load_error("name: a\nenvironment: gpu\n") ==
              "service.yaml:2:14: environment: no preset \"gpu\" in the user config (there is no config file)");
    }
}
