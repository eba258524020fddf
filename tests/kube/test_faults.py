"""Faults, end to end against the fake API server (issue 9): the server dies mid-apply and a re-run
converges with nothing orphaned; a 429 storm ends in one clear line in bounded time; watch streams
cut every second; answers slower than --request-timeout; Ctrl-C during apply and during --wait
(exit 130, a line that says what state was left); `render -o dir=PATH` killed at random moments
never leaves a partial PATH.

Where the other fault cases live: 429/503 with Retry-After, dropped connections, 403 and missing
APIs in test_errors.py; one 410 and one cut watch in test_wait.py; TLS verification in
test_auth.py and tests/security; a killed git fetch in tests/git/test_git_cache.py; killed token
refreshes and damaged token-cache entries in tests/oidc/test_token_cache_faults.py.
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KMS_BIN, KubeTestCase, deployment  # noqa: E402

SERVICE = ["--name", "web", "--image", "ghcr.io/acme/web:1", "--min-replicas", "2", "--max-replicas", "4",
           "--health-path", "/healthz"]
APPLYSET_LABEL = "applyset.kubernetes.io/part-of"


class FaultTest(KubeTestCase):
    def faults(self, *faults):
        self.api("/__fake/faults", method="POST", body={"faults": list(faults)})

    def spawn(self, *args):
        return subprocess.Popen([KMS_BIN, "--kubeconfig", self.kubeconfig, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env(), stdin=subprocess.DEVNULL)

    def wait_for_request(self, predicate, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(predicate(r) for r in self.requests()):
                return
            time.sleep(0.05)
        self.fail("the request never came")

    def test_ctrl_c_during_apply_says_what_was_left_and_a_rerun_converges(self):
        # The Deployment's write hangs; the objects before it are applied.
        self.faults({"latency_ms": 20000, "method": "PATCH", "path_regex": "/deployments/web$",
                     "query_regex": "^(?!.*dryRun)"})
        proc = self.spawn("apply", *SERVICE, "--no-wait")
        self.wait_for_request(lambda r: r["method"] == "PATCH" and r["path"].endswith("/deployments/web")
                              and "dryRun" not in (r.get("query") or ""))
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 130, err)
        self.assertTrue(err.endswith("\ninterrupted: objects reported as created or configured above are applied, "
                                     "the others are not; run the same apply again to finish (it is idempotent)\n"),
                        err)
        self.api("/__fake/faults", method="DELETE")
        p = self.kms("apply", *SERVICE, "--no-wait", check=0)
        self.assertIn("Deployment/web (default) created", p.stdout)
        self.assertIsNotNone(deployment(self, "web"))
        again = self.kms("apply", *SERVICE, "--no-wait", check=0)
        self.assertNotIn("created", again.stdout)

    def test_ctrl_c_during_wait_leaves_the_rollout_running(self):
        self.api("/__fake/config", method="POST", body={"controller_delay_ms": 30000})
        proc = self.spawn("apply", *SERVICE, "--wait", "--timeout", "60s")
        line = proc.stdout.readline()
        while line and not line.startswith("Waiting for deployment"):
            line = proc.stdout.readline()
        self.assertTrue(line, "apply never started waiting")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 130, err)
        self.assertIn('interrupted: stopped waiting for deployment "web"; its rollout goes on in the cluster '
                      "(kubectl microservice status web follows it)", err)
        self.assertIsNotNone(deployment(self, "web"))

    def test_429_storm_fails_in_bounded_time_with_one_line(self):
        self.faults({"status": 429, "retry_after": 1, "path_regex": "^/api"})
        start = time.monotonic()
        p = self.kms("apply", *SERVICE, "--no-wait", timeout=120)
        took = time.monotonic() - start
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertLess(took, 60)
        errors = [l for l in p.stderr.splitlines() if l.startswith("error:")]
        self.assertEqual(len(errors), 1, p.stderr)
        self.assertIn("429", errors[0] + " " + p.stderr)
        self.assertEqual(self.writes(), [])

    def test_watch_cut_every_second_still_follows_the_rollout(self):
        self.faults({"watch_cut_after_s": 1, "watch": True})
        self.api("/__fake/config", method="POST", body={"controller_delay_ms": 3500})
        p = self.kms("apply", *SERVICE, "--wait", "--timeout", "60s", timeout=90)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('deployment "web" successfully rolled out', p.stdout)
        watches = [r for r in self.requests() if r["params"].get("watch") == "true"]
        self.assertGreaterEqual(len(watches), 2, "the cut streams were not resumed")

    def test_answers_slower_than_request_timeout(self):
        self.faults({"latency_ms": 5000, "path_regex": "^/api"})
        start = time.monotonic()
        p = self.kms("--request-timeout", "1s", "apply", *SERVICE, "--no-wait", timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertLess(time.monotonic() - start, 30)
        self.assertIn("timed out", p.stderr)
        self.assertEqual(p.stdout, "")


class ServerDiesTest(KubeTestCase):
    """The API server goes away in the middle of an apply and comes back with its state."""

    def start_server(self, **kw):
        self.state = tempfile.mkdtemp(prefix="kms-fake-state-")
        self.addCleanup(shutil.rmtree, self.state, True)
        return super().start_server(state_dir=self.state, **kw)

    def test_rerun_after_the_server_died_converges_and_orphans_nothing(self):
        self.api("/__fake/faults", method="POST", body={"faults": [
            {"latency_ms": 20000, "method": "PATCH", "path_regex": "/deployments/web$",
             "query_regex": "^(?!.*dryRun)"}]})
        proc = subprocess.Popen([KMS_BIN, "--kubeconfig", self.kubeconfig, "apply", *SERVICE, "--no-wait"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env(),
                                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(
                r["method"] == "PATCH" and r["path"].endswith("/deployments/web") and "dryRun" not in (r["query"] or "")
                for r in self.srv.requests.list()):
            time.sleep(0.05)
        port = self.srv.port
        self.srv.stop()  # saves the state: what was applied so far
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 1, err)
        errors = [l for l in err.splitlines() if l.startswith("error:")]
        self.assertEqual(len(errors), 1, err)
        # Back, with what it had; the faults are gone with the old process.
        self.srv = self.start_server(port=port)
        p = self.kms("apply", *SERVICE, "--no-wait", check=0)
        self.assertIn("Deployment/web (default) created", p.stdout)
        parent = self.get("/api/v1/namespaces/default/secrets/microservice-web")
        self.assertIsNotNone(parent)
        kinds = parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"]
        for kind in ("Deployment.apps", "Service", "HorizontalPodAutoscaler.autoscaling",
                     "PodDisruptionBudget.policy"):
            self.assertIn(kind, kinds)
        # Nothing orphaned: the set's members are exactly what the service renders.
        members = []
        for kind, path in (("Deployment", "/apis/apps/v1/namespaces/default/deployments"),
                           ("Service", "/api/v1/namespaces/default/services"),
                           ("HorizontalPodAutoscaler", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"),
                           ("PodDisruptionBudget", "/apis/policy/v1/namespaces/default/poddisruptionbudgets")):
            for obj in self.get(path)["items"]:
                if (obj["metadata"].get("labels") or {}).get(APPLYSET_LABEL):
                    members.append("%s/%s" % (kind, obj["metadata"]["name"]))
        self.assertEqual(sorted(members), ["Deployment/web", "HorizontalPodAutoscaler/web",
                                           "PodDisruptionBudget/web", "Service/web"])
        again = self.kms("apply", *SERVICE, "--no-wait", check=0)
        self.assertNotIn("created", again.stdout)


class RenderDirInterruptedTest(unittest.TestCase):
    """`render -o dir=PATH` writes a fresh directory and swaps it into place: killed at any moment,
    PATH is the old complete directory or the new one, never missing or partial; leftovers of
    killed runs are hidden siblings that the next run removes."""

    def complete(self, out, want):
        with open(os.path.join(out, "kustomization.yaml")) as f:
            listed = [l.strip()[2:] for l in f if l.strip().startswith("- ")]
        self.assertEqual(len(listed), want, "a partial directory")
        for name in listed:
            self.assertTrue(os.path.isfile(os.path.join(out, name)), name)

    def test_kill_at_random_moments(self):
        tmp = tempfile.mkdtemp(prefix="kms-dir-")
        self.addCleanup(shutil.rmtree, tmp, True)
        with open(os.path.join(tmp, "services.yaml"), "w") as f:
            for i in range(150):
                f.write("---\nname: svc-%d\nimage: ghcr.io/acme/app:%d\nreplicas: {min: 2, max: 5}\n"
                        "health: {path: /healthz}\n" % (i, i))
        out = os.path.join(tmp, "out")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
        env["HOME"] = tmp
        argv = [KMS_BIN, "render", "-f", "services.yaml", "-o", "dir=out"]
        first = subprocess.run(argv, cwd=tmp, env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.complete(out, 600)
        rng = random.Random(9)
        for _ in range(12):
            proc = subprocess.Popen(argv, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, 0.2))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            self.complete(out, 600)
        last = subprocess.run(argv, cwd=tmp, env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(last.returncode, 0, last.stderr)
        self.complete(out, 600)
        self.assertEqual(sorted(os.listdir(tmp)), ["out", "services.yaml"])


if __name__ == "__main__":
    unittest.main()
