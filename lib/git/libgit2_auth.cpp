// Credentials offered to git servers and the ssh host-key check against known_hosts files.
#include <git/libgit2_common.hpp>

#include <libssh2.h>

#include <cstdlib>
#include <sys/stat.h>

namespace kms::git {

namespace {

bool is_file(const std::string& path)
{
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_loopback(const std::string& host)
{
    return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

std::string base64(const unsigned char* data, std::size_t len)
{
    static constexpr char k_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < len; i += 3) {
        unsigned v = static_cast<unsigned>(data[i]) << 16;
        v |= i + 1 < len ? static_cast<unsigned>(data[i + 1]) << 8 : 0U;
        v |= i + 2 < len ? static_cast<unsigned>(data[i + 2]) : 0U;
        out += k_chars[(v >> 18) & 63];
        out += k_chars[(v >> 12) & 63];
        if (i + 1 < len) {
            out += k_chars[(v >> 6) & 63];
        }
        if (i + 2 < len) {
            out += k_chars[v & 63];
        }
    }
    return out; // unpadded, as ssh prints fingerprints
}

int known_host_key_type(git_cert_ssh_raw_type_t t)
{
    switch (t) {
    case GIT_CERT_SSH_RAW_TYPE_RSA:
        return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case GIT_CERT_SSH_RAW_TYPE_DSS:
        return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519:
        return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default:
        return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
    }
}

// Checks the server's key against every known_hosts file; "" when it matches, else the reason.
std::string check_known_hosts(const git_cert_hostkey& key, const std::string& host, int port,
                              const std::vector<std::string>& files)
{
    std::string where;
    for (const auto& f : files) {
        where += (where.empty() ? "" : ", ") + f;
    }
    std::string fingerprint = (key.type & GIT_CERT_SSH_SHA256) != 0
                                  ? "SHA256:" + base64(key.hash_sha256, sizeof key.hash_sha256)
                                  : std::string("(unknown)");
    std::string shown = port == 22 ? host : fmt::format("[{}]:{}", host, port);
    if ((key.type & GIT_CERT_SSH_RAW) == 0) {
        return fmt::format("cannot check the ssh host key of {}: the server's key was not available", shown);
    }
    LIBSSH2_SESSION* session = libssh2_session_init();
    if (session == nullptr) {
        return "cannot check the ssh host key: libssh2 failed to start";
    }
    LIBSSH2_KNOWNHOSTS* hosts = libssh2_knownhost_init(session);
    bool any_file = false;
    for (const auto& f : files) {
        if (is_file(f) && libssh2_knownhost_readfile(hosts, f.c_str(), LIBSSH2_KNOWNHOST_FILE_OPENSSH) >= 0) {
            any_file = true;
        }
    }
    libssh2_knownhost* found = nullptr;
    int type = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | known_host_key_type(key.raw_type);
    int rc = any_file ? libssh2_knownhost_checkp(hosts, host.c_str(), port, key.hostkey, key.hostkey_len, type, &found)
                      : LIBSSH2_KNOWNHOST_CHECK_NOTFOUND;
    libssh2_knownhost_free(hosts);
    libssh2_session_free(session);
    switch (rc) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
        return {};
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
        return fmt::format("the ssh host key of {} ({}) does not match the one in {}: someone may be intercepting "
                           "the connection; if the server's key really changed, remove the old entry "
                           "(ssh-keygen -R '{}') and add the new one",
                           shown, fingerprint, where, shown);
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
        return fmt::format("the ssh host {} is not a known host (key {}, looked in {}): check the fingerprint, then "
                           "add it with ssh-keyscan{} {} >> ~/.ssh/known_hosts (or pass --git-known-hosts FILE)",
                           shown, fingerprint, where.empty() ? std::string("no files") : where,
                           port == 22 ? std::string() : fmt::format(" -p {}", port), host);
    default:
        return fmt::format("cannot check the ssh host key of {} against {}", shown, where);
    }
}

} // namespace

UrlParts split_url(std::string_view url)
{
    UrlParts p;
    auto scheme_end = url.find("://");
    std::string_view rest;
    if (scheme_end == std::string_view::npos) {
        // scp-like "user@host:path" (ssh), or a local path.
        auto colon = url.find(':');
        auto slash = url.find('/');
        if (colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon)) {
            p.scheme = "file";
            return p;
        }
        p.scheme = "ssh";
        rest = url.substr(0, colon);
    } else {
        p.scheme = std::string(url.substr(0, scheme_end));
        rest = url.substr(scheme_end + 3);
        rest = rest.substr(0, rest.find('/'));
    }
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        p.user = std::string(rest.substr(0, std::min(rest.find(':'), at)));
        rest = rest.substr(at + 1);
    }
    auto port_colon = rest.starts_with('[') ? rest.find("]:") : rest.rfind(':');
    if (port_colon != std::string_view::npos && scheme_end != std::string_view::npos) {
        auto digits = rest.substr(port_colon + (rest.starts_with('[') ? 2 : 1));
        p.port = std::atoi(std::string(digits).c_str());
        rest = rest.substr(0, port_colon + (rest.starts_with('[') ? 1 : 0));
    }
    p.host = std::string(rest);
    if (p.host.starts_with('[') && p.host.ends_with(']')) {
        p.host = p.host.substr(1, p.host.size() - 2);
    }
    return p;
}

