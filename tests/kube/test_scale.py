"""scale against the fake API server: replicas and HPA bounds in place, kept in the record (a later
rebuild keeps them), off with --min 0 --max 0, kubectl scale as the oracle, errors."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KubeTestCase, deployment  # noqa: E402

WEB = ["--name", "web", "--image", "ghcr.io/acme/web:1.0"]


def hpa(test, name="web"):
    return test.get("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/" + name)


def record(test, name="web"):
    return json.loads(deployment(test, name)["metadata"]["annotations"]["kubectl-microservice.dev/source"])


class ScaleTest(KubeTestCase):
    def test_fixed_count_matches_kubectl_scale(self):
        self.kms("apply", *WEB, "--no-wait", check=0)
        self.kms("apply", "--name", "twin", "--image", "ghcr.io/acme/web:1.0", "--no-wait", check=0)
        p = self.kms("scale", "web", "--min", "3", "--wait", check=0)
        self.assertIn('service "web" scaled: 3 replicas', p.stdout)
        self.assertIn("PodDisruptionBudget/web (default) created", p.stdout)  # what apply renders for 3
        self.kubectl("scale", "deployment", "twin", "--replicas=3")
        ours, theirs = deployment(self, "web"), deployment(self, "twin")
        self.assertEqual(ours["spec"]["replicas"], theirs["spec"]["replicas"])
        self.assertIsNone(hpa(self))
        self.assertEqual(record(self)["service"]["replicas"], {"min": 3, "max": 3})
        # Someone scales by hand: our explicit count still wins, without --force-conflicts.
        self.kubectl("scale", "deployment", "web", "--replicas=5")
        self.kms("scale", "web", "--min", "2", "--no-wait", check=0)
        self.assertEqual(deployment(self, "web")["spec"]["replicas"], 2)

    def test_hpa_bounds_then_off_then_back(self):
        self.kms("apply", *WEB, "--min-replicas", "1", "--max-replicas", "3", "--wait", check=0)
        p = self.kms("scale", "web", "--min", "2", "--wait", check=0)  # keeps the ceiling
        self.assertIn("2 to 3 replicas (autoscaled)", p.stdout)
        h = hpa(self)
        self.assertEqual((h["spec"]["minReplicas"], h["spec"]["maxReplicas"]), (2, 3))
        self.assertEqual(deployment(self, "web")["spec"].get("replicas"), 2)  # the HPA raised it

        p = self.kms("scale", "web", "--min", "0", "--max", "0", "--wait", check=0)
        self.assertIn('service "web" scaled: off (0 replicas, no autoscaler)', p.stdout)
        self.assertIn("HorizontalPodAutoscaler/web (default) pruned", p.stdout)
        d = deployment(self, "web")
        self.assertEqual(d["spec"]["replicas"], 0)
        self.assertIsNone(hpa(self))
        pods = self.api("/api/v1/namespaces/default/pods?labelSelector=app.kubernetes.io/instance%3Dweb")[1]
        self.assertEqual(pods["items"], [])
        self.assertEqual(record(self)["service"]["replicas"], {"min": 0, "max": 0})
        status = json.loads(self.kms("status", "web", "-o", "json", check=0).stdout)
        self.assertEqual(status["health"], "off")
        # A rebuild from the record (expose, restart …) keeps the service off.
        self.kms("expose", "web", "--host", "web.example.com", "--via", "ingress", "--no-wait", check=0)
        self.assertEqual(deployment(self, "web")["spec"]["replicas"], 0)

        self.kms("scale", "web", "--min", "1", "--max", "4", "--wait", check=0)
        h = hpa(self)
        self.assertEqual((h["spec"]["minReplicas"], h["spec"]["maxReplicas"]), (1, 4))
        self.assertGreaterEqual(deployment(self, "web")["spec"]["replicas"], 1)

    def test_a_rollout_that_cannot_finish_fails_with_the_reason(self):
        self.kms("apply", "--name", "crash", "--image", "ghcr.io/acme/crashloop:1", "--no-wait", check=0)
        p = self.kms("scale", "crash", "--min", "2", "--wait", "--timeout", "60s")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("Deployment/crash (default) configured", p.stdout)
        self.assertIn("crash-looping", p.stderr)

    def test_server_dry_run_and_conflicts(self):
        self.kms("apply", *WEB, "--no-wait", check=0)
        self.clear_requests()
        p = self.kms("scale", "web", "--min", "4", "--dry-run=server", check=0)
        self.assertIn('service "web" would be scaled (server dry run): 4 replicas', p.stdout)
        self.assertEqual(self.writes(), [])
        self.assertEqual(deployment(self, "web")["spec"]["replicas"], 1)
        # Someone changed the image by hand: the conflict is named, and --force-conflicts takes it back.
        self.kubectl("set", "image", "deployment/web", "web=ghcr.io/acme/web:hotfix")
        p = self.kms("scale", "web", "--min", "2", "--no-wait")
        self.assertEqual(p.returncode, 1)
        self.assertIn('.spec.template.spec.containers[name="web"].image', p.stderr)
        self.assertIn("--force-conflicts", p.stderr)
        self.kms("scale", "web", "--min", "2", "--no-wait", "--force-conflicts", check=0)
        d = deployment(self, "web")
        self.assertEqual(d["spec"]["replicas"], 2)
        self.assertEqual(d["spec"]["template"]["spec"]["containers"][0]["image"], "ghcr.io/acme/web:1.0")

    def test_errors(self):
        self.kms("apply", *WEB, "--no-wait", check=0)
        p = self.kms("scale", "web", "--min", "0", "--max", "2")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--min 0 switches the service off", p.stderr)
        p = self.kms("scale", "web", "--min", "3", "--max", "2")
        self.assertEqual(p.returncode, 2)
        self.assertIn("flag --max: 2 is below --min 3", p.stderr)
        p = self.kms("scale", "web")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--min", p.stderr)
        p = self.kms("scale", "wev", "--min", "2")
        self.assertEqual(p.returncode, 1)
        self.assertIn('service "wev" not found in namespace "default" (did you mean "web"?)', p.stderr)
        self.api("/__fake/deny", method="POST", body={"verb": "patch", "resource": "deployments"})
        self.clear_requests()
        p = self.kms("scale", "web", "--min", "2")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Deployment/web in namespace default: forbidden", p.stderr)
        self.assertIn("Nothing was applied.", p.stderr)
        self.assertEqual(self.writes(), [])


if __name__ == "__main__":
    unittest.main()
