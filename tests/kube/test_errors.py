"""How apply fails and recovers: a missing API (Gateway API not installed) before any write,
permission errors, 429/503 retried with Retry-After, dropped connections retried, server Warning
headers printed once."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KubeTestCase, deployment  # noqa: E402

SERVICE = ["--name", "web", "--image", "ghcr.io/acme/web:1"]
ROUTE = """name: web
image: ghcr.io/acme/web:1
expose:
  host: web.example.com
  gateway: {name: eg, namespace: envoy-gateway-system}
"""


class MissingApiTest(KubeTestCase):
    server_options = {"disabled_crds": ["gateway-api"]}

    def test_missing_crd_fails_before_any_write(self):
        path = os.path.join(self.tmp, "svc.yaml")
        with open(path, "w") as f:
            f.write(ROUTE)
        p = self.kms("apply", "-f", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("HTTPRoute/web: the cluster does not serve HTTPRoute in gateway.networking.k8s.io/v1: the "
                      "Gateway API is not installed", p.stderr)
        self.assertIn("expose.via: istio or ingress (--via)", p.stderr)
        self.assertIn("Nothing was applied.", p.stderr)
        self.assertEqual(self.writes(), [])
        self.assertEqual(p.stdout, "")
        # The advice works.
        p = self.kms("apply", "-f", path, "--via", "istio", check=0)
        self.assertIn("VirtualService/web (default) created", p.stdout)
        # diff checks the same way, exit 2.
        p = self.kms("diff", "-f", path, check=2)
        self.assertIn("the Gateway API is not installed", p.stderr)


class FaultTest(KubeTestCase):
    def faults(self, *faults):
        self.api("/__fake/faults", method="POST", body={"faults": list(faults)})

    def test_forbidden_is_one_line_and_nothing_written(self):
        self.api("/__fake/deny", method="POST", body={"verb": "patch", "resource": "deployments"})
        p = self.kms("apply", *SERVICE)
        self.assertEqual(p.returncode, 1)
        self.assertIn('Deployment/web in namespace default: forbidden: deployments.apps "web" is forbidden: User '
                      '"system:admin" cannot patch resource "deployments" in API group "apps" in the namespace '
                      '"default"', p.stderr)
        self.assertEqual(self.writes(), [])

    def test_429_and_503_are_retried_with_retry_after(self):
        self.faults({"status": 429, "retry_after": 1, "count": 2, "path_regex": "/deployments/web$",
                     "method": "PATCH"},
                    {"status": 503, "count": 1, "path_regex": "/services/web$", "method": "PATCH"})
        start = time.monotonic()
        p = self.kms("apply", *SERVICE, check=0)
        self.assertIn("Deployment/web (default) created", p.stdout)
        self.assertGreaterEqual(time.monotonic() - start, 2.0)  # two Retry-After: 1
        statuses = [r["status"] for r in self.requests() if r["path"].endswith("/deployments/web")]
        self.assertEqual(statuses[:2], [429, 429])  # the dry run waited, then went through
        self.assertEqual(statuses[-1], 201)

    def test_dropped_connections_are_retried(self):
        self.faults({"drop_connection": True, "count": 1, "path_regex": "/services/web$", "method": "PATCH"})
        p = self.kms("apply", *SERVICE, check=0)
        self.assertIn("Service/web (default) created", p.stdout)
        self.assertIsNotNone(deployment(self, "web"))

    def test_warnings_printed_once_like_kubectl(self):
        self.faults({"warning": 'spec.foo is "deprecated"', "path_regex": "/deployments/web$"})
        p = self.kms("apply", *SERVICE, check=0)
        self.assertEqual(p.stderr.count('Warning: spec.foo is "deprecated"\n'), 1, p.stderr)


if __name__ == "__main__":
    unittest.main()
