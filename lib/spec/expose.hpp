#pragma once

#include <spec/service.hpp>
#include <spec/yaml_reader.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The `expose:` section, its flags, and the defaults and checks applied once the whole service and
// the user config are known (DESIGN.md §3, issue 3).
namespace kms::spec {

struct Config;

// The exposure flags (--host, --auth …); each one, when given, wins over the file.
struct ExposeFlags
{
    std::optional<std::string> host;
    std::optional<std::string> path;
    std::optional<std::string> rewrite;
    std::optional<std::string> via;
    std::optional<std::string> auth; // replaces the file's whole auth section
    std::optional<std::string> auth_secret;
    std::optional<std::string> auth_header;
    std::optional<std::string> jwt_issuer;
    std::optional<std::string> jwt_jwks;
    std::vector<std::string> jwt_audiences;    // replace the file's list when given
    std::vector<std::string> claim_to_headers; // CLAIM=HEADER; replace the file's map when given
    std::optional<std::string> tls_secret;

    bool any() const;
};

std::string_view to_string(ExposeVia v);
std::string_view to_string(AuthType t);
std::optional<ExposeVia> parse_via(std::string_view text);
std::optional<AuthType> parse_auth_type(std::string_view text);

// Reads `expose:` (a map, or `true`/`false`) into s.expose, recording "expose.<field>" positions.
void parse_expose(const YAML::Node& n, Service& s, YamlReader& r);

// Applies the flags on top of s.expose (creating it), recording "flag --x" positions.
void apply_expose_flags(Service& s, const ExposeFlags& f, Diagnostics& diags);

// Fills the defaults that need the user config (host from `domain`, the gateway, Keycloak's issuer
// and JWKS) and checks the exposure and the session settings. Runs after flags and presets.
void resolve_expose(Service& s, const Config& config, Diagnostics& diags);

// session.hashBy, parsed: "header:NAME", "cookie:NAME" or "source-ip".
struct HashBy
{
    enum class Kind
    {
        header,
        cookie,
        source_ip,
    };
    Kind kind = Kind::source_ip;
    std::string name;
};
std::optional<HashBy> parse_hash_by(std::string_view text);

// The cookie a sticky session uses: "<name>-affinity".
std::string affinity_cookie_name(const Service& s);

// The port the exposure routes to: expose.port (a name or a service port number), else the first
// port that is not plain tcp. Null when there is none (resolve_expose reports that).
const Port* exposed_port(const Service& s);
int service_port_number(const Port& p);

} // namespace kms::spec
