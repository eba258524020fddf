#include <oidc/cache.hpp>
#include <util/error.hpp>
#include <util/fs.hpp>
#include <util/private_files.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

#include <algorithm>

namespace kms::oidc {

namespace {

constexpr int k_format = 1;

class FileLockHandle : public TokenStore::Lock
{
public:
    FileLockHandle(const std::string& path, const std::function<void()>& on_wait)
      : m_lock(path, on_wait)
    {
    }

private:
    util::FileLock m_lock;
};

class NoLock : public TokenStore::Lock
{
};

} // namespace

std::string CacheKey::stem() const
{
    return util::sha256_hex(Json::array({issuer, client_id, username, scope}).dump());
}

std::string normalize_scope(const std::vector<std::string>& scopes)
{
    std::vector<std::string> words;
    for (const auto& s : scopes) {
        for (auto& w : util::split(s, ' ')) {
            if (!w.empty()) {
                words.push_back(w);
            }
        }
    }
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    return util::join(words, " ");
}

Json CachedToken::to_json() const
{
    return Json{{"format", k_format},
                {"issuer", key.issuer},
                {"client_id", key.client_id},
                {"username", key.username},
                {"scope_key", key.scope},
                {"grant", grant},
                {"provider", provider.to_json()},
                {"tokens", tokens.to_json()}};
}

std::optional<CachedToken> CachedToken::from_json(const Json& j)
{
    if (!j.is_object() || !j.contains("format") || j["format"] != k_format || !j.contains("tokens") ||
        !j["tokens"].is_object() || !j.contains("provider") || !j["provider"].is_object()) {
        return std::nullopt;
    }
    CachedToken c;
    c.key = {util::str_at(j, "issuer"), util::str_at(j, "client_id"), util::str_at(j, "username"),
             util::str_at(j, "scope_key")};
    c.grant = util::str_at(j, "grant");
    c.provider = ProviderInfo::from_json(j["provider"]);
    c.tokens = TokenSet::from_json(j["tokens"]);
    if (c.tokens.access_token.empty() || c.provider.token_endpoint.empty()) {
        return std::nullopt;
    }
    return c;
}

FileTokenStore::FileTokenStore(std::string dir, std::function<void()> on_wait)
  : m_dir(std::move(dir))
  , m_on_wait(std::move(on_wait))
{
}

std::string FileTokenStore::path_of(const CacheKey& key) const
{
    return m_dir + "/" + key.stem() + ".json";
}

std::optional<CachedToken> FileTokenStore::load(const CacheKey& key)
{
    auto text = util::real_fs().read(path_of(key));
    if (!text) {
        return std::nullopt;
    }
    // A damaged entry is a cache miss, not an error: the next save replaces it.
    auto entry = CachedToken::from_json(Json::parse(*text, nullptr, false));
    if (!entry || !(entry->key == key)) {
        return std::nullopt;
    }
    return entry;
}

void FileTokenStore::save(const CachedToken& entry)
{
    util::ensure_private_dir(m_dir);
    util::write_private_file(path_of(entry.key), entry.to_json().dump() + "\n");
}

bool FileTokenStore::remove(const CacheKey& key)
{
    return util::remove_file(path_of(key));
}

std::unique_ptr<TokenStore::Lock> FileTokenStore::lock(const CacheKey& key)
{
    util::ensure_private_dir(m_dir);
    return std::make_unique<FileLockHandle>(m_dir + "/" + key.stem() + ".lock", m_on_wait);
}

std::optional<CachedToken> MemoryTokenStore::load(const CacheKey& key)
{
    auto it = entries.find(key.stem());
    return it == entries.end() ? std::nullopt : std::optional<CachedToken>(it->second);
}

void MemoryTokenStore::save(const CachedToken& entry)
{
    ++saves;
    entries[entry.key.stem()] = entry;
}

bool MemoryTokenStore::remove(const CacheKey& key)
{
    return entries.erase(key.stem()) > 0;
}

std::unique_ptr<TokenStore::Lock> MemoryTokenStore::lock(const CacheKey&)
{
    ++locks;
    return std::make_unique<NoLock>();
}

std::string default_token_dir(const util::Environment& env)
{
    std::string base = env.value("XDG_CACHE_HOME");
    if (base.empty() || base.front() != '/') {
        // XDG: a relative value is invalid and must be ignored.
        std::string home = env.value("HOME");
        if (home.empty()) {
            throw Error("cannot place the token cache: neither XDG_CACHE_HOME nor HOME is set");
        }
        base = home + "/.cache";
    }
    return base + "/kubectl-microservice/tokens";
}

} // namespace kms::oidc
