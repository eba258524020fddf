"""status and list against the fake API server: health (healthy, progressing, degraded, failed, off)
with the reason apply's --wait would give, replicas, autoscaling, the service block with its URLs,
the record apply leaves (commit, ApplySet id), tables for scripts, errors (unknown service, not
ours, RBAC) and NAME completion from the cluster."""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KubeTestCase, deployment  # noqa: E402


def foreign_deployment(test, name="other"):
    """A Deployment another tool made (no managed-by label)."""
    test.create("/apis/apps/v1/namespaces/default/deployments", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": name, "image": "nginx"}]}}}})


def apply_args(name, image, *extra):
    return ["apply", "--name", name, "--image", image, "--timeout", "60s"] + list(extra)


class StatusTest(KubeTestCase):
    def status(self, name, *extra, check=0):
        p = self.kms("status", name, "-o", "json", *extra, check=check)
        return json.loads(p.stdout) if check == 0 else p

    def wait_for(self, name, health, timeout=20):
        """status until `health` (the fake's controllers work on their own clock)."""
        deadline = time.monotonic() + timeout
        while True:
            doc = self.status(name)
            if doc["health"] == health or time.monotonic() > deadline:
                return doc
            time.sleep(0.3)

    def test_healthy_with_autoscaling_and_an_ingress(self):
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--min-replicas", "2", "--max-replicas", "4",
                             "--host", "web.example.com", "--via", "ingress", "--wait"), check=0)
        self.clear_requests()
        doc = self.status("web")
        self.assertEqual(doc["health"], "healthy")
        self.assertNotIn("reason", doc)
        self.assertEqual(doc["replicas"], {"desired": 2, "ready": 2, "updated": 2, "available": 2})
        self.assertEqual(doc["autoscaling"]["min"], 2)
        self.assertEqual(doc["autoscaling"]["max"], 4)
        self.assertEqual(doc["autoscaling"]["cpu"], {"target": 80})  # the fake HPA measures nothing
        self.assertEqual(doc["image"], "ghcr.io/acme/web:1")
        self.assertEqual(doc["revision"], 1)
        live = deployment(self, "web")
        self.assertEqual(doc["applyset"], live["metadata"]["labels"]["applyset.kubernetes.io/part-of"])
        svc = doc["service"]
        svc_live = self.get("/api/v1/namespaces/default/services/web")
        self.assertEqual(svc["name"], "web")
        self.assertEqual(svc["type"], "ClusterIP")
        self.assertEqual(svc["clusterIP"], svc_live["spec"]["clusterIP"])
        self.assertEqual(svc["ports"], [{"name": "http", "port": 8787, "protocol": "TCP", "targetPort": "http"}])
        self.assertEqual(svc["url"], "web.default:8787")
        self.assertEqual(svc["urls"], ["web.default:8787"])
        self.assertEqual(svc["dns"], ["web", "web.default", "web.default.svc", "web.default.svc.cluster.local"])
        self.assertEqual(svc["external"], ["http://web.example.com"])

        text = self.kms("status", "web", check=0).stdout
        self.assertIn("Health:        healthy\n", text)
        self.assertIn("Replicas:      2 desired, 2 ready, 2 updated, 2 available\n", text)
        self.assertIn("Autoscaling:   2-4 replicas (now 2), cpu <unknown>/80%, memory <unknown>/80%\n", text)
        self.assertIn("  External:    http://web.example.com\n", text)
        self.assertNotIn("\x1b[", text)  # no colour into a pipe
        self.assertEqual(self.kms("status", "web", "-o", "yaml", check=0).stdout.splitlines()[:3],
                         ["name: web", "namespace: default", "health: healthy"])
        # status only reads.
        self.assertEqual([r for r in self.writes()], [])

    def test_crash_loop_is_failed_then_degraded_while_the_old_revision_serves(self):
        self.kms(*apply_args("bad", "ghcr.io/acme/crashloop:1", "--no-wait"), check=0)
        doc = self.wait_for("bad", "failed")
        self.assertEqual(doc["health"], "failed", doc)
        self.assertRegex(doc["reason"], r'^pod bad-[a-z0-9]+-[a-z0-9]+: container "bad" is crash-looping '
                                        r'\(CrashLoopBackOff, exit code 1, \d+ restarts\)$')
        # As apply --wait shows it: the last lines of the crashed run.
        self.assertIn("Error: failed to load configuration: open /etc/app/config.yaml: no such file or directory",
                      doc["lastLog"]["lines"])
        self.assertEqual(doc["lastLog"]["container"], "bad")
        self.assertIn("pod " + doc["lastLog"]["pod"] + ":", doc["reason"])
        self.assertIn("              | exit status 1\n", self.kms("status", "bad", check=0).stdout)

        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--wait"), check=0)
        self.kms(*apply_args("web", "ghcr.io/acme/crashloop:2", "--no-wait"), check=0)
        doc = self.wait_for("web", "degraded")
        self.assertEqual(doc["health"], "degraded", doc)
        self.assertIn('is crash-looping', doc["reason"])
        self.assertEqual(doc["replicas"]["available"], 1)
        self.assertEqual(doc["image"], "ghcr.io/acme/crashloop:2")
        self.assertEqual(doc["revision"], 2)

        table = self.kms("list", check=0).stdout.splitlines()
        self.assertEqual(table[0].split(), ["NAME", "HEALTH", "REPLICAS", "URL", "AGE"])
        self.assertEqual([l.split()[:4] for l in table[1:]],
                         [["bad", "failed", "0/1", "bad.default:8787"], ["web", "degraded", "1/1", "web.default:8787"]])

    def test_progress_deadline_is_failed_with_kubectls_words(self):
        self.kms(*apply_args("late", "ghcr.io/acme/deadline:1", "--no-wait"), check=0)
        doc = self.wait_for("late", "failed")
        self.assertTrue(doc["reason"].startswith('deployment "late" exceeded its progress deadline'), doc)

    def test_progressing_and_off(self):
        self.api("/__fake/config", method="POST", body={"controller_delay_ms": 30000})
        self.kms(*apply_args("slow", "ghcr.io/acme/web:1", "--no-wait"), check=0)
        doc = self.status("slow")
        self.assertEqual(doc["health"], "progressing")
        self.assertEqual(doc["reason"], "Waiting for deployment spec update to be observed...")
        self.api("/__fake/config", method="POST", body={"controller_delay_ms": 50})
        self.kms(*apply_args("idle", "ghcr.io/acme/web:1", "--min-replicas", "0", "--max-replicas", "0",
                             "--wait"), check=0)
        doc = self.wait_for("idle", "off")
        self.assertEqual(doc["health"], "off")
        self.assertEqual(doc["replicas"]["desired"], 0)
        self.assertNotIn("autoscaling", doc)

    def test_commit_from_git_and_the_record(self):
        repo = os.path.join(self.tmp, "repo")
        os.makedirs(repo)
        git = ["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
        with open(os.path.join(repo, "start.sh"), "w") as f:
            f.write("echo hi\n")
        subprocess.run(git + ["add", "."], check=True)
        subprocess.run(git + ["commit", "-qm", "one"], check=True)
        head = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        self.kms(*apply_args("gitsvc", "python:3.12", "--git-repo", "file://" + repo, "--branch", "main",
                             "--script", "start.sh", "--no-wait"), check=0)
        doc = self.status("gitsvc")
        self.assertEqual(doc["commit"], head)
        self.assertEqual(doc["branch"], "main")
        record = json.loads(deployment(self, "gitsvc")["metadata"]["annotations"]["kubectl-microservice.dev/source"])
        self.assertEqual(record["service"]["git"]["commit"], head)
        # The ApplySet id of status names the parent Secret apply keeps for the service.
        parent = self.get("/api/v1/namespaces/default/secrets/microservice-gitsvc")
        self.assertEqual(parent["metadata"]["labels"]["applyset.kubernetes.io/id"], doc["applyset"])

    def test_list_all_namespaces_wide_json_and_no_headers(self):
        self.create("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--wait"), check=0)
        self.kms(*apply_args("api", "ghcr.io/acme/web:2", "--wait", "-n", "team"), check=0)
        # Not ours: never listed.
        foreign_deployment(self)

        self.assertEqual([l.split()[0] for l in self.kms("list", check=0).stdout.splitlines()], ["NAME", "web"])
        rows = self.kms("list", "-A", "--no-headers", check=0).stdout.splitlines()
        self.assertEqual([r.split()[:4] for r in rows],
                         [["default", "web", "healthy", "1/1"], ["team", "api", "healthy", "1/1"]])
        wide = self.kms("list", "-A", "-o", "wide", check=0).stdout.splitlines()
        self.assertEqual(wide[0].split(), ["NAMESPACE", "NAME", "HEALTH", "REPLICAS", "URL", "AGE", "IMAGE",
                                           "REVISION", "COMMIT", "REASON"])
        self.assertEqual(wide[2].split()[4], "api.team:8787")
        self.assertEqual(wide[2].split()[6:], ["ghcr.io/acme/web:2", "1", "<none>", "<none>"])
        # Columns are aligned: every row's URL starts where the header's does.
        col = wide[0].index("URL")
        self.assertTrue(all(r[col:].startswith(("web.", "api.")) for r in wide[1:]), wide)
        items = json.loads(self.kms("list", "-A", "-o", "json", check=0).stdout)["items"]
        self.assertEqual([(i["namespace"], i["name"], i["health"]) for i in items],
                         [("default", "web", "healthy"), ("team", "api", "healthy")])
        self.assertEqual(items[1]["service"]["url"], "api.team:8787")

        p = self.kms("list", "-n", "kube-system", check=0)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr, "No services found in kube-system namespace.\n")

    def test_errors(self):
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--no-wait"), check=0)
        p = self.kms("status", "webb", check=1)
        self.assertEqual(p.stderr, 'error: service "webb" not found in namespace "default" (did you mean "web"?)\n')
        foreign_deployment(self)
        p = self.kms("status", "other", check=1)
        self.assertEqual(p.stderr, 'error: deployment "other" in namespace "default" is not managed by '
                                   'kubectl-microservice: it has no app.kubernetes.io/managed-by label, so another '
                                   'tool or a person made it; refusing to show the status of it\n')
        p = self.kms("status", "web", "-o", "table", check=2)
        self.assertIn('flag --output: unknown format "table": use yaml, json', p.stderr)
        p = self.kms("list", "-o", "name", check=2)
        self.assertIn('use wide, yaml, json', p.stderr)
        self.api("/__fake/deny", method="POST", body={"verb": "list", "resource": "pods"})
        p = self.kms("status", "web", check=1)
        self.assertIn('forbidden: pods is forbidden: User "system:admin" cannot list resource "pods"', p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        p = self.kms("list", check=1)
        self.assertIn("cannot list resource \"pods\"", p.stderr)

    def test_completion_of_service_names(self):
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--no-wait"), check=0)
        self.kms(*apply_args("worker", "ghcr.io/acme/web:1", "--no-wait"), check=0)
        foreign_deployment(self)
        for verb in ("status", "logs", "history", "rollback", "call"):
            p = self.kms("__complete", "--kubeconfig", self.kubeconfig, verb, "w", kubeconfig=False, check=0)
            self.assertEqual(p.stdout.splitlines(), ["web", "worker", ":4"], p.stdout)


if __name__ == "__main__":
    unittest.main()
