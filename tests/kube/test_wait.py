"""apply --wait against the fake's simulated controllers: success, and failing fast with the reason
(crash loop with log lines, image pull, progress deadline, unschedulable, failing probes), resuming
the watch after 410 Expired and dropped streams, and --timeout."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KubeTestCase  # noqa: E402


def service(image, *extra):
    return ["--name", "web", "--image", image, "--wait", "--timeout", "60s"] + list(extra)


class WaitTest(KubeTestCase):
    def apply_timed(self, *args):
        start = time.monotonic()
        p = self.kms("apply", *args, timeout=90)
        return p, time.monotonic() - start

    def test_healthy_rollout(self):
        p, _ = self.apply_timed(*service("ghcr.io/acme/web:1", "--min-replicas", "2"))
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertIn('deployment "web" successfully rolled out', lines)
        self.assertTrue(any(l.startswith('Waiting for deployment "web" rollout to finish') for l in lines), p.stdout)
        self.assertNotIn("\r", p.stdout)  # plain lines when stdout is not a terminal
        watches = [r for r in self.requests() if r["params"].get("watch") == "true"]
        self.assertTrue(watches)
        self.assertEqual(watches[0]["params"]["fieldSelector"], "metadata.name=web")

    def test_crashloop_fails_fast_with_log_lines(self):
        p, took = self.apply_timed(*service("ghcr.io/acme/crashloop:1"))
        self.assertEqual(p.returncode, 1)
        self.assertIn('deployment "web" cannot roll out: pod web-', p.stderr)
        self.assertIn('container "web" is crash-looping (CrashLoopBackOff, exit code 1', p.stderr)
        self.assertIn("its last log lines:\n  | ", p.stderr)
        self.assertLess(took, 30)

    def test_image_pull_failure_after_a_crashing_revision(self):
        # The previous revision's crash loop must not be blamed on the new one.
        self.kms("apply", "--name", "web", "--image", "ghcr.io/acme/crashloop:1", check=0)
        time.sleep(1)
        p, took = self.apply_timed(*service("registry.example/app:imagepull"))
        self.assertEqual(p.returncode, 1)
        self.assertIn('cannot pull image "registry.example/app:imagepull"', p.stderr)
        self.assertLess(took, 30)

    def test_progress_deadline(self):
        p, _ = self.apply_timed(*service("ghcr.io/acme/deadline:1"))
        self.assertEqual(p.returncode, 1)
        self.assertIn('deployment "web" exceeded its progress deadline', p.stderr)

    def test_unschedulable(self):
        p, _ = self.apply_timed(*service("ghcr.io/acme/unschedulable:1"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot be scheduled: 0/", p.stderr)

    def test_failing_probes(self):
        p, _ = self.apply_timed(*service("ghcr.io/acme/probefail:1", "--health-path", "/healthz"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("probes keep failing", p.stderr)
        self.assertIn("probe failed", p.stderr)

    def test_watch_resumes_after_410_and_dropped_streams(self):
        self.api("/__fake/faults", method="POST", body={"faults": [
            {"watch_410": True, "count": 1, "path_regex": "/deployments"},
            {"watch_cut_after_s": 0.1, "count": 1, "path_regex": "/deployments"}]})
        self.api("/__fake/config", method="POST", body={"controller_delay_ms": 600})
        p, _ = self.apply_timed(*service("ghcr.io/acme/web:1"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('deployment "web" successfully rolled out', p.stdout)
        lists = [r for r in self.requests() if r["path"].endswith("/deployments") and r["method"] == "GET"
                 and r["params"].get("watch") != "true"]
        self.assertGreaterEqual(len(lists), 2, "a 410 must lead to a relist")

    def test_timeout(self):
        self.api("/__fake/config", method="POST", body={"controller_delay_ms": 30000})
        p, took = self.apply_timed("--name", "web", "--image", "ghcr.io/acme/web:1", "--wait", "--timeout", "2s")
        self.assertEqual(p.returncode, 1)
        self.assertIn('timed out after 2s waiting for deployment "web"', p.stderr)
        self.assertLess(took, 15)

    def test_no_wait_by_default_without_a_terminal(self):
        self.api("/__fake/config", method="POST", body={"controller_delay_ms": 30000})
        p, took = self.apply_timed("--name", "web", "--image", "ghcr.io/acme/web:1")
        self.assertEqual(p.returncode, 0)
        self.assertNotIn("Waiting", p.stdout)
        self.assertLess(took, 10)


if __name__ == "__main__":
    unittest.main()
