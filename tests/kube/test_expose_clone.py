"""expose and clone against the fake API server. expose changes only the exposure, and the result is
what `apply` of the changed service file makes (diff exits 0); the old exposure's objects are
pruned. clone copies a recorded service with overrides, also from a ReplicaSet left behind."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KubeTestCase, deployment  # noqa: E402

SERVICE_YAML = """name: web
image: ghcr.io/acme/web:1.0
port: 8080
env: {MODE: prod}
"""
CONFIG = "domain: example.com\ngateway: {name: public, namespace: gw}\n"


class ExposeCloneTest(KubeTestCase):
    def setUp(self):
        super().setUp()
        cfg = os.path.join(self.tmp, "config", "kubectl-microservice")
        os.makedirs(cfg)
        with open(os.path.join(cfg, "config.yaml"), "w") as f:
            f.write(CONFIG)
        self.file = os.path.join(self.tmp, "service.yaml")
        self.write_file(SERVICE_YAML)
        self.kms("apply", "-f", self.file, "--no-wait", check=0)

    def write_file(self, text):
        with open(self.file, "w") as f:
            f.write(text)

    def kinds(self):
        out = []
        for kind, path in (("HTTPRoute", "/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes"),
                           ("Ingress", "/apis/networking.k8s.io/v1/namespaces/default/ingresses"),
                           ("SecurityPolicy", "/apis/gateway.envoyproxy.io/v1alpha1/namespaces/default/securitypolicies")):
            out += [kind + "/" + i["metadata"]["name"] for i in self.api(path)[1]["items"]]
        return sorted(out)

    def test_expose_change_remove_equal_apply_of_the_file(self):
        generation = deployment(self, "web")["metadata"]["generation"]
        p = self.kms("expose", "web", "--path", "/api", "--rewrite", "/", "--no-wait", check=0)
        self.assertIn("HTTPRoute/web (default) created", p.stdout)
        self.assertIn('service "web" exposed at web.services.example.com/api', p.stdout)
        self.assertEqual(self.kinds(), ["HTTPRoute/web"])
        # The pods are not touched: the Deployment changes only its record (metadata).
        self.assertEqual(deployment(self, "web")["metadata"]["generation"], generation)
        self.write_file(SERVICE_YAML + "expose: {path: /api, rewrite: /}\n")
        p = self.kms("diff", "-f", self.file)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

        p = self.kms("expose", "web", "--via", "ingress", "--host", "web.acme.io", "--no-wait", check=0)
        self.assertIn("HTTPRoute/web (default) pruned", p.stdout)
        self.assertEqual(self.kinds(), ["Ingress/web"])
        self.write_file(SERVICE_YAML + "expose: {path: /api, rewrite: /, via: ingress, host: web.acme.io}\n")
        self.assertEqual(self.kms("diff", "-f", self.file).returncode, 0)

        p = self.kms("expose", "web", "--via", "gateway-api", "--auth", "jwt", "--jwt-issuer",
                     "https://sso.example.com/realms/acme", "--jwt-jwks", "https://sso.example.com/jwks",
                     "--no-wait", check=0)
        self.assertEqual(self.kinds(), ["HTTPRoute/web", "SecurityPolicy/web-sp"])

        p = self.kms("expose", "web", "--remove", "--no-wait", check=0)
        self.assertIn('service "web" is no longer exposed', p.stdout)
        self.assertEqual(self.kinds(), [])
        self.clear_requests()
        p = self.kms("expose", "web", "--remove", "--no-wait", check=0)
        self.assertEqual(p.stdout, 'service "web" is not exposed: nothing to remove\n')
        self.assertEqual(self.writes(), [])
        self.write_file(SERVICE_YAML)
        self.assertEqual(self.kms("diff", "-f", self.file).returncode, 0)
        self.assertEqual(deployment(self, "web")["metadata"]["generation"], generation)

    def test_expose_errors(self):
        p = self.kms("expose", "web", "--remove", "--host", "x.example.com")
        self.assertEqual(p.returncode, 2)
        self.assertIn("flag --remove: takes no exposure flags", p.stderr)
        p = self.kms("expose", "wbe", "--host", "x.example.com")
        self.assertEqual(p.returncode, 1)
        self.assertIn('service "wbe" not found', p.stderr)
        self.api("/__fake/deny", method="POST", body={"verb": "patch", "resource": "httproutes"})
        self.clear_requests()
        p = self.kms("expose", "web")
        self.assertEqual(p.returncode, 1)
        self.assertIn("HTTPRoute/web in namespace default: forbidden", p.stderr)
        self.assertEqual(self.writes(), [])

    def test_clone_with_overrides(self):
        self.kms("expose", "web", "--no-wait", check=0)
        p = self.kms("clone", "web", "--name", "web2", "--image", "ghcr.io/acme/web:2.0", "--env", "MODE=canary",
                     "--no-wait", check=0)
        self.assertIn('service "web2" cloned from "web"', p.stdout)
        d = deployment(self, "web2")
        c = d["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(c["image"], "ghcr.io/acme/web:2.0")
        self.assertEqual({e["name"]: e.get("value") for e in c["env"]}["MODE"], "canary")
        self.assertEqual(c["ports"][0]["containerPort"], 8080)  # from the record
        route = self.get("/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/web2")
        self.assertEqual(route["spec"]["hostnames"], ["web2.services.example.com"])  # not the original's
        rec = json.loads(d["metadata"]["annotations"]["kubectl-microservice.dev/source"])
        self.assertEqual(rec["service"]["name"], "web2")
        # The original is untouched, and the copy has its own ApplySet.
        self.assertEqual(deployment(self, "web")["spec"]["template"]["spec"]["containers"][0]["image"],
                         "ghcr.io/acme/web:1.0")
        self.assertIsNotNone(self.get("/api/v1/namespaces/default/secrets/microservice-web2"))

        p = self.kms("clone", "web", "--name", "web2")
        self.assertEqual(p.returncode, 1)
        self.assertIn('service "web2" already exists', p.stderr)
        p = self.kms("clone", "web")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--name", p.stderr)

    def test_clone_from_leftover_replicaset_and_after_cancel(self):
        self.kms("apply", "--name", "old", "--image", "ghcr.io/acme/old:3", "--wait", check=0)
        # kubectl delete --cascade=orphan leaves the ReplicaSet, which carries the record.
        self.kubectl("delete", "deployment", "old", "--cascade=orphan")
        p = self.kms("clone", "old", "--name", "new", "--no-wait", check=0)
        self.assertEqual(deployment(self, "new")["spec"]["template"]["spec"]["containers"][0]["image"],
                         "ghcr.io/acme/old:3")
        # After cancel nothing is left to copy, and the error says so.
        self.kms("cancel", "new", "--wait", check=0)
        p = self.kms("clone", "new", "--name", "newer")
        self.assertEqual(p.returncode, 1)
        self.assertIn('service "new" not found in namespace "default"', p.stderr)
        self.assertIn("no record of it is left either", p.stderr)


if __name__ == "__main__":
    unittest.main()
