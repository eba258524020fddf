#include <doctest/doctest.h>
#include <kube/credentials.hpp>
#include <util/error.hpp>
#include <util/rfc3339.hpp>

using namespace kms;

namespace {

// Answers like a credential plugin, recording how it was run.
class ScriptedRunner : public util::ProcessRunner
{
  public:
    std::vector<util::ProcessResult> answers;
    std::vector<util::ProcessSpec> runs;

    util::ProcessResult run(const util::ProcessSpec& spec) override
    {
        runs.push_back(spec);
        REQUIRE(runs.size() <= answers.size());
        return answers[runs.size() - 1];
    }

    std::string exec_info(std::size_t i) const
    {
        for (const auto& [k, v] : runs.at(i).env) {
            if (k == "KUBERNETES_EXEC_INFO") {
                return v;
            }
        }
        return {};
    }
};

std::string credential(const std::string& api, const std::string& status)
{
    return R"({"apiVersion":")" + api + R"(","kind":"ExecCredential","status":)" + status + "}";
}

const char* k_v1 = "client.authentication.k8s.io/v1";

kube::RestConfig exec_config()
{
    kube::RestConfig rc;
    rc.server = "https://api";
    rc.user_name = "eks";
    rc.user_file = "/k/config";
    kube::ExecConfig e;
    e.api_version = k_v1;
    e.command = "aws";
    e.args = { "eks", "get-token" };
    e.env = { { "AWS_PROFILE", "prod" } };
    e.interactive_mode = "IfAvailable";
    e.install_hint = "install the AWS CLI";
    rc.exec = e;
    return rc;
}

std::string auth_of(const http::Headers& h)
{
    for (const auto& [k, v] : h) {
        if (k == "Authorization") {
            return v;
        }
    }
    return {};
}

} // namespace

TEST_SUITE_BEGIN("kube");

TEST_CASE("kube::exec plugin: token cached until expiry, KUBERNETES_EXEC_INFO, re-run after invalidate")
{
    ScriptedRunner runner;
    util::FakeClock clock;
    util::MemoryFs fs;
    std::string expiry = util::format_rfc3339(clock.now() + std::chrono::minutes(10));
    runner.answers.push_back(
      { 0, credential(k_v1, R"({"token":"t1","expirationTimestamp":")" + expiry + "\"}"), false });
    runner.answers.push_back({ 0, credential(k_v1, R"({"token":"t2"})"), false });
    runner.answers.push_back({ 0, credential(k_v1, R"({"token":"t3"})"), false });
    auto rc = exec_config();
    kube::Credentials creds(rc, runner, clock, fs, false);

    CHECK(auth_of(creds.headers()) == "Bearer t1");
    CHECK(auth_of(creds.headers()) == "Bearer t1"); // cached
    REQUIRE(runner.runs.size() == 1);
    CHECK(runner.runs[0].command == "aws");
    CHECK(runner.runs[0].args == std::vector<std::string>{ "eks", "get-token" });
    CHECK_FALSE(runner.runs[0].inherit_stdin);
    CHECK(runner.runs[0].env.at(0).first == "AWS_PROFILE");
    CHECK(runner.exec_info(0) ==
          R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}})");

    clock.sleep_for(std::chrono::minutes(11)); // expired: the plugin runs again
    std::uint64_t used = 0;
    CHECK(auth_of(creds.headers(&used)) == "Bearer t2");
    CHECK(auth_of(creds.headers()) == "Bearer t2"); // no expiry: kept
    creds.invalidate(used);                         // after a 401
    creds.invalidate(used);                         // a parallel request's 401 for the same token: one re-run only
    CHECK(auth_of(creds.headers()) == "Bearer t3");
    CHECK(runner.runs.size() == 3);
}

