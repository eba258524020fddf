#!/usr/bin/env python3
"""Secret hygiene, end to end: every verb runs with -v=9 against the loopback fakes (a TLS fake
kube-apiserver, the Keycloak look-alike, the JWT-checking echo service, a smart-HTTP git server)
while recognisable secrets are in play — the kubeconfig's bearer token and client key, a user's
password, a client secret, a Secret's data, a git token, and the access, refresh and id tokens the
issuer hands out. None may appear in stdout (except the access token `token` exists to print),
stderr, the call history, any cache other than the 0600 token cache, any other file the runs
leave, or the arguments of a spawned exec credential plugin. TLS verification stays on unless
the explicit flag or kubeconfig field turns it off, with a warning.

Verbs the binary lists that this file does not know (new ones) still run, generically as
`VERB web -v=9` against the fake cluster, so a new verb is checked from the day it lands.

Run: python3 tests/security/test_secret_hygiene.py  (KMS_BIN = the built binary; scripts/setup.sh first).
"""

import base64
import http.server
import json
import os
import re
import shutil
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for sub in ("fakeapi", "oidc", "git"):
    sys.path.insert(0, str(ROOT / "tests" / sub))

import certs  # noqa: E402
from fakeapi import FakeApiServer  # noqa: E402
from git_helpers import HttpGitServer  # noqa: E402
from kms_cli import binary  # noqa: E402
from oidc_servers import Echo, KeycloakMock, skip_without_setup  # noqa: E402

KUBE_TOKEN = "kube-SENTINEL-7f3a9c1e-bearer"
PASSWORD = "pw-SENTINEL-c0ffee-hunter2"
CLIENT_SECRET = "cs-SENTINEL-5ecret-d00d"
SECRET_DATA = "sk-SENTINEL-openai-0b5e55ed"
GIT_TOKEN = "ghp_SENTINEL9d8c7b6a5f4e3d2c1b0a"
API_KEY = "ak-SENTINEL-a91b2c3d4e5f"  # sent as a header; the echo service sends it back on stdout
NS = "default"

SERVICE = """name: web
image: ghcr.io/acme/web:1
secrets: [openai]
env: {LOG_LEVEL: debug}
"""

PLUGIN = r'''#!/usr/bin/env python3
import json, sys
with open(sys.argv[1], "a") as f:
    f.write(open("/proc/self/cmdline", "rb").read().replace(b"\0", b" ").decode() + "\n")
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                  "status": {"token": sys.argv[2]}}))
'''


def b64(s):
    return base64.b64encode(s.encode()).decode()


