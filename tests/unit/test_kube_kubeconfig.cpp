#include <doctest/doctest.h>
#include <kube/kubeconfig.hpp>
#include <util/error.hpp>
#include <util/sha256.hpp>

using namespace kms;
using kube::ConfigOverrides;

namespace {

// The two files of the merge oracle: `KUBECONFIG=a:b kubectl config view --raw --minify`
// (kubectl 1.32) chose context ctxB from b, cluster c1 from a (b's insecure flag dropped).
const char* k_file_a = R"(apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
    server: https://a.example:6443
    certificate-authority: certs/ca.pem
users:
- name: u1
  user:
    token: tok-a
contexts:
- name: ctxA
  context: {cluster: c1, user: u1, namespace: nsa}
)";

const char* k_file_b = R"(apiVersion: v1
kind: Config
current-context: ctxB
clusters:
- name: c1
  cluster:
    server: https://b.example:6443
    insecure-skip-tls-verify: true
- name: c2
  cluster:
    server: https://c2.example
users:
- name: u1
  user:
    token: tok-b
- name: u2
  user:
    client-certificate: u2.crt
    client-key: /abs/u2.key
contexts:
- name: ctxB
  context: {cluster: c1, user: u2}
- name: ctxA
  context: {cluster: c2, user: u2, namespace: other}
)";

struct World
{
    util::MemoryFs fs;
    util::MapEnvironment env;

    World()
    {
        env.vars["HOME"] = "/home/me";
        fs.files["/k/a.yaml"] = k_file_a;
        fs.files["/k/b.yaml"] = k_file_b;
        fs.files["/k/certs/ca.pem"] = "CA-PEM";
        fs.files["/k/u2.crt"] = "CERT-PEM";
        fs.files["/abs/u2.key"] = "KEY-PEM";
    }

    kube::RestConfig resolve(const ConfigOverrides& o = {}) { return kube::resolve_rest_config(o, env, fs); }
};