TEST_CASE("kube::exec plugin: client certificate, cluster info, interactive")
{
    ScriptedRunner runner;
    util::FakeClock clock;
    util::MemoryFs fs;
    runner.answers.push_back(
      { 0,
        credential("client.authentication.k8s.io/v1beta1", R"({"clientCertificateData":"C","clientKeyData":"K"})"),
        false });
    auto rc = exec_config();
    rc.exec->api_version = "client.authentication.k8s.io/v1beta1";
    rc.exec->provide_cluster_info = true;
    rc.exec_cluster = Json{ { "server", "https://api" } };
    kube::Credentials creds(rc, runner, clock, fs, true);
    CHECK(creds.cert_generation() == 0);
    auto [cert, key] = creds.client_cert();
    CHECK(cert == "C");
    CHECK(key == "K");
    CHECK(creds.cert_generation() == 1);
    CHECK(auth_of(creds.headers()).empty());
    CHECK(runner.runs[0].inherit_stdin); // IfAvailable with a terminal
    CHECK(runner.exec_info(0) == R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",)"
                                 R"("spec":{"interactive":true,"cluster":{"server":"https://api"}}})");
}

TEST_CASE("kube::exec plugin errors")
{
    auto rc = exec_config();
    const std::string where = "kubeconfig /k/config: users[\"eks\"]";
    auto parse_error = [&](const std::string& out) {
        try {
            kube::parse_exec_credential(out, *rc.exec, where);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK(parse_error("not json") == where + ": exec plugin \"aws\" did not print an ExecCredential (its output is not "
                                             "a JSON object)");
    CHECK(parse_error(credential("client.authentication.k8s.io/v1beta1", "{}")) ==
          where + ": exec plugin \"aws\" is configured to use API version client.authentication.k8s.io/v1, plugin "
                  "returned version client.authentication.k8s.io/v1beta1");
    CHECK(parse_error(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"})") ==
          where + ": exec plugin \"aws\" didn't return a status field");
    CHECK(parse_error(credential(k_v1, "{}")) ==
          where + ": exec plugin \"aws\" didn't return a token or cert/key pair");
    CHECK(parse_error(credential(k_v1, R"({"clientKeyData":"K"})")) ==
          where + ": exec plugin \"aws\" returned only certificate or key, not both");
    CHECK(parse_error(credential(k_v1, R"({"token":"x","expirationTimestamp":"tomorrow"})")) ==
          where + ": exec plugin \"aws\" returned an invalid expirationTimestamp \"tomorrow\"");

    ScriptedRunner runner;
    util::FakeClock clock;
    util::MemoryFs fs;
    runner.answers.push_back({ 127, "", true });
    runner.answers.push_back({ 3, "", false });
    auto run_error = [&](bool tty) {
        try {
            kube::run_exec_plugin(*rc.exec, {}, tty, runner, where);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK(run_error(false) == where + ": exec plugin \"aws\" not found in PATH; install the AWS CLI");
    CHECK(run_error(false) == where + ": exec plugin \"aws\" failed with exit code 3");
    rc.exec->interactive_mode = "Always";
    CHECK(run_error(false) == where + ": exec plugin \"aws\" needs a terminal (interactiveMode: Always) but standard "
                                      "input is not one");
}

TEST_CASE("kube::credentials precedence, basic auth, token file re-read, impersonation")
{
    ScriptedRunner runner;
    util::FakeClock clock;
    util::MemoryFs fs;
    auto rc = exec_config();
    rc.token = "static";
    kube::Credentials a(rc, runner, clock, fs, false);
    CHECK(auth_of(a.headers()) == "Bearer static"); // a token beats the plugin
    CHECK(runner.runs.empty());

    kube::RestConfig basic;
    basic.username = "bob";
    basic.password = "pw";
    basic.as = "alice";
    basic.as_groups = { "g1", "g2" };
    kube::Credentials b(basic, runner, clock, fs, false);
    auto h = b.headers();
    CHECK(auth_of(h) == "Basic Ym9iOnB3");
    CHECK(h.size() == 4);
    CHECK(h[1] == std::pair<std::string, std::string>{ "Impersonate-User", "alice" });
    CHECK(h[3] == std::pair<std::string, std::string>{ "Impersonate-Group", "g2" });

    kube::RestConfig file;
    file.token_file = "/t";
    file.token = "old";
    fs.files["/t"] = "new\n";
    kube::Credentials f(file, runner, clock, fs, false);
    CHECK(auth_of(f.headers()) == "Bearer old");
    clock.sleep_for(std::chrono::seconds(61));
    CHECK(auth_of(f.headers()) == "Bearer new");
}

TEST_SUITE_END();