def forms(secret):
    """A secret as it could leak: as-is, base64 (Secret data, Basic auth), URL-encoded."""
    out = {secret, b64(secret)}
    out.add(secret.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"))
    return out


class TlsEcho:
    """An HTTPS server with the test CA's certificate, answering 200 to anything."""

    def __init__(self, pki):
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                body = b'{"ok":true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pki["server_cert"], pki["server_key"])
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.url = "https://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class SecretHygieneTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        skip_without_setup()
        cls.root = Path(tempfile.mkdtemp(prefix="kms-secrets-"))
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.inputs = cls.root / "inputs"  # files the test writes; the runs' own files live in home/
        cls.home = cls.root / "home"
        for d in (cls.inputs, cls.home, cls.root / "cache", cls.root / "state", cls.root / "config"):
            d.mkdir()
        cls.pki = certs.make_pki(str(cls.root / "pki"))
        cls.client_key = Path(cls.pki["client_key"]).read_text()

        cls.api = FakeApiServer(tls=True, cert=cls.pki["server_cert"], key=cls.pki["server_key"],
                                client_ca=cls.pki["ca"], tokens=[KUBE_TOKEN + ":alice"], controller_delay=0.05,
                                tick=0.2)
        cls.addClassCleanup(cls.api.stop)
        cls.api.start()
        cls.kubeconfig = str(cls.inputs / "kubeconfig")
        certs.write_kubeconfig(cls.kubeconfig, cls.api.url, ca=cls.pki["ca"], token=KUBE_TOKEN, namespace=NS)
        cls.cert_kubeconfig = str(cls.inputs / "cert.kubeconfig")
        certs.write_kubeconfig(cls.cert_kubeconfig, cls.api.url, ca=cls.pki["ca"], client_cert=cls.pki["client_cert"],
                               client_key=cls.pki["client_key"], namespace=NS)
        cls.api_call("POST", "/api/v1/namespaces/%s/secrets" % NS, {
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "openai"}, "type": "Opaque",
            "data": {"openai-key": b64(SECRET_DATA)}})

        cls.kc = KeycloakMock(users=["alice:" + PASSWORD], realm="test", audience=["api"],
                              clients=["istio", "ci:" + CLIENT_SECRET])
        cls.addClassCleanup(cls.kc.stop)
        cls.kc.start()
        cls.echo = Echo(issuer=cls.kc.issuer, audience=["api"], clock_skew=0)
        cls.addClassCleanup(cls.echo.stop)
        cls.echo.start()

        srv = cls.root / "srv"
        srv.mkdir()
        cls.git_server = HttpGitServer(srv, GIT_TOKEN)
        cls.git_server.__enter__()
        cls.addClassCleanup(cls.git_server.__exit__, None, None, None)
        cls.make_repo(srv / "app.git")

        cls.service_file = cls.inputs / "service.yaml"
        cls.service_file.write_text(SERVICE)
        cls.secret_file = cls.inputs / "client.secret"
        cls.secret_file.write_text(CLIENT_SECRET + "\n")
        cls.git_token_file = cls.inputs / "git.token"
        cls.git_token_file.write_text(GIT_TOKEN + "\n")
        cls.runs = []  # (argv, stdout, stderr) of every run, checked once more at the end

    @classmethod
    def api_call(cls, method, path, body=None):
        import urllib.request
        ctx = ssl.create_default_context(cafile=cls.pki["ca"])
        req = urllib.request.Request(cls.api.url + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer " + KUBE_TOKEN})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ctx))
        with opener.open(req, timeout=10) as r:
            return r.status

    @classmethod
    def make_repo(cls, bare):
        env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cls.root)}
        work = cls.root / "work"
        for args in (["init", "-q", "--bare", "-b", "main", str(bare)], ["init", "-q", "-b", "main", str(work)]):
            subprocess.run(["git", *args], check=True, env=env, capture_output=True)
        (work / "deploy").mkdir()
        (work / "deploy" / "service.yaml").write_text("name: gitweb\nimage: ghcr.io/acme/web:1\n")
        for args in (["add", "-A"], ["commit", "-q", "-m", "init"], ["push", "-q", str(bare), "main"]):
            subprocess.run(["git", *args], check=True, env=env, capture_output=True, cwd=work)

    # ------------------------------------------------------------------ running

    def env(self, extra=None):
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("KUBE", "KMS_", "XDG_", "GIT_", "SSH_")) and
                k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
        keep.update(HOME=str(self.home), XDG_CACHE_HOME=str(self.root / "cache"),
                    XDG_STATE_HOME=str(self.root / "state"), XDG_CONFIG_HOME=str(self.root / "config"),
                    NO_PROXY="127.0.0.1,localhost", KMS_CONFIG=str(self.root / "config" / "none.yaml"))
        if os.environ.get("KMS_MODULE_DIR"):
            keep["KMS_MODULE_DIR"] = os.environ["KMS_MODULE_DIR"]
        keep.update(extra or {})
        return keep

    def kms(self, *args, env=None, stdin="", codes=(0,), kubeconfig=None, timeout=90):
        argv = [binary(), "-v=9", "--kubeconfig", kubeconfig or self.kubeconfig, *args]
        # In home/, so files a verb writes (init) are among those checked.
        p = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=self.env(env), timeout=timeout,
                           cwd=str(self.home))
        self.runs.append((args, p.stdout, p.stderr))
        if codes is not None:
            self.assertIn(p.returncode, codes, "%s exited %d\n%s" % (" ".join(args), p.returncode, p.stderr[-3000:]))
        return p

    def secrets(self):
        """Every secret form known so far, including the tokens the issuer handed out."""
        out = {}
        for name, value in (("kube token", KUBE_TOKEN), ("password", PASSWORD), ("client secret", CLIENT_SECRET),
                            ("Secret data", SECRET_DATA), ("git token", GIT_TOKEN), ("api key", API_KEY)):
            for f in forms(value):
                out[f] = name
        key_body = "".join(l for l in self.client_key.splitlines() if "-----" not in l)
        out[key_body[:64]] = "client key"
        for entry in self.token_entries():
            for field in ("access_token", "refresh_token", "id_token"):
                value = entry["tokens"].get(field)
                if value:
                    out[value] = field
                    # A JWT's signature alone is enough to recognise it.
                    out[value.rsplit(".", 1)[-1]] = field + " signature"
        return out

    def token_dir(self):
        return self.root / "cache" / "kubectl-microservice" / "tokens"

    def token_entries(self):
        d = self.token_dir()
        return [json.loads(p.read_text()) for p in sorted(d.glob("*.json"))] if d.is_dir() else []

    def assert_clean(self, text, where, allow=()):
        for value, name in self.secrets().items():
            if name in allow or len(value) < 8:
                continue
            at = text.find(value)
            if at >= 0:
                self.fail("the %s leaked into %s: …%s…" % (name, where, text[max(0, at - 80):at + 20]))

    # ------------------------------------------------------------------ the verbs

    def test_1_every_verb(self):
        f = str(self.service_file)
        kc = ["--keycloak", self.kc.base_url, "--realm", "test", "--username", "alice"]
        pw = {"KMS_PASSWORD": PASSWORD}
        git_src = "git+%s//deploy/service.yaml@main" % self.git_server.url("app.git")
        known = {
            "render": [(["render", "-f", f], {}), (["render", "-f", git_src], {"KMS_GIT_TOKEN": GIT_TOKEN}),
                       (["render", "--git-token-file", str(self.git_token_file), "-f", git_src, "-o", "json"], {})],
            "validate": [(["validate", "-f", f], {}), (["validate", "-f", git_src], {"KMS_GIT_TOKEN": GIT_TOKEN})],
            "apply": [(["apply", "-f", f, "--dry-run=server"], {}), (["apply", "-f", f, "--wait", "--timeout", "60s"], {}),
                      (["apply", "-f", git_src, "--no-wait"], {"KMS_GIT_TOKEN": GIT_TOKEN})],
            "diff": [(["diff", "-f", f], {})],
            "token": [(["token", *kc], pw), (["token", *kc, "--decode"], pw), (["token", *kc, "-o", "json"], pw),
                      (["token", *kc, "--client-id", "ci", "--grant", "client-credentials",
                        "--client-secret-file", str(self.secret_file)], {}),
                      (["token", *kc, "--client-id", "ci", "--grant", "client-credentials", "-o", "yaml"],
                       {"KMS_CLIENT_SECRET": CLIENT_SECRET})],
            "call": [(["call", "web", "/healthz", "--internal"], {}),
                     (["call", self.echo.url, "/hello", *kc, "-i", "-H", "X-Api-Key: " + API_KEY], pw),
                     (["call", self.echo.url, "/post", *kc, "-d", "{}", "--save-body"], pw),
                     (["call", "--history", "-o", "json"], {}), (["call", "--replay", "-1", *kc], pw)],
            "status": [(["status", "web"], {}), (["status", "web", "-o", "json"], {})],
            "list": [(["list", "-A", "-o", "wide"], {}), (["list", "-o", "yaml"], {})],
            "logs": [(["logs", "web", "--tail", "5"], {})],
            "history": [(["history", "web"], {}), (["history", "web", "-o", "yaml"], {})],
            "scale": [(["scale", "web", "--min", "1", "--max", "2", "--no-wait"], {})],
            "restart": [(["restart", "web", "--no-wait"], {})],
            "expose": [(["expose", "web", "--host", "web.example.com", "--via", "ingress", "--no-wait"], {})],
            "clone": [(["clone", "web", "--name", "web2", "--no-wait"], {})],
            "cancel": [(["cancel", "web2", "--no-wait"], {}), (["cancel", "web", "--dry-run"], {})],
            "init": [(["init", "--name", "hello", "--force"], {})],
            "schema": [(["schema"], {})],
            "explain": [(["explain", "secrets"], {})],
            "completion": [(["completion", "bash"], {})],
            "version": [(["version"], {})],
        }
        stdout_may_print = {"token": ("access_token", "access_token signature"), "call": ("api key",)}
        for verb in self.ordered(self.verbs()):
            for args, env in known.get(verb, [([verb, "web"], {})]):
                with self.subTest(args=" ".join(args)):
                    # Unknown verbs may fail (usage, missing objects); they must still not leak.
                    codes = (0, 1) if verb == "diff" else None if verb not in known else (0,)
                    p = self.kms(*args, env=env, codes=codes)
                    self.assert_clean(p.stderr, "the stderr of %s" % " ".join(args))
                    self.assert_clean(p.stdout, "the stdout of %s" % " ".join(args),
                                      allow=stdout_may_print.get(verb, ()))
        # The tokens only became known once issued: check every earlier run against them too.
        for args, out, err in self.runs:
            self.assert_clean(err, "the stderr of %s" % " ".join(args))
            self.assert_clean(out, "the stdout of %s" % " ".join(args),
                              allow=stdout_may_print.get(args[0], ()) if args else ())
        self.assertTrue(self.token_entries(), "the token runs cached nothing")
        self.assertTrue(any("Authorization: <redacted>" in err for _, _, err in self.runs))

    # Verbs that need others' results run after them; cancel (deletes) and unknown verbs run last.
    ORDER = ["render", "validate", "apply", "diff", "status", "list", "logs", "history", "scale", "restart", "expose",
             "clone", "token", "call", "init", "schema", "explain", "completion", "version"]

    def ordered(self, verbs):
        first = [v for v in self.ORDER if v in verbs]
        return first + [v for v in verbs if v not in self.ORDER and v != "cancel"] + \
            (["cancel"] if "cancel" in verbs else [])

    def verbs(self):
        p = subprocess.run([binary(), "--help"], capture_output=True, text=True, env=self.env(), timeout=30)
        section = p.stdout.split("Subcommands:", 1)[1]
        return [m.group(1) for m in re.finditer(r"^  ([a-z][a-z0-9-]*)\s", section, re.M)]

    def test_2_files_left_behind(self):
        if not self.runs:
            self.test_1_every_verb()
        # The token cache is the one place tokens may rest: 0600 files in a 0700 directory.
        d = self.token_dir()
        self.assertEqual(stat.S_IMODE(d.stat().st_mode), 0o700)
        for p in d.iterdir():
            self.assertEqual(stat.S_IMODE(p.stat().st_mode), 0o600, p)
            if p.suffix == ".json":
                self.assertNotIn(PASSWORD, p.read_text())
                self.assertNotIn(CLIENT_SECRET, p.read_text())
        history = self.root / "state" / "kubectl-microservice" / "history.jsonl"
        self.assertTrue(history.is_file(), "call kept no history")
        self.assertEqual(stat.S_IMODE(history.stat().st_mode), 0o600)
        checked = 0
        for base in (self.root / "cache", self.root / "state", self.root / "config", self.home, self.inputs):
            for p in base.rglob("*"):
                if not p.is_file() or d in p.parents or p.parent == self.inputs:
                    continue
                data = p.read_bytes()
                if b"\0" in data[:4096] and not p.suffix in (".json", ".jsonl", ".yaml"):
                    # git objects are compressed; the git cache's config and refs are text.
                    continue
                self.assert_clean(data.decode(errors="replace"), str(p.relative_to(self.root)))
                checked += 1
        self.assertGreater(checked, 3)

    def own_service(self, name):
        """A service of its own, so this test does not depend on what test_1 left of "web"."""
        path = self.inputs / (name + ".yaml")
        path.write_text(SERVICE.replace("name: web", "name: " + name))
        return path

    def test_3_exec_plugin_arguments(self):
        plugin = self.inputs / "plugin.py"
        plugin.write_text(PLUGIN)
        plugin.chmod(0o700)
        record = self.root / "plugin-argv"
        ca = b64(Path(self.pki["ca"]).read_text())
        kc = self.inputs / "exec.kubeconfig"
        kc.write_text("\n".join([
            "apiVersion: v1", "kind: Config", "current-context: x",
            "clusters: [{name: c, cluster: {server: '%s', certificate-authority-data: %s}}]" % (self.api.url, ca),
            "contexts: [{name: x, context: {cluster: c, user: u, namespace: %s}}]" % NS,
            "users:", "- name: u", "  user:", "    exec:", "      apiVersion: client.authentication.k8s.io/v1",
            "      command: %s" % plugin, "      args: ['%s', '%s']" % (record, KUBE_TOKEN),
            "      interactiveMode: Never", ""]))
        p = self.kms("apply", "-f", str(self.own_service("plugin-web")), "--no-wait", kubeconfig=str(kc))
        self.assert_clean(p.stdout + p.stderr, "the output of apply with an exec plugin")
        argv = record.read_text().splitlines()
        self.assertTrue(argv)
        for line in argv:
            # Only what the kubeconfig put there: the recording path and the token it returns.
            self.assertEqual(line.split()[-2:], [str(record), KUBE_TOKEN])
            for value in (PASSWORD, CLIENT_SECRET, SECRET_DATA, GIT_TOKEN):
                self.assertNotIn(value, line)

    def test_4_client_key_never_logged(self):
        p = self.kms("apply", "-f", str(self.own_service("cert-web")), "--no-wait", kubeconfig=self.cert_kubeconfig)
        self.assert_clean(p.stdout + p.stderr, "the output of apply with a client certificate")


