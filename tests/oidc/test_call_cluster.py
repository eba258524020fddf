#!/usr/bin/env python3
"""`call NAME` through the cluster, against the fake API server of tests/fakeapi: the service's
HTTPRoute, Gateway listener and SecurityPolicy give its URL and JWT issuer (the token comes from the
Keycloak look-alike, the JWT-checking echo service answers), and --internal goes through the API
server's service proxy with the kubeconfig's credentials.

Run: python3 tests/oidc/test_call_cluster.py  (KMS_BIN = the built binary; scripts/setup.sh first).
"""

import json
import sys
import unittest
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "fakeapi"))

from fakeapi import FakeApiServer  # noqa: E402
from kms_cli import Home, run, wait_for  # noqa: E402
from oidc_servers import Echo, KeycloakMock  # noqa: E402

NS = "demo"
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def api(server, method, path, body=None):
    req = urllib.request.Request(server.url + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json"})
    try:
        with _opener.open(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.read().decode(errors="replace")


def create(server, path, obj):
    status, body = api(server, "POST", path, obj)
    if status not in (200, 201):
        raise AssertionError(f"POST {path}: {status} {body}")


class ClusterCallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kc = KeycloakMock(users=["alice:secret"], realm="test", audience=["api"])
        cls.addClassCleanup(cls.kc.stop)
        cls.kc.start()
        cls.echo = Echo(issuer=cls.kc.issuer, audience=["api"], clock_skew=0)
        cls.addClassCleanup(cls.echo.stop)
        cls.echo.start()
        cls.api = FakeApiServer(controller_delay=0.05, auto_namespaces=True)
        cls.addClassCleanup(cls.api.stop)
        cls.api.start()
        gw = "/apis/gateway.networking.k8s.io/v1/namespaces"
        create(cls.api, f"{gw}/{NS}/gateways", {
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "eg"},
            "spec": {"gatewayClassName": "eg", "listeners": [
                {"name": "web", "protocol": "HTTP", "port": cls.echo.port}]}})
        create(cls.api, f"{gw}/{NS}/httproutes", {
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "infer"},
            "spec": {"parentRefs": [{"name": "eg", "sectionName": "web"}], "hostnames": ["127.0.0.1"],
                     "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
                                "backendRefs": [{"name": "infer", "port": 80}]}]}})
        create(cls.api, f"/apis/gateway.envoyproxy.io/v1alpha1/namespaces/{NS}/securitypolicies", {
            "apiVersion": "gateway.envoyproxy.io/v1alpha1", "kind": "SecurityPolicy",
            "metadata": {"name": "infer-sp"},
            "spec": {"targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "infer"}],
                     "jwt": {"providers": [{"name": "keycloak", "issuer": cls.kc.issuer, "audiences": ["api"],
                                            "remoteJWKS": {"uri": cls.kc.endpoint("certs")}}]}}})
        labels = {"app": "infer"}
        create(cls.api, f"/apis/apps/v1/namespaces/{NS}/deployments", {
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "infer"},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "app", "image": "ghcr.io/acme/infer:1"}]}}}})
        create(cls.api, f"/api/v1/namespaces/{NS}/services", {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "infer"},
            "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": 8787}]}})
        wait_for(lambda: api(cls.api, "GET", f"/api/v1/namespaces/{NS}/services/infer:http/proxy/")[0] == 200,
                 timeout=20)

    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.cleanup)
        self.kubeconfig = str(self.home.root / "kubeconfig")
        self.api.write_kubeconfig(self.kubeconfig, namespace=NS)

    def test_name_resolves_route_listener_and_issuer(self):
        p = run(self.home, "call", "infer", "/hello?x=1", "--kubeconfig", self.kubeconfig, "--username", "alice",
                env={"KMS_PASSWORD": "secret"})
        self.assertEqual(p.returncode, 0, p.stderr_text)
        out = json.loads(p.stdout_text)
        self.assertEqual(out["path"], "/api/hello")
        self.assertEqual(out["claims"]["preferred_username"], "alice")  # a token for the policy's issuer
        history = json.loads(self.home.history_file.read_text().splitlines()[-1])
        self.assertEqual(history["url"], f"http://127.0.0.1:{self.echo.port}/api/hello?x=1")

    def test_name_without_routes_is_not_exposed(self):
        p = run(self.home, "call", "nothing", "--kubeconfig", self.kubeconfig)
        self.assertEqual(p.returncode, 1)
        self.assertIn("has no HTTPRoute, VirtualService or Ingress", p.stderr_text)

    def test_internal_goes_through_the_service_proxy(self):
        p = run(self.home, "call", "infer", "/predict?q=1", "--internal", "-X", "POST", "--json", "-d", '{"a": 1}',
                "--kubeconfig", self.kubeconfig)
        self.assertEqual(p.returncode, 0, p.stderr_text)
        out = json.loads(p.stdout_text)
        self.assertEqual((out["kind"], out["name"], out["namespace"], out["port"]), ("Service", "infer", NS, "http"))
        self.assertEqual((out["method"], out["path"], out["query"]), ("POST", "/predict", "q=1"))
        self.assertEqual(json.loads(out["body"]), {"a": 1})
        entry = json.loads(self.home.history_file.read_text().splitlines()[-1])
        self.assertTrue(entry["internal"])
        replay = run(self.home, "call", "--replay", "-1")
        self.assertEqual(replay.returncode, 2)
        self.assertIn("--internal again", replay.stderr_text)
        headers = run(self.home, "call", "infer", "--internal", "-H", "X-Trace: 1", "--kubeconfig", self.kubeconfig)
        self.assertEqual(headers.returncode, 2)
        self.assertIn("X-Trace", headers.stderr_text)
        missing = run(self.home, "call", "ghost", "--internal", "--kubeconfig", self.kubeconfig)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("service ghost not found in namespace demo", missing.stderr_text)


if __name__ == "__main__":
    unittest.main()
