"""diff against the fake API server: exit codes (0 no changes, 1 changes, 2 errors), what is
stripped, and objects that would be pruned (Secret masking is unit-tested: the renderer makes no Secrets)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KubeTestCase  # noqa: E402

SERVICE = ["--name", "web", "--image", "ghcr.io/acme/web:1.0"]


class DiffTest(KubeTestCase):
    def test_new_service_then_no_changes_then_a_change(self):
        p = self.kms("diff", *SERVICE, check=1)
        self.assertIn("--- live/apps.v1.Deployment.default.web\n+++ merged/apps.v1.Deployment.default.web\n",
                      p.stdout)
        self.assertIn("+kind: Deployment", p.stdout)
        self.assertEqual(self.writes(), [])

        self.kms("apply", *SERVICE, check=0)
        self.clear_requests()
        p = self.kms("diff", *SERVICE, check=0)
        self.assertEqual(p.stdout, "")

        p = self.kms("diff", "--name", "web", "--image", "ghcr.io/acme/web:2.0", check=1)
        self.assertIn("-      - image: ghcr.io/acme/web:1.0\n+      - image: ghcr.io/acme/web:2.0\n", p.stdout)
        self.assertIn('-    app.kubernetes.io/version: "1.0"\n+    app.kubernetes.io/version: "2.0"\n', p.stdout)

        p = self.kms("diff", *SERVICE, "--env", "MODE=fast", check=1)
        self.assertIn("+      - env:\n+        - name: MODE\n+          value: fast\n", p.stdout)
        for noise in ("managedFields", "resourceVersion", "creationTimestamp", "uid:", "status:", "generation"):
            self.assertNotIn(noise, p.stdout)
        self.assertNotIn("Service", p.stdout)  # unchanged objects print nothing
        self.assertEqual(self.writes(), [])

    def test_pruned_objects_show_as_removed(self):
        self.kms("apply", *SERVICE, "--min-replicas", "2", check=0)
        p = self.kms("diff", *SERVICE, check=1)
        self.assertIn("--- live/policy.v1.PodDisruptionBudget.default.web\n"
                      "+++ merged/policy.v1.PodDisruptionBudget.default.web\n@@ -1,", p.stdout)
        self.assertIn("-kind: PodDisruptionBudget", p.stdout)
        p = self.kms("diff", *SERVICE, "--no-prune", check=1)
        self.assertNotIn("PodDisruptionBudget", p.stdout)

    def test_errors_exit_2(self):
        p = self.kms("diff", *SERVICE, "-n", "nowhere", check=2)
        self.assertIn('namespaces "nowhere" not found', p.stderr)
        p = self.kms("diff", *SERVICE, "--secret", "missing", check=2)
        self.assertIn('secret "missing" in namespace default: not found', p.stderr)
        p = self.kms("diff", "--image", check=2)
        self.assertEqual(p.stdout, "")


if __name__ == "__main__":
    unittest.main()