AuthState make_auth_state(const Credentials& credentials, const std::string& url)
{
    AuthState st;
    st.credentials = &credentials;
    st.url = split_url(url);
    if (!credentials.ssh_key.empty()) {
        st.ssh_candidates.push_back(credentials.ssh_key);
        return st;
    }
    if (const char* sock = std::getenv("SSH_AUTH_SOCK"); sock != nullptr && *sock != '\0') {
        st.ssh_candidates.emplace_back("agent");
    }
    if (!credentials.home.empty()) {
        for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"}) {
            std::string path = credentials.home + "/.ssh/" + name;
            if (is_file(path)) {
                st.ssh_candidates.push_back(path);
            }
        }
    }
    return st;
}

int acquire_credential(git_credential** out, const char* /*url*/, const char* username_from_url,
                       unsigned int allowed_types, void* payload)
{
    auto& st = static_cast<CallbackState*>(payload)->auth;
    const Credentials& c = *st.credentials;
    std::string user = username_from_url != nullptr && *username_from_url != '\0' ? username_from_url : "";
    if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) != 0) {
        user = user.empty() ? "git" : user;
        if (st.next_ssh >= st.ssh_candidates.size()) {
            if (st.ssh_candidates.empty()) {
                st.tried.emplace_back("no ssh key (ssh-agent is not running and ~/.ssh has no id_ed25519, "
                                      "id_ecdsa or id_rsa; pass --git-ssh-key FILE)");
            }
            st.exhausted = true;
            return GIT_EAUTH;
        }
        const std::string& cand = st.ssh_candidates[st.next_ssh++];
        if (cand == "agent") {
            st.tried.push_back(fmt::format("ssh-agent as {}", user));
            return git_credential_ssh_key_from_agent(out, user.c_str());
        }
        std::string pub = cand + ".pub";
        st.tried.push_back(fmt::format("ssh key {} as {}", cand, user));
        return git_credential_ssh_key_new(out, user.c_str(), is_file(pub) ? pub.c_str() : nullptr, cand.c_str(),
                                          c.ssh_passphrase.empty() ? nullptr : c.ssh_passphrase.c_str());
    }
    if ((allowed_types & GIT_CREDENTIAL_USERNAME) != 0) {
        return git_credential_username_new(out, user.empty() ? "git" : user.c_str());
    }
    if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0) {
        if (c.token.empty()) {
            st.tried.emplace_back("no token (set KMS_GIT_TOKEN or pass --git-token-file FILE)");
            st.exhausted = true;
            return GIT_EAUTH;
        }
        if (st.token_offers >= 3) {
            st.exhausted = true; // the server keeps refusing it
            return GIT_EAUTH;
        }
        if (st.url.scheme == "http" && !is_loopback(st.url.host)) {
            st.tried.push_back(fmt::format("none: the token from {} is not sent over plain http to {}; use https",
                                           c.token_source, st.url.host));
            st.exhausted = true;
            return GIT_EAUTH;
        }
        std::string name = !c.username.empty() ? c.username : (user.empty() ? "git" : user);
        if (st.token_offers++ == 0) {
            st.tried.push_back(fmt::format("token from {} as {}", c.token_source, name));
        }
        return git_credential_userpass_plaintext_new(out, name.c_str(), c.token.c_str());
    }
    st.tried.emplace_back("none: the server asked for an unsupported kind of credential");
    st.exhausted = true;
    return GIT_EAUTH;
}

int check_certificate(git_cert* cert, int /*valid*/, const char* host, void* payload)
{
    if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) {
        return GIT_PASSTHROUGH; // TLS: libgit2 verifies the chain against the system CAs
    }
    auto& st = static_cast<CallbackState*>(payload)->auth;
    int port = st.url.port != 0 ? st.url.port : 22;
    st.host_key_problem = check_known_hosts(*reinterpret_cast<const git_cert_hostkey*>(cert), host != nullptr ? host : "",
                                            port, st.credentials->known_hosts);
    return st.host_key_problem.empty() ? 0 : GIT_ECERTIFICATE;
}

} // namespace kms::git
