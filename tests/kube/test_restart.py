"""restart against the fake API server: a service that follows a branch served by `git daemon`
rolls onto the branch's new head through apply; otherwise its pods restart exactly as
`kubectl rollout restart` restarts them (the restartedAt annotation, a new ReplicaSet)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "git"))
from harness import KubeTestCase, deployment  # noqa: E402
from git_helpers import GitDaemon, Workspace  # noqa: E402


def template_annotations(test, name):
    return deployment(test, name)["spec"]["template"]["metadata"].get("annotations", {})


def replicasets(test, name):
    items = test.api("/apis/apps/v1/namespaces/default/replicasets?labelSelector=app.kubernetes.io/instance%3D"
                     + name)[1]["items"]
    return sorted(rs["metadata"]["name"] for rs in items)


class RestartTest(KubeTestCase):
    def test_new_commit_is_applied_then_same_commit_restarts_pods(self):
        ws = Workspace(self)
        repo = ws.repo("app", {"start.sh": "echo one\n"})
        first = repo.head()
        with GitDaemon(ws.srv) as daemon:
            url = daemon.url("app.git")
            self.kms("apply", "--name", "app", "--image", "python:3.12", "--git-repo", url, "--branch", "main",
                     "--script", "start.sh", "--wait", check=0)
            self.assertEqual(template_annotations(self, "app")["kubectl-microservice.dev/git-commit"], first)

            # The branch has not moved: the pods are restarted.
            p = self.kms("restart", "app", "--wait", check=0)
            self.assertIn("branch main of %s is still at %s" % (url, first[:12]), p.stdout)
            self.assertIn("Deployment/app (default) restarted", p.stdout)
            self.assertIn("kubectl.kubernetes.io/restartedAt", template_annotations(self, "app"))

            second = repo.commit({"start.sh": "echo two\n"})
            self.clear_requests()
            p = self.kms("restart", "app", "--wait", check=0)
            self.assertIn("branch main of %s moved from %s to %s" % (url, first[:12], second[:12]), p.stdout)
            self.assertIn("Deployment/app (default) configured", p.stdout)
            self.assertIn('deployment "app" successfully rolled out', p.stdout)
            self.assertEqual(template_annotations(self, "app")["kubectl-microservice.dev/git-commit"], second)
            applies = [r for r in self.writes() if r["content_type"] == "application/apply-patch+yaml"]
            self.assertTrue(applies, "the new commit goes through server-side apply")
            rec = json.loads(deployment(self, "app")["metadata"]["annotations"]["kubectl-microservice.dev/source"])
            self.assertEqual(rec["service"]["git"]["commit"], second)
            self.assertTrue(rec["follow"])
            # The new pin is what a later rebuild starts from: no move, so a plain restart.
            p = self.kms("restart", "app", "--no-wait", check=0)
            self.assertIn("is still at %s" % second[:12], p.stdout)

            # clone onto another branch: pinned to that branch's head now, and followed by restart.
            repo.git("checkout", "-q", "-b", "dev")
            dev = repo.commit({"start.sh": "echo dev\n"})
            p = self.kms("clone", "app", "--name", "app-dev", "--branch", "dev", "--no-wait", check=0)
            self.assertEqual(template_annotations(self, "app-dev")["kubectl-microservice.dev/git-commit"], dev)
            rec = json.loads(deployment(self, "app-dev")["metadata"]["annotations"]["kubectl-microservice.dev/source"])
            self.assertEqual((rec["service"]["git"]["branch"], rec["follow"]), ("dev", True))
            # --commit pins the copy: restart then only restarts the pods.
            self.kms("clone", "app", "--name", "app-pinned", "--commit", first, "--no-wait", check=0)
            self.assertEqual(template_annotations(self, "app-pinned")["kubectl-microservice.dev/git-commit"], first)
            p = self.kms("restart", "app-pinned", "--no-wait", check=0)
            self.assertEqual(p.stdout, "Deployment/app-pinned (default) restarted\n")

    def test_new_commit_reads_the_pipeline_again(self):
        one = "pipeline:\n  name: p\n  tasks:\n    - {name: one, type: bash script, bash_script_path: one.sh}\n"
        two = one + "    - {name: two, type: python, py_path: two.py}\n"
        ws = Workspace(self)
        repo = ws.repo("pl", {"pipeline.yaml": one, "one.sh": "echo 1\n"})
        with GitDaemon(ws.srv) as daemon:
            src = os.path.join(self.tmp, "src")
            os.makedirs(src)
            with open(os.path.join(src, "service.yaml"), "w") as f:
                f.write("name: pl\nimage: python:3.12\ngit: {repo: %s, branch: main}\n"
                        "run: {pipeline: pipeline.yaml}\n" % daemon.url("pl.git"))
            with open(os.path.join(src, "pipeline.yaml"), "w") as f:
                f.write(one)
            self.kms("apply", "-f", os.path.join(src, "service.yaml"), "--no-wait", check=0)
            command = lambda: json.dumps(deployment(self, "pl")["spec"]["template"]["spec"]["containers"])  # noqa
            self.assertNotIn("two.py", command())
            repo.commit({"pipeline.yaml": two, "two.py": "print(2)\n"})
            self.kms("restart", "pl", "--no-wait", check=0)
            self.assertIn("two.py", command())
            # A pipeline file gone at the new head: the recorded one stays, with a warning.
            repo.commit({"pipeline.yaml": None})
            p = self.kms("restart", "pl", "--no-wait", check=0)
            self.assertIn("pipeline.yaml does not exist: the pipeline stays as recorded", p.stderr)
            self.assertIn("two.py", command())

    def test_pinned_commit_and_no_git_restart_like_kubectl(self):
        self.kms("apply", "--name", "web", "--image", "ghcr.io/acme/web:1", "--wait", check=0)
        self.kms("apply", "--name", "twin", "--image", "ghcr.io/acme/web:1", "--wait", check=0)
        before = replicasets(self, "web")
        self.clear_requests()
        p = self.kms("restart", "web", "--wait", check=0)
        self.assertEqual(p.stdout.splitlines()[0], "Deployment/web (default) restarted")
        ours = [r for r in self.writes() if r["method"] == "PATCH"]
        self.clear_requests()
        self.kubectl("rollout", "restart", "deployment", "twin")
        theirs = [r for r in self.writes() if r["method"] == "PATCH"]
        self.assertEqual(len(ours), 1)
        self.assertEqual(ours[0]["content_type"], theirs[0]["content_type"])
        body_keys = lambda r: list(json.loads(r["body"])["spec"]["template"]["metadata"]["annotations"])  # noqa: E731
        self.assertEqual(body_keys(ours[0]), body_keys(theirs[0]))
        self.assertEqual(len(replicasets(self, "web")), len(before) + 1)
        # restartedAt has whole seconds: kubectl refuses a second restart within one second, we wait
        # for the next second, so every restart rolls the pods.
        generation = deployment(self, "web")["metadata"]["generation"]
        self.kms("restart", "web", "--no-wait", check=0)
        self.kms("restart", "web", "--no-wait", check=0)
        self.assertEqual(deployment(self, "web")["metadata"]["generation"], generation + 2)

    def test_errors(self):
        self.kms("apply", "--name", "web", "--image", "ghcr.io/acme/web:1", "--no-wait", check=0)
        p = self.kms("restart", "wbe")
        self.assertEqual(p.returncode, 1)
        self.assertIn('service "wbe" not found in namespace "default"', p.stderr)
        self.kubectl("rollout", "pause", "deployment", "web")
        p = self.kms("restart", "web")
        self.assertEqual(p.returncode, 1)
        self.assertIn("paused", p.stderr)
        self.kubectl("rollout", "resume", "deployment", "web")
        self.api("/__fake/deny", method="POST", body={"verb": "patch", "resource": "deployments"})
        p = self.kms("restart", "web")
        self.assertEqual(p.returncode, 1)
        self.assertIn("forbidden", p.stderr)
        self.assertIn("restarting service web in namespace default", p.stderr)


if __name__ == "__main__":
    unittest.main()