std::string error_of(World& w, const ConfigOverrides& o = {})
{
    try {
        w.resolve(o);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST_SUITE_BEGIN("kube");

TEST_CASE("kube::kubeconfig_paths")
{
    util::MapEnvironment env;
    env.vars["HOME"] = "/home/me";
    CHECK(kube::kubeconfig_paths({}, env) == std::vector<std::string>{ "/home/me/.kube/config" });
    env.vars["KUBECONFIG"] = "/a::/b:/a";
    CHECK(kube::kubeconfig_paths({}, env) == std::vector<std::string>{ "/a", "/b" });
    ConfigOverrides o;
    o.kubeconfig = "/only";
    CHECK(kube::kubeconfig_paths(o, env) == std::vector<std::string>{ "/only" });
}

TEST_CASE("kube::merge first wins, like kubectl config view")
{
    World w;
    w.env.vars["KUBECONFIG"] = "/k/a.yaml:/k/missing.yaml:/k/b.yaml";
    auto k = kube::load_kubeconfig({}, w.env, w.fs);
    CHECK(k.current_context == "ctxB");
    CHECK(k.clusters.at("c1").server == "https://a.example:6443");
    CHECK_FALSE(k.clusters.at("c1").insecure_skip_tls_verify); // b's field is dropped with its entry
    CHECK(k.clusters.at("c1").certificate_authority == "/k/certs/ca.pem");
    CHECK(k.users.at("u1").token == "tok-a");
    CHECK(k.contexts.at("ctxA").namespace_ == "nsa");
    CHECK(k.users.at("u2").client_certificate == "/k/u2.crt"); // relative to b's directory

    auto rc = w.resolve();
    CHECK(rc.context_name == "ctxB");
    CHECK(rc.server == "https://a.example:6443");
    CHECK(rc.ca_pem == "CA-PEM");
    CHECK(rc.client_cert_pem == "CERT-PEM");
    CHECK(rc.client_key_pem == "KEY-PEM");
    CHECK(rc.namespace_ == "default");
    CHECK_FALSE(rc.namespace_explicit);

    ConfigOverrides o;
    o.context = "ctxA";
    rc = w.resolve(o);
    CHECK(rc.token == "tok-a");
    CHECK(rc.namespace_ == "nsa");
}

TEST_CASE("kube::overrides")
{
    World w;
    w.env.vars["KUBECONFIG"] = "/k/a.yaml:/k/b.yaml";
    ConfigOverrides o;
    o.context = "ctxA";
    o.namespace_ = "q";
    o.server = "https://x.example/";
    o.token = "flag-token";
    o.request_timeout = "1m30s";
    auto rc = w.resolve(o);
    CHECK(rc.server == "https://x.example");
    CHECK(rc.namespace_ == "q");
    CHECK(rc.namespace_explicit);
    CHECK(rc.token == "flag-token");
    CHECK(rc.request_timeout == std::chrono::seconds(90));

    SUBCASE("--insecure-skip-tls-verify drops the kubeconfig CA")
    {
        o.insecure_skip_tls_verify = true;
        rc = w.resolve(o);
        CHECK(rc.insecure);
        CHECK(rc.ca_pem.empty());
        CHECK(rc.warnings.back().find("TLS verification of https://x.example is off") != std::string::npos);
    }
    SUBCASE("--cluster and --user pick entries across files")
    {
        ConfigOverrides p;
        p.cluster = "c2";
        p.user = "u1";
        rc = w.resolve(p);
        CHECK(rc.server == "https://c2.example");
        CHECK(rc.token == "tok-a");
        CHECK(rc.context_name == "ctxB");
    }
    SUBCASE("bad duration")
    {
        o.request_timeout = "soon";
        CHECK(error_of(w, o) == "--request-timeout: invalid duration \"soon\" (e.g. 10s, 1m, 0)");
    }
}

TEST_CASE("kube::errors name the file and entry")
{
    World w;
    w.env.vars["KUBECONFIG"] = "/k/a.yaml:/k/b.yaml";
    ConfigOverrides o;
    o.context = "nope";
    CHECK(error_of(w, o) ==
          "kubeconfig /k/a.yaml, /k/b.yaml: context \"nope\" not found (contexts: \"ctxA\", \"ctxB\")");
    o.context = "ctxA";
    o.user = "ghost";
    CHECK(error_of(w, o) ==
          "kubeconfig /k/a.yaml: contexts[\"ctxA\"]: user \"ghost\" not found (users: \"u1\", \"u2\")");

    w.fs.files.erase("/k/u2.crt");
    CHECK(error_of(w) == "kubeconfig /k/b.yaml: users[\"u2\"]: client-certificate /k/u2.crt: no such file");

    w.fs.files["/k/c.yaml"] = R"(clusters:
- name: c
  cluster: {server: https://c, certificate-authority-data: "%%%"}
users:
- name: u
  user: {token: t, username: bob}
- name: u
  user: {}
)";
    w.env.vars["KUBECONFIG"] = "/k/c.yaml";
    std::string msg = error_of(w);
    CHECK(msg.find("/k/c.yaml:3:") != std::string::npos);
    CHECK(msg.find("clusters[\"c\"].certificate-authority-data: not valid base64") != std::string::npos);
    CHECK(msg.find("users[\"u\"]: duplicate name") != std::string::npos);

    w.fs.files["/k/d.yaml"] = R"(current-context: x
contexts: [{name: x, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "https://c", insecure-skip-tls-verify: true, certificate-authority-data: Q0E=}}]
users: [{name: u, user: {token: t, username: bob}}]
)";
    w.env.vars["KUBECONFIG"] = "/k/d.yaml";
    CHECK(error_of(w) == "kubeconfig /k/d.yaml: clusters[\"c\"]: specifying a root certificates file with the "
                         "insecure flag is not allowed");
    w.fs.files["/k/d.yaml"] = R"(current-context: x
contexts: [{name: x, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "https://c"}}]
users: [{name: u, user: {token: t, username: bob}}]
)";
    CHECK(error_of(w) == "kubeconfig /k/d.yaml: users[\"u\"]: more than one authentication method found; found "
                         "[token basicAuth], only one is allowed");
    w.fs.files["/k/d.yaml"] = R"(current-context: x
contexts: [{name: x, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "https://c"}}]
users: [{name: u, user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}}}]
)";
    CHECK(error_of(w) == "kubeconfig /k/d.yaml: users[\"u\"]: exec: interactiveMode must be specified for "
                         "client.authentication.k8s.io/v1 (Never, IfAvailable or Always)");
    w.fs.files["/k/d.yaml"] = R"(current-context: x
contexts: [{name: x, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "https://c", proxy-url: "ftp://p"}}]
users: [{name: u, user: {auth-provider: {name: gcp}}}]
)";
    CHECK(error_of(w) == "kubeconfig /k/d.yaml: clusters[\"c\"]: proxy-url \"ftp://p\": scheme must be http, https or "
                         "socks5");
}

