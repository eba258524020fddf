"""Connecting as kubectl does: TLS with a test CA and client certificates, bearer tokens, an exec
credential plugin (caching, KUBERNETES_EXEC_INFO, re-run after a 401), KUBECONFIG lists merged
first-wins (kubectl config view as the oracle), and TLS verification on by default."""
import http.client
import http.server
import json
import os
import stat
import subprocess
import sys
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KUBECTL, KubeTestCase, certs  # noqa: E402

SERVICE = ["--name", "web", "--image", "ghcr.io/acme/web:1"]

PLUGIN = r'''#!/usr/bin/env python3
import json, os, sys
state = sys.argv[1]
runs = int(open(state).read()) if os.path.exists(state) else 0
with open(state, "w") as f:
    f.write(str(runs + 1))
with open(state + ".info", "a") as f:
    f.write(os.environ.get("KUBERNETES_EXEC_INFO", "") + "\n")
tokens = sys.argv[2].split(",")
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                  "status": {"token": tokens[min(runs, len(tokens) - 1)]}}))
'''


class TlsTest(KubeTestCase):
    def start_server(self, **kw):
        import tempfile
        self.pki = certs.make_pki(tempfile.mkdtemp(prefix="kms-pki-"))
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", self.pki["dir"]]))
        self.srv_ca = self.pki["ca"]
        return super().start_server(tls=True, cert=self.pki["server_cert"], key=self.pki["server_key"],
                                    client_ca=self.pki["ca"], tokens=["tok-bob:bob", "exec-new:carol"], **kw)

    def users(self):
        return {r["user"] for r in self.requests() if r["path"].startswith("/api")}

    def test_client_certificate(self):
        kc = self.srv.write_kubeconfig(os.path.join(self.tmp, "cert.kubeconfig"), ca=self.pki["ca"],
                                       client_cert=self.pki["client_cert"], client_key=self.pki["client_key"])
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False, check=0)
        self.assertIn("Deployment/web (default) created", p.stdout)
        self.assertEqual(self.users(), {"test-user"})

    def test_certificate_files_relative_to_the_kubeconfig(self):
        kc = certs.write_kubeconfig(os.path.join(self.pki["dir"], "files.kubeconfig"), self.srv.url, ca="ca.crt",
                                    client_cert="client.crt", client_key="client.key", embed=False)
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False, check=0)
        self.assertIn("created", p.stdout)
        self.assertEqual(self.users(), {"test-user"})

    def test_bearer_token_and_flag_override(self):
        kc = self.srv.write_kubeconfig(os.path.join(self.tmp, "tok.kubeconfig"), ca=self.pki["ca"], token="tok-bob")
        self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False, check=0)
        self.assertEqual(self.users(), {"bob"})
        self.clear_requests()
        p = self.kms("--kubeconfig", kc, "--token", "wrong", "apply", *SERVICE, kubeconfig=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("unauthorized: the API server rejected the credentials of kubeconfig %s: users[\"fake\"]" % kc,
                      p.stderr)
        self.assertNotIn("wrong", p.stderr)
        self.assertNotIn("tok-bob", p.stdout + p.stderr)

    def test_verbose_logging_hides_the_token(self):
        kc = self.srv.write_kubeconfig(os.path.join(self.tmp, "tok.kubeconfig"), ca=self.pki["ca"], token="tok-bob")
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, "-v", "8", kubeconfig=False, check=0)
        self.assertIn("PATCH https://127.0.0.1:%d/apis/apps/v1/namespaces/default/deployments/web" % self.srv.port,
                      p.stderr)
        self.assertIn("Authorization: <redacted>", p.stderr)
        self.assertNotIn("tok-bob", p.stderr)
        self.assertEqual(self.users(), {"bob"})

    def test_tls_server_name_is_the_name_verified(self):
        kc = self.srv.write_kubeconfig(os.path.join(self.tmp, "tsn.kubeconfig"), ca=self.pki["ca"], token="tok-bob")
        with open(kc) as f:
            text = f.read()
        # The certificate is for 127.0.0.1, ::1 and localhost: another name must fail verification.
        with open(kc, "w") as f:
            f.write(text.replace("    server:", "    tls-server-name: api.wrong.example\n    server:"))
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot reach", p.stderr)
        with open(kc, "w") as f:
            f.write(text.replace("    server:", "    tls-server-name: localhost\n    server:"))
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False, check=0)
        self.assertIn("created", p.stdout)

    def test_tls_is_verified_by_default(self):
        kc = self.srv.write_kubeconfig(os.path.join(self.tmp, "noca.kubeconfig"), token="tok-bob")
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot reach 127.0.0.1:%d" % self.srv.port, p.stderr)
        p = self.kms("--kubeconfig", kc, "--insecure-skip-tls-verify", "apply", *SERVICE, kubeconfig=False, check=0)
        self.assertIn("warning: TLS verification of https://127.0.0.1:%d is off" % self.srv.port, p.stderr)
        p = self.kms("--kubeconfig", kc, "--certificate-authority", self.pki["ca"], "apply", *SERVICE,
                     kubeconfig=False, check=0)
        self.assertIn("unchanged", p.stdout)

    def write_exec_kubeconfig(self, tokens, api_version="client.authentication.k8s.io/v1"):
        plugin = os.path.join(self.tmp, "bin", "plugin.py")
        os.makedirs(os.path.dirname(plugin), exist_ok=True)
        with open(plugin, "w") as f:
            f.write(PLUGIN)
        os.chmod(plugin, stat.S_IRWXU)
        self.state = os.path.join(self.tmp, "plugin-state")
        kc = os.path.join(self.tmp, "exec.kubeconfig")
        with open(self.pki["ca"], "rb") as f:
            import base64
            ca = base64.b64encode(f.read()).decode()
        with open(kc, "w") as f:
            f.write("\n".join([
                "apiVersion: v1", "kind: Config", "current-context: x",
                "clusters: [{name: c, cluster: {server: '%s', certificate-authority-data: %s}}]" % (self.srv.url, ca),
                "contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]",
                "users:", "- name: u", "  user:", "    exec:",
                "      apiVersion: %s" % api_version,
                "      command: ./bin/plugin.py",  # relative to the kubeconfig's directory
                "      args: ['%s', '%s']" % (self.state, ",".join(tokens)),
                "      interactiveMode: Never", "      provideClusterInfo: true", ""]))
        return kc

    def test_exec_plugin_runs_once_per_process(self):
        kc = self.write_exec_kubeconfig(["exec-new"])
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False, check=0)
        self.assertIn("created", p.stdout)
        self.assertEqual(self.users(), {"carol"})
        with open(self.state) as f:
            self.assertEqual(f.read(), "1")
        with open(self.state + ".info") as f:
            info = json.loads(f.readline())
        self.assertEqual(info["apiVersion"], "client.authentication.k8s.io/v1")
        self.assertEqual(info["kind"], "ExecCredential")
        self.assertFalse(info["spec"]["interactive"])
        self.assertEqual(info["spec"]["cluster"]["server"], self.srv.url)
        self.assertIn("certificate-authority-data", info["spec"]["cluster"])

    def test_exec_plugin_rerun_after_401(self):
        kc = self.write_exec_kubeconfig(["exec-stale", "exec-new"])
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False, check=0)
        self.assertIn("created", p.stdout)
        with open(self.state) as f:
            self.assertEqual(f.read(), "2")

    def test_exec_plugin_errors_name_the_user(self):
        kc = self.write_exec_kubeconfig(["x"])
        with open(kc) as f:
            text = f.read().replace("./bin/plugin.py", "kms-no-such-plugin")
        with open(kc, "w") as f:
            f.write(text + "      installHint: install it from example.com\n")
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn('kubeconfig %s: users["u"]: exec plugin "kms-no-such-plugin" not found in PATH; install it from '
                      'example.com' % kc, p.stderr)


