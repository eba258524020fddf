#include <kube/credentials.hpp>
#include <util/base64.hpp>
#include <util/error.hpp>
#include <util/rfc3339.hpp>
#include <util/sha256.hpp>
#include <util/strings.hpp>

namespace kms::kube {

std::string exec_info(const ExecConfig& e, const Json& cluster, bool interactive)
{
    Json spec = Json::object();
    spec["interactive"] = interactive;
    if (e.provide_cluster_info && cluster.is_object()) {
        spec["cluster"] = cluster;
    }
    Json info = Json::object();
    info["apiVersion"] = e.api_version;
    info["kind"] = "ExecCredential";
    info["spec"] = spec;
    return info.dump();
}

ExecCredential parse_exec_credential(const std::string& out, const ExecConfig& e, const std::string& where)
{
    auto fail = [&](const std::string& what) {
        return Error(fmt::format("{}: exec plugin \"{}\" {}", where, e.command, what));
    };
    Json j = Json::parse(out, nullptr, false);
    if (!j.is_object()) {
        throw fail("did not print an ExecCredential (its output is not a JSON object)");
    }
    std::string api = util::str_at(j, "apiVersion");
    if (api != e.api_version) {
        throw fail(fmt::format("is configured to use API version {}, plugin returned version {}",
                               e.api_version,
                               api.empty() ? "(none)" : api));
    }
    if (util::str_at(j, "kind") != "ExecCredential") {
        throw fail("did not print an ExecCredential (kind is not ExecCredential)");
    }
    if (!j.contains("status") || !j["status"].is_object()) {
        throw fail("didn't return a status field");
    }
    const Json& s = j["status"];
    ExecCredential c;
    auto text = [&](const char* key) { return util::str_at(s, key); };
    c.token = text("token");
    c.client_cert_pem = text("clientCertificateData");
    c.client_key_pem = text("clientKeyData");
    if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
        throw fail("returned only certificate or key, not both");
    }
    if (c.token.empty() && c.client_cert_pem.empty()) {
        throw fail("didn't return a token or cert/key pair");
    }
    std::string exp = text("expirationTimestamp");
    if (!exp.empty()) {
        c.expiry = util::parse_rfc3339(exp);
        if (!c.expiry) {
            throw fail(fmt::format("returned an invalid expirationTimestamp \"{}\"", exp));
        }
    }
    return c;
}

ExecCredential run_exec_plugin(const ExecConfig& e, const Json& cluster, bool stdin_tty, util::ProcessRunner& runner,
                               const std::string& where)
{
    const std::string& mode = e.interactive_mode.empty() ? std::string("IfAvailable") : e.interactive_mode;
    bool interactive = mode == "Always" || (mode == "IfAvailable" && stdin_tty);
    if (mode == "Always" && !stdin_tty) {
        throw Error(fmt::format("{}: exec plugin \"{}\" needs a terminal (interactiveMode: Always) but standard input "
                                "is not one",
                                where,
                                e.command));
    }
    util::ProcessSpec spec;
    spec.command = e.command;
    spec.args = e.args;
    spec.env = e.env;
    spec.env.emplace_back("KUBERNETES_EXEC_INFO", exec_info(e, cluster, interactive));
    spec.inherit_stdin = interactive;
    util::ProcessResult r = runner.run(spec);
    if (r.not_found) {
        std::string hint =
          util::trim(e.install_hint).empty() ? std::string() : "; " + std::string(util::trim(e.install_hint));
        throw Error(fmt::format("{}: exec plugin \"{}\" not found{}{}",
                                where,
                                e.command,
                                e.command.find('/') == std::string::npos ? " in PATH" : "",
                                hint));
    }
    if (r.exit_code != 0) {
        throw Error(fmt::format("{}: exec plugin \"{}\" failed with exit code {}", where, e.command, r.exit_code));
    }
    return parse_exec_credential(r.out, e, where);
}

Credentials::Credentials(const RestConfig& rc, util::ProcessRunner& runner, util::Clock& clock,
                         const util::Filesystem& fs, bool stdin_tty)
  : m_rc(rc)
  , m_runner(runner)
  , m_clock(clock)
  , m_fs(fs)
  , m_stdin_tty(stdin_tty)
  , m_token(rc.token)
  , m_token_read(clock.now())
{
}

bool Credentials::uses_exec() const
{
    // A token, basic auth or a client certificate of the user's own beats the plugin (client-go).
    return m_rc.exec && m_rc.token.empty() && m_rc.username.empty() && m_rc.client_cert_pem.empty();
}

const ExecCredential& Credentials::exec_locked()
{
    bool expired = m_exec && m_exec->expiry && m_clock.now() >= *m_exec->expiry;
    if (!m_exec || expired) {
        m_exec = run_exec_plugin(*m_rc.exec, m_rc.exec_cluster, m_stdin_tty, m_runner, m_rc.user_ref());
        ++m_cred_generation;
        if (m_exec->client_cert_pem != m_last_cert) {
            m_last_cert = m_exec->client_cert_pem;
            ++m_generation;
        }
    }
    return *m_exec;
}

http::Headers Credentials::headers(std::uint64_t* generation)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    http::Headers h;
    if (!m_rc.token_file.empty() && m_clock.now() - m_token_read >= std::chrono::minutes(1)) {
        // client-go re-reads a tokenFile every minute (projected tokens rotate).
        if (auto text = m_fs.read(m_rc.token_file)) {
            m_token = std::string(util::trim(*text));
        }
        m_token_read = m_clock.now();
        ++m_cred_generation;
    }
    if (!m_token.empty()) {
        h.emplace_back("Authorization", "Bearer " + m_token);
    } else if (!m_rc.username.empty() || !m_rc.password.empty()) {
        h.emplace_back("Authorization", "Basic " + util::base64_encode(m_rc.username + ":" + m_rc.password));
    } else if (uses_exec()) {
        const ExecCredential& c = exec_locked();
        if (!c.token.empty()) {
            h.emplace_back("Authorization", "Bearer " + c.token);
        }
    }
    if (!m_rc.as.empty()) {
        h.emplace_back("Impersonate-User", m_rc.as);
    }
    if (!m_rc.as_uid.empty()) {
        h.emplace_back("Impersonate-Uid", m_rc.as_uid);
    }
    for (const auto& g : m_rc.as_groups) {
        h.emplace_back("Impersonate-Group", g);
    }
    if (generation != nullptr) {
        *generation = m_cred_generation;
    }
    return h;
}

std::pair<std::string, std::string> Credentials::client_cert()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_rc.client_cert_pem.empty()) {
        return { m_rc.client_cert_pem, m_rc.client_key_pem };
    }
    if (uses_exec()) {
        const ExecCredential& c = exec_locked();
        return { c.client_cert_pem, c.client_key_pem };
    }
    return {};
}

std::uint64_t Credentials::cert_generation()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_generation;
}

void Credentials::invalidate(std::uint64_t generation)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (generation != m_cred_generation) {
        return; // already replaced after another request's 401
    }
    m_exec.reset();
    m_token_read = util::Clock::TimePoint{};
}

} // namespace kms::kube