TEST_CASE("kube::no kubeconfig at all")
{
    World w;
    CHECK(error_of(w) == "no kubeconfig found (looked for /home/me/.kube/config) and not running in a cluster: use "
                         "--kubeconfig, set KUBECONFIG, or give --server");
    ConfigOverrides o;
    o.kubeconfig = "/k/none.yaml";
    CHECK(error_of(w, o) == "kubeconfig /k/none.yaml (--kubeconfig): no such file");
    ConfigOverrides s;
    s.server = "127.0.0.1:8080";
    auto rc = w.resolve(s);
    CHECK(rc.server == "http://127.0.0.1:8080");
    CHECK(rc.namespace_ == "default");
}

TEST_CASE("kube::in-cluster service account")
{
    World w;
    w.env.vars["KUBERNETES_SERVICE_HOST"] = "fd00::1";
    w.env.vars["KUBERNETES_SERVICE_PORT"] = "443";
    w.fs.files["/var/run/secrets/kubernetes.io/serviceaccount/token"] = "sa-token\n";
    w.fs.files["/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"] = "SA-CA";
    w.fs.files["/var/run/secrets/kubernetes.io/serviceaccount/namespace"] = "team\n";
    auto rc = w.resolve();
    CHECK(rc.server == "https://[fd00::1]:443");
    CHECK(rc.token == "sa-token");
    CHECK(rc.ca_pem == "SA-CA");
    CHECK(rc.namespace_ == "team");
    CHECK(rc.source == "in-cluster service account");
    w.env.vars["POD_NAMESPACE"] = "pod-ns";
    CHECK(w.resolve().namespace_ == "pod-ns");
    // A kubeconfig, when there is one, wins (kubectl uses in-cluster only for an empty config).
    w.env.vars["KUBECONFIG"] = "/k/a.yaml";
    ConfigOverrides o;
    o.context = "ctxA";
    CHECK(w.resolve(o).server == "https://a.example:6443");
}

TEST_CASE("kube::credentials only over TLS, data wins over files, tokenFile, exec cluster info")
{
    World w;
    w.fs.files["/k/e.yaml"] = R"(current-context: x
contexts: [{name: x, context: {cluster: c, user: u}}]
clusters:
- name: c
  cluster:
    server: http://plain:8080
users: [{name: u, user: {tokenFile: tok.txt}}]
)";
    w.fs.files["/k/tok.txt"] = "file-token\n";
    w.env.vars["KUBECONFIG"] = "/k/e.yaml";
    auto rc = w.resolve();
    CHECK(rc.token.empty());
    CHECK(
      rc.warnings.back() ==
      "warning: http://plain:8080 is not https: the credentials of kubeconfig /k/e.yaml: users[\"u\"] are not sent");

    w.fs.files["/k/e.yaml"] = std::string(R"(current-context: x
contexts: [{name: x, context: {cluster: c, user: u}}]
clusters:
- name: c
  cluster:
    server: https://secure
    tls-server-name: api.internal
    certificate-authority: ca-file.pem
    certificate-authority-data: )") +
                              util::base64_encode("DATA-CA") + R"(
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {audience: kube, n: 3}
users:
- name: u
  user:
    tokenFile: tok.txt
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ./bin/plugin
      args: [get-token]
      env: [{name: A, value: b}]
      provideClusterInfo: true
)";
    rc = w.resolve();
    CHECK(rc.ca_pem == "DATA-CA");
    CHECK(rc.warnings.front().find("both certificate-authority and certificate-authority-data") != std::string::npos);
    CHECK(rc.token == "file-token");
    CHECK(rc.token_file == "/k/tok.txt");
    CHECK(rc.tls_server_name == "api.internal");
    REQUIRE(rc.exec);
    CHECK(rc.exec->command == "/k/bin/plugin");
    CHECK(rc.exec->env.at(0).second == "b");
    CHECK(rc.exec_cluster["server"] == "https://secure");
    CHECK(rc.exec_cluster["tls-server-name"] == "api.internal");
    CHECK(rc.exec_cluster["certificate-authority-data"] == util::base64_encode("DATA-CA"));
    CHECK(rc.exec_cluster["config"]["audience"] == "kube");
    CHECK(rc.exec_cluster["config"]["n"] == 3);
}

TEST_SUITE_END();