class ForwardProxy(http.server.BaseHTTPRequestHandler):
    """A plain HTTP forward proxy (absolute-form requests), recording what passed through it."""
    protocol_version = "HTTP/1.1"
    hits = []

    def forward(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        conn.request(self.command, url.path + ("?" + url.query if url.query else ""), body=body or None,
                     headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        ForwardProxy.hits.append((self.command, url.path))
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PATCH = do_POST = do_PUT = do_DELETE = forward

    def log_message(self, *args):
        pass


class ProxyTest(KubeTestCase):
    def test_proxy_url_is_used(self):
        ForwardProxy.hits = []
        proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ForwardProxy)
        thread = threading.Thread(target=proxy.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(lambda: (proxy.shutdown(), proxy.server_close()))
        kc = os.path.join(self.tmp, "proxy.kubeconfig")
        with open(self.kubeconfig) as f:
            text = f.read()
        with open(kc, "w") as f:
            f.write(text.replace("    server:", "    proxy-url: http://127.0.0.1:%d\n    server:" % proxy.server_address[1]))
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False, check=0)
        self.assertIn("Deployment/web (default) created", p.stdout)
        self.assertIn(("PATCH", "/apis/apps/v1/namespaces/default/deployments/web"), ForwardProxy.hits)
        with open(kc, "w") as f:
            f.write(text.replace("    server:", "    proxy-url: ftp://127.0.0.1:1\n    server:"))
        p = self.kms("--kubeconfig", kc, "apply", *SERVICE, kubeconfig=False, check=2)
        self.assertIn('clusters["fake"]: proxy-url "ftp://127.0.0.1:1": scheme must be http, https or socks5', p.stderr)


class MergeTest(KubeTestCase):
    def test_kubeconfig_list_first_wins(self):
        code, _ = self.api("/api/v1/namespaces", method="POST",
                           body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
        self.assertEqual(code, 201)
        a = os.path.join(self.tmp, "a.yaml")
        b = os.path.join(self.tmp, "b.yaml")
        with open(a, "w") as f:
            f.write("contexts: [{name: ctx, context: {cluster: real, user: u, namespace: team-a}}]\n"
                    "users: [{name: u, user: {}}]\n")
        with open(b, "w") as f:
            f.write("current-context: ctx\n"
                    "clusters: [{name: real, cluster: {server: '%s'}}]\n"
                    "contexts: [{name: ctx, context: {cluster: real, user: u, namespace: team-b}}]\n" % self.srv.url)
        env = {"KUBECONFIG": a + ":" + os.path.join(self.tmp, "missing.yaml") + ":" + b}
        p = self.kms("apply", *SERVICE, kubeconfig=False, env=env, check=0)
        self.assertIn("Deployment/web (team-a) created", p.stdout)
        if KUBECTL:
            view = subprocess.run([KUBECTL, "config", "view", "--minify", "-o", "json"], capture_output=True,
                                  text=True, env=self.env(env), timeout=30)
            self.assertEqual(json.loads(view.stdout)["contexts"][0]["context"]["namespace"], "team-a")

    def test_errors_name_the_file_and_entry(self):
        bad = os.path.join(self.tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("current-context: ctx\ncontexts: [{name: ctx, context: {cluster: gone, user: u}}]\n")
        p = self.kms("--kubeconfig", bad, "apply", *SERVICE, kubeconfig=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn('kubeconfig %s: contexts["ctx"]: cluster "gone" not found (clusters: none)' % bad, p.stderr)
        p = self.kms("apply", *SERVICE, kubeconfig=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no kubeconfig found (looked for %s/.kube/config)" % self.home, p.stderr)


if __name__ == "__main__":
    unittest.main()
