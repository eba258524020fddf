"""Shared set-up for the apply-engine end-to-end tests: a fake kube-apiserver on loopback
(tests/fakeapi), temporary HOME / kubeconfig / caches, and helpers to run our binary and kubectl.

Environment (set by ctest): KMS_BIN, KMS_SOURCE_DIR, KMS_MODULE_DIR.
"""
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.request

SOURCE_DIR = os.environ.get("KMS_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KMS_BIN = os.environ.get("KMS_BIN", os.path.join(SOURCE_DIR, "build", "kubectl-microservice"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "fakeapi"))

from fakeapi import FakeApiServer  # noqa: E402
import certs  # noqa: E402

KUBECTL = shutil.which("kubectl")


class KubeTestCase(unittest.TestCase):
    """One fake API server per test; `server_options` tweak it."""

    server_options = {}
    namespace = "default"
    srv_ca = None  # the CA of a TLS fake, for the control API

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kms-kube-")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.srv = self.start_server(**self.server_options)
        self.kubeconfig = self.srv.write_kubeconfig(os.path.join(self.tmp, "kubeconfig"), namespace=self.namespace)

    def tearDown(self):
        self.srv.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_server(self, **kw):
        kw.setdefault("controller_delay", 0.05)
        kw.setdefault("tick", 0.2)
        srv = FakeApiServer(**kw).start()
        self.addCleanup(srv.stop)
        return srv

    # ------------------------------------------------------------------ running things

    def env(self, extra=None):
        # No kubeconfig and no proxy of the developer's may leak into a test.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("KUBE") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
        env.update({"HOME": self.home, "XDG_CACHE_HOME": os.path.join(self.tmp, "cache"),
                    "XDG_CONFIG_HOME": os.path.join(self.tmp, "config")})
        env.pop("KUBECONFIG", None)
        if extra:
            env.update(extra)
        return env

    def kms(self, *args, kubeconfig=True, env=None, stdin=None, timeout=60, check=None):
        argv = [KMS_BIN] + (["--kubeconfig", self.kubeconfig] if kubeconfig else []) + list(args)
        p = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=self.env(env), timeout=timeout)
        if check is not None and p.returncode != check:
            self.fail("%s exited %d (wanted %d)\nstdout:\n%s\nstderr:\n%s" % (" ".join(args), p.returncode, check,
                                                                              p.stdout, p.stderr))
        return p

    def kubectl(self, *args, stdin=None, check=0, env=None):
        if KUBECTL is None:
            self.skipTest("kubectl is not installed")
        p = subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig] + list(args), input=stdin,
                           capture_output=True, text=True, env=self.env(env), timeout=60)
        if check is not None and p.returncode != check:
            self.fail("kubectl %s exited %d\n%s%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
        return p

    # ------------------------------------------------------------------ looking at the fake

    def api(self, path, method="GET", body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.srv.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        ctx = None
        if self.srv.url.startswith("https"):
            ctx = ssl.create_default_context(cafile=self.srv_ca)
        try:
            with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def create(self, collection, obj):
        code, got = self.api(collection, method="POST", body=obj)
        self.assertEqual(code, 201, got)
        return got

    def get(self, path):
        code, obj = self.api(path)
        return obj if code == 200 else None

    def requests(self):
        return self.api("/__fake/requests")[1]["requests"]

    def clear_requests(self):
        self.api("/__fake/requests", method="DELETE")

    def writes(self):
        """Requests that changed something (dry runs excluded)."""
        out = []
        for r in self.requests():
            if r["method"] in ("POST", "PUT", "PATCH", "DELETE") and "dryRun" not in (r.get("query") or "") \
                    and not r["path"].startswith("/__fake"):
                out.append(r)
        return out


def deployment(test, name, ns="default"):
    return test.get("/apis/apps/v1/namespaces/%s/deployments/%s" % (ns, name))


def env_of(dep):
    c = dep["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in c.get("env", [])}
