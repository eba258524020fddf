#pragma once

#include <spec/service.hpp>
#include <util/fs.hpp>

#include <map>
#include <optional>
#include <string>

namespace kms::spec {

// An "Environment Config" preset: what a service gets when it names `environment: NAME`.
struct Preset
{
    std::optional<std::string> image;
    std::optional<std::string> cpu;
    std::optional<std::string> memory;
    std::optional<std::string> cpu_limit;
    std::optional<std::string> memory_limit;
    int gpu = 0;
    KeyValues env;
    std::map<std::string, std::string> node_selector;
    std::vector<Toleration> tolerations;
};

struct KeycloakConfig
{
    std::string url;
    std::string realm;
    std::string client_id = "istio";
    std::string username; // default user of `token` and `call` ("" = ask or $KMS_USERNAME)
};

// A named identity provider and login for `token --profile NAME` / `call --profile NAME`
// (`profiles: {NAME: {...}}`); "" = not set. Flags override each field.
struct TokenProfile
{
    std::string issuer;
    std::string keycloak; // Keycloak base URL, with realm
    std::string realm;
    std::string client_id;
    std::string username;
    std::string grant; // password, client-credentials or device
    std::vector<std::string> scopes;
    std::string client_auth; // basic or post
};

// The user config file: $XDG_CONFIG_HOME/kubectl-microservice/config.yaml
// (else ~/.config/kubectl-microservice/config.yaml).
struct Config
{
    std::string path; // where it was read from, "" when there was none
    std::optional<std::string> domain;  // default host: <name>.services.<domain>
    std::string git_image = "alpine/git:2.45.2";
    std::optional<KeycloakConfig> keycloak;
    std::optional<GatewayRef> gateway;
    std::optional<std::string> ingress_class;
    std::map<std::string, Preset> environments;
    std::map<std::string, TokenProfile> profiles;
    // Where "domain", "gateway", "keycloak.url" and "keycloak.realm" were set, for messages about
    // the values derived from them.
    std::map<std::string, SourcePos> positions;
};

// The config file path from the environment (XDG_CONFIG_HOME, HOME); KMS_CONFIG overrides it.
std::string default_config_path();

// Reads the config file; a missing file yields the defaults. Errors carry file:line:col.
Config load_config(const std::string& path, const util::Filesystem& fs);

// Applies `preset` to `s` where the service file and flags left a field unset.
void apply_preset(Service& s, const Preset& preset);

} // namespace kms::spec
