#pragma once

#include <cstdint>
#include <http/http.hpp>
#include <kube/kubeconfig.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <util/clock.hpp>
#include <util/fs.hpp>
#include <util/process.hpp>

namespace kms::kube {

// What a client-go credential plugin printed (ExecCredential.status).
struct ExecCredential
{
    std::string token;
    std::string client_cert_pem;
    std::string client_key_pem;
    std::optional<util::Clock::TimePoint> expiry; // nullopt: valid for the life of the process
};

// KUBERNETES_EXEC_INFO for the plugin (always the plugin's own apiVersion).
std::string exec_info(const ExecConfig& e, const Json& cluster, bool interactive);

// Checks and reads the plugin's standard output; `where` names the kubeconfig user.
ExecCredential parse_exec_credential(const std::string& out, const ExecConfig& e, const std::string& where);

// Runs the plugin once. `stdin_tty` decides IfAvailable; Always without a terminal is an error.
ExecCredential run_exec_plugin(const ExecConfig& e, const Json& cluster, bool stdin_tty, util::ProcessRunner& runner,
                               const std::string& where);

// The user's credentials for each request, in kubectl's precedence (token, tokenFile re-read every
// minute, basic, exec plugin). Exec results are cached in-process until they expire; after a 401
// the caller calls invalidate() and the next request runs the plugin again. Thread-safe.
class Credentials
{
  public:
    Credentials(const RestConfig& rc, util::ProcessRunner& runner, util::Clock& clock, const util::Filesystem& fs,
                bool stdin_tty);

    // Authorization and Impersonate-* headers for the next request; `generation` (optional)
    // receives the version of the credentials used, for invalidate().
    http::Headers headers(std::uint64_t* generation = nullptr);
    // The client certificate and key to present: the kubeconfig's, or the exec plugin's.
    std::pair<std::string, std::string> client_cert();
    // Bumped whenever the client certificate changes, so the transport knows to rebuild.
    std::uint64_t cert_generation();
    // The server answered 401 to credentials of `generation`: forget them (cached exec result,
    // token file read) unless a parallel request has already replaced them.
    void invalidate(std::uint64_t generation);

  private:
    const RestConfig& m_rc;
    util::ProcessRunner& m_runner;
    util::Clock& m_clock;
    const util::Filesystem& m_fs;
    bool m_stdin_tty;
    std::mutex m_mutex;
    std::optional<ExecCredential> m_exec;
    std::string m_token;
    util::Clock::TimePoint m_token_read{};
    std::uint64_t m_generation = 0;      // of the client certificate
    std::uint64_t m_cred_generation = 0; // of whatever headers() hands out
    std::string m_last_cert;

    bool uses_exec() const;
    const ExecCredential& exec_locked();
};

} // namespace kms::kube
