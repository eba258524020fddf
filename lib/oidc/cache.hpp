#pragma once

#include <oidc/grants.hpp>
#include <oidc/provider.hpp>
#include <util/env.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// The token cache: one entry per (issuer, client, user, scopes), as kubelogin and kcadm key
// theirs. An entry keeps the provider's endpoints too, so a refresh needs no discovery.
namespace kms::oidc {

struct CacheKey
{
    std::string issuer; // normalized (no trailing '/')
    std::string client_id;
    std::string username; // "" for client credentials and device logins without --username
    std::string scope;    // normalized: see normalize_scope

    // The file name stem: hex SHA-256 of the four fields, so no name leaks into directory listings.
    std::string stem() const;
    bool operator==(const CacheKey&) const = default;
};

// Scopes as one string: every space-separated word of every item, sorted, without duplicates.
std::string normalize_scope(const std::vector<std::string>& scopes);

struct CachedToken
{
    CacheKey key;
    ProviderInfo provider;
    std::string grant; // "password", "client-credentials" or "device": how to log in again
    TokenSet tokens;

    Json to_json() const;
    // nullopt for anything that is not an entry of this format version.
    static std::optional<CachedToken> from_json(const Json& j);
};

class TokenStore
{
public:
    // Held while an entry is refreshed, so parallel processes refresh it once.
    class Lock
    {
    public:
        virtual ~Lock() = default;
    };

    virtual ~TokenStore() = default;
    // The entry, or nullopt when there is none (or it is unreadable or for another key).
    virtual std::optional<CachedToken> load(const CacheKey& key) = 0;
    virtual void save(const CachedToken& entry) = 0;
    // False when there was nothing to remove.
    virtual bool remove(const CacheKey& key) = 0;
    virtual std::unique_ptr<Lock> lock(const CacheKey& key) = 0;
};

// Files <dir>/<stem>.json (0600) in a 0700 directory, written atomically; <stem>.lock for flock.
class FileTokenStore : public TokenStore
{
public:
    // `on_wait` runs when another process holds an entry's lock (e.g. it is logging in).
    explicit FileTokenStore(std::string dir, std::function<void()> on_wait = {});

    std::optional<CachedToken> load(const CacheKey& key) override;
    void save(const CachedToken& entry) override;
    bool remove(const CacheKey& key) override;
    std::unique_ptr<Lock> lock(const CacheKey& key) override;

    std::string path_of(const CacheKey& key) const;

private:
    std::string m_dir;
    std::function<void()> m_on_wait;
};

// In memory, for tests: counts saves and locks.
class MemoryTokenStore : public TokenStore
{
public:
    std::map<std::string, CachedToken> entries; // by stem
    int saves = 0;
    int locks = 0;

    std::optional<CachedToken> load(const CacheKey& key) override;
    void save(const CachedToken& entry) override;
    bool remove(const CacheKey& key) override;
    std::unique_ptr<Lock> lock(const CacheKey& key) override;
};

// $XDG_CACHE_HOME/kubectl-microservice/tokens, else $HOME/.cache/kubectl-microservice/tokens.
std::string default_token_dir(const util::Environment& env);

} // namespace kms::oidc