class TlsVerificationTest(unittest.TestCase):
    """Only --insecure-skip-tls-verify / insecure-skip-tls-verify: true (kube) and --insecure (token,
    call) turn verification off, each with a warning; no environment variable does."""

    @classmethod
    def setUpClass(cls):
        cls.root = Path(tempfile.mkdtemp(prefix="kms-tls-"))
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.pki = certs.make_pki(str(cls.root / "pki"))
        cls.api = FakeApiServer(tls=True, cert=cls.pki["server_cert"], key=cls.pki["server_key"])
        cls.addClassCleanup(cls.api.stop)
        cls.api.start()
        cls.https = TlsEcho(cls.pki)
        cls.addClassCleanup(cls.https.stop)
        # Variables other tools read to weaken TLS: none may affect us.
        cls.lax_env = {"GIT_SSL_NO_VERIFY": "1", "NODE_TLS_REJECT_UNAUTHORIZED": "0", "PYTHONHTTPSVERIFY": "0",
                       "CURL_INSECURE": "1", "KUBECTL_INSECURE_SKIP_TLS_VERIFY": "true", "CURL_CA_BUNDLE": "",
                       "SSL_CERT_FILE": cls.pki["server_cert"]}

    def run_kms(self, *args, env=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KMS_")) or k == "KMS_MODULE_DIR"}
        e.update(HOME=str(self.root), XDG_CACHE_HOME=str(self.root / "cache"), XDG_STATE_HOME=str(self.root / "state"),
                 NO_PROXY="127.0.0.1")
        e.update(env or {})
        return subprocess.run([binary(), *args], capture_output=True, text=True, env=e, timeout=60,
                              stdin=subprocess.DEVNULL)

    def test_kube_verifies_unless_told(self):
        plain = str(self.root / "plain.kubeconfig")
        certs.write_kubeconfig(plain, self.api.url)
        p = self.run_kms("--kubeconfig", plain, "apply", "--name", "web", "--image", "nginx:1", env=self.lax_env)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("cannot reach 127.0.0.1:%d" % self.api.port, p.stderr)
        self.assertNotIn("warning: TLS verification", p.stderr)
        insecure = str(self.root / "insecure.kubeconfig")
        certs.write_kubeconfig(insecure, self.api.url, insecure=True)
        p = self.run_kms("--kubeconfig", insecure, "apply", "--name", "web", "--image", "nginx:1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("warning: TLS verification of %s is off" % self.api.url, p.stderr)
        p = self.run_kms("--kubeconfig", plain, "--insecure-skip-tls-verify", "diff", "--name", "web", "--image",
                         "nginx:1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("warning: TLS verification of %s is off" % self.api.url, p.stderr)

    def test_call_and_token_verify_unless_told(self):
        p = self.run_kms("call", self.https.url + "/x", "--no-auth", env=self.lax_env)
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertIn("certificate", p.stderr)
        p = self.run_kms("call", self.https.url + "/x", "--no-auth", "--cacert", self.pki["ca"])
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_kms("call", self.https.url + "/x", "--no-auth", "--insecure")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("warning", p.stderr.lower())
        p = self.run_kms("token", "--issuer", self.https.url, "--client-id", "x", "--grant", "client-credentials",
                         env={**self.lax_env, "KMS_CLIENT_SECRET": "s"})
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("certificate", p.stderr)


if __name__ == "__main__":
    unittest.main()
