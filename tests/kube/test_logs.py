"""logs against the fake API server's kubelet: every pod's lines prefixed as `kubectl logs -l …
--prefix` prefixes them (kubectl is the oracle), --tail/--since/--timestamps/-c, pods without a log
yet, and -f following the new pods of a rollout until the service is gone."""
import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KMS_BIN, KubeTestCase  # noqa: E402
from test_status import apply_args, foreign_deployment  # noqa: E402

SELECTOR = "app.kubernetes.io/instance=web"


def by_pod(text):
    """{prefix: [lines]} of prefixed output."""
    out = {}
    for line in text.splitlines():
        prefix, _, rest = line.partition("] ")
        out.setdefault(prefix + "]", []).append(rest)
    return out


class LogsTest(KubeTestCase):
    def test_every_pod_prefixed_like_kubectl(self):
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--min-replicas", "2", "--wait"), check=0)
        ours = self.kms("logs", "web", check=0)
        self.assertEqual(ours.stderr, "")
        theirs = self.kubectl("logs", "-l", SELECTOR, "--prefix").stdout
        self.assertEqual(by_pod(ours.stdout), by_pod(theirs))
        self.assertEqual(len(by_pod(ours.stdout)), 2)
        self.assertTrue(all(p.startswith("[pod/web-") and p.endswith("/web]") for p in by_pod(ours.stdout)))

        ours = self.kms("logs", "web", "--tail", "1", check=0).stdout
        self.assertEqual(by_pod(ours), by_pod(self.kubectl("logs", "-l", SELECTOR, "--prefix", "--tail", "1").stdout))
        self.assertEqual([len(v) for v in by_pod(ours).values()], [1, 1])

        ours = self.kms("logs", "web", "--since", "1h", "--timestamps", "--no-prefix", check=0).stdout
        self.assertRegex(ours.splitlines()[0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z starting web ")
        logs = [r for r in self.requests() if r["path"].endswith("/log")]
        self.assertEqual(logs[-1]["params"].get("sinceSeconds"), "3600")

        p = self.kms("logs", "web", "-c", "sidecar", check=2)
        self.assertIn("container sidecar is not valid for pod web-", p.stderr)
        self.assertIn("choose one of: [web]", p.stderr)
        self.assertEqual(self.kms("logs", "web", "--since", "soon", check=2).stderr,
                         'flag --since: invalid duration "soon" (e.g. 30s, 5m, 1h)\n')

    def test_a_crash_loop_and_a_pod_that_never_started(self):
        self.kms(*apply_args("web", "ghcr.io/acme/crashloop:1", "--no-wait"), check=0)
        deadline = time.monotonic() + 20
        while True:
            p = self.kms("logs", "web", check=0)
            if "exit status 1" in p.stdout or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        self.assertIn("Error: failed to load configuration", p.stdout)
        self.kms(*apply_args("pull", "registry.example/app:imagepull", "--no-wait"), check=0)
        time.sleep(1)
        p = self.kms("logs", "pull", check=0)
        self.assertEqual(p.stdout, "")
        self.assertRegex(p.stderr, r'pod/pull-[a-z0-9-]+: container "pull" in pod "pull-[a-z0-9-]+" is waiting to '
                                   r'start')

    def test_follow_picks_up_the_new_pods_of_a_rollout_and_ends_with_the_service(self):
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--wait"), check=0)
        proc = subprocess.Popen([KMS_BIN, "--kubeconfig", self.kubeconfig, "logs", "web", "-f", "--tail", "2"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env())
        self.addCleanup(proc.stderr.close)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
        reader.start()

        def wait_for(pred, what):
            deadline = time.monotonic() + 30
            while not pred():
                self.assertLess(time.monotonic(), deadline, "%s; got %r" % (what, lines))
                time.sleep(0.2)

        wait_for(lambda: any("ready to serve requests" in l for l in lines), "no line of the first pod")
        self.assertFalse(any("starting web" in l for l in lines), "--tail 2 applies to the pods already running")
        self.kms(*apply_args("web", "ghcr.io/acme/web:2", "--wait"), check=0)
        wait_for(lambda: any("starting web (image ghcr.io/acme/web:2)" in l for l in lines),
                 "the new revision's pod was not followed from its first line")
        self.assertEqual(len({l.split("] ")[0] for l in lines}), 2)
        self.api("/apis/apps/v1/namespaces/default/deployments/web", method="DELETE")
        self.assertEqual(proc.wait(timeout=30), 0)
        reader.join(timeout=10)
        self.assertIn("service web is gone", proc.stderr.read())

    def test_errors(self):
        foreign_deployment(self, "web")
        p = self.kms("logs", "web", check=1)
        self.assertIn("is not managed by kubectl-microservice", p.stderr)
        self.assertIn("refusing to show the logs of it", p.stderr)
        self.kms(*apply_args("api", "ghcr.io/acme/web:1", "--wait"), check=0)
        self.api("/__fake/deny", method="POST", body={"verb": "get", "resource": "pods/log"})
        p = self.kms("logs", "api", check=1)
        self.assertIn('cannot get resource "pods/log"', p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        p = self.kms("logs", "apx", check=1)
        self.assertEqual(p.stderr, 'error: service "apx" not found in namespace "default" (did you mean "api"?)\n')


if __name__ == "__main__":
    unittest.main()
