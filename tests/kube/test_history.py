"""history and rollback against the fake API server, with kubectl rollout
history/undo as the oracle: the same revisions, the recorded description of each, and errors."""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KubeTestCase, deployment  # noqa: E402
from test_status import apply_args, foreign_deployment  # noqa: E402


class HistoryTestCase(KubeTestCase):
    def kubectl_revisions(self, name="web"):
        out = self.kubectl("rollout", "history", "deployment/" + name).stdout
        return [int(m) for m in re.findall(r"^(\d+)\s", out, re.M)]

    def revisions(self, name="web"):
        return json.loads(self.kms("history", name, "-o", "json", check=0).stdout)["revisions"]

    def two_revisions(self):
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--wait"), check=0)
        self.kms(*apply_args("web", "ghcr.io/acme/web:2", "--min-replicas", "2", "--wait"), check=0)


class HistoryTest(HistoryTestCase):
    def test_revisions_as_kubectl_sees_them(self):
        self.two_revisions()
        table = self.kms("history", "web", check=0).stdout.splitlines()
        self.assertEqual(table[0].split(), ["REVISION", "IMAGE", "COMMIT", "READY", "AGE", "CURRENT"])
        self.assertEqual([r.split()[:4] for r in table[1:]],
                         [["1", "ghcr.io/acme/web:1", "<none>", "0/0"], ["2", "ghcr.io/acme/web:2", "<none>", "2/2"]])
        self.assertTrue(table[2].endswith("*") and not table[1].endswith("*"), table)
        self.assertEqual([int(r.split()[0]) for r in table[1:]], self.kubectl_revisions())

        revs = self.revisions()
        self.assertEqual([(r["revision"], r["current"], r["image"]) for r in revs],
                         [(1, False, "ghcr.io/acme/web:1"), (2, True, "ghcr.io/acme/web:2")])
        # Each revision keeps the description it was applied from.
        self.assertEqual(revs[0]["service"]["replicas"], {"min": 1, "max": 1})
        self.assertEqual(revs[1]["service"]["replicas"], {"min": 2, "max": 2})
        one = self.kms("history", "web", "--revision", "1", check=0).stdout
        self.assertIn("revision: 1\n", one)
        self.assertIn("  image: ghcr.io/acme/web:1\n", one)
        self.assertEqual(self.kms("history", "web", "--no-headers", check=0).stdout.splitlines()[0].split()[0], "1")

        # kubectl's undo reuses revision 1's ReplicaSet as revision 3: both tools agree.
        self.kubectl("rollout", "undo", "deployment/web")
        self.assertEqual([r["revision"] for r in self.revisions()], self.kubectl_revisions())

    def test_errors(self):
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--wait"), check=0)
        p = self.kms("history", "web", "--revision", "7", check=1)
        self.assertEqual(p.stderr, 'error: unable to find specified revision 7 in history of service "web" (see '
                                   '`kubectl microservice history web`)\n')
        foreign_deployment(self)
        p = self.kms("history", "other", check=1)
        self.assertIn("refusing to show the history of it", p.stderr)
        p = self.kms("history", "wbe", check=1)
        self.assertIn('service "wbe" not found in namespace "default"', p.stderr)
        self.api("/__fake/deny", method="POST", body={"verb": "list", "resource": "replicasets"})
        p = self.kms("history", "web", check=1)
        self.assertIn('cannot list resource "replicasets"', p.stderr)


def current_replicaset(test, name):
    dep = deployment(test, name)
    rev = dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
    rss = test.get("/apis/apps/v1/namespaces/default/replicasets")["items"]
    return next(rs["metadata"]["name"] for rs in rss if rs["metadata"]["name"].startswith(name + "-")
                and rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == rev)


class RollbackTest(HistoryTestCase):
    def test_undo_like_kubectl_then_the_revisions_description(self):
        self.two_revisions()
        first_rs = [r for r in self.revisions() if r["revision"] == 1]
        self.assertTrue(self.get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/web"), "min 2 has a PDB")
        # The oracle: the same two revisions of another service, undone by kubectl.
        self.kms(*apply_args("api", "ghcr.io/acme/web:1", "--wait"), check=0)
        self.kms(*apply_args("api", "ghcr.io/acme/web:2", "--min-replicas", "2", "--wait"), check=0)
        api_rs1 = current_replicaset(self, "api")
        self.kubectl("rollout", "undo", "deployment/api")
        rs_before = {rs["metadata"]["name"] for rs in self.get("/apis/apps/v1/namespaces/default/replicasets")["items"]}

        p = self.kms("rollback", "web", "--wait", check=0)
        self.assertIn("Deployment/web (default) rolled back to revision 1\n", p.stdout)
        self.assertIn('deployment "web" successfully rolled out', p.stdout)
        dep = deployment(self, "web")
        self.assertEqual(dep["spec"]["template"]["spec"]["containers"][0]["image"], "ghcr.io/acme/web:1")
        # As kubectl: revision 1's ReplicaSet is reused as revision 3, no new one appears.
        self.assertEqual([r["revision"] for r in self.revisions()], self.kubectl_revisions("api"))
        self.assertEqual([r["revision"] for r in self.revisions()], [2, 3])
        rs_after = {rs["metadata"]["name"] for rs in self.get("/apis/apps/v1/namespaces/default/replicasets")["items"]}
        self.assertEqual(rs_after, rs_before)
        self.assertNotEqual(api_rs1, current_replicaset(self, "api"))
        # Then revision 1's description: one replica, no PDB (pruned from the ApplySet), its record.
        self.assertEqual(dep["spec"]["replicas"], 1)
        self.assertIsNone(self.get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/web"))
        record = json.loads(dep["metadata"]["annotations"]["kubectl-microservice.dev/source"])
        self.assertEqual(record["service"]["replicas"], {"min": 1, "max": 1})
        self.assertEqual(record["service"], first_rs[0]["service"])
        self.assertEqual(self.status_health("web"), "healthy")

        # And forward again to revision 2.
        p = self.kms("rollback", "web", "--to-revision", "2", "--wait", check=0)
        self.assertIn("rolled back to revision 2", p.stdout)
        self.assertEqual(deployment(self, "web")["spec"]["replicas"], 2)
        self.assertTrue(self.get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/web"))
        # The undo patched the record under our rollout manager: a plain apply of the service
        # afterwards takes it back instead of failing on a conflict with ourselves.
        self.kms(*apply_args("web", "ghcr.io/acme/web:3", "--min-replicas", "2", "--wait"), check=0)
        self.assertEqual(deployment(self, "web")["spec"]["template"]["spec"]["containers"][0]["image"],
                         "ghcr.io/acme/web:3")

    def test_a_revision_keeps_its_latest_description(self):
        # Scaling changes the description but not the pod template: no new revision, and the
        # deployment controller copies the new record onto revision 1's ReplicaSet.
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--wait"), check=0)
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--min-replicas", "3", "--wait"), check=0)
        self.kms(*apply_args("web", "ghcr.io/acme/web:2", "--wait"), check=0)
        self.assertEqual([r["service"]["replicas"] for r in self.revisions()], [{"min": 3, "max": 3}, {"min": 1, "max": 1}])
        self.kms("rollback", "web", "--wait", check=0)
        self.assertEqual(deployment(self, "web")["spec"]["replicas"], 3)
        self.assertTrue(self.get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/web"))

    def status_health(self, name):
        return json.loads(self.kms("status", name, "-o", "json", check=0).stdout)["health"]

    def test_a_rollback_onto_a_crashing_revision_fails_fast_with_the_reason(self):
        self.kms(*apply_args("web", "ghcr.io/acme/crashloop:1", "--no-wait"), check=0)
        self.kms(*apply_args("web", "ghcr.io/acme/web:2", "--wait"), check=0)
        p = self.kms("rollback", "web", "--wait", "--timeout", "60s", check=1)
        self.assertIn("rolled back to revision 1", p.stdout)
        self.assertIn('deployment "web" cannot roll out: pod web-', p.stderr)
        self.assertIn("is crash-looping", p.stderr)
        doc = json.loads(self.kms("status", "web", "-o", "json", check=0).stdout)
        self.assertEqual(doc["health"], "degraded")  # revision 2's pod still serves
        self.assertIn("is crash-looping", doc["reason"])

    def test_refusals_and_kubectls_messages(self):
        self.kms(*apply_args("web", "ghcr.io/acme/web:1", "--wait"), check=0)
        p = self.kms("rollback", "web", check=1)
        self.assertEqual(p.stderr, 'error: no rollout history found for service "web": it has only 1 revision\n')
        self.kms(*apply_args("web", "ghcr.io/acme/web:2", "--wait"), check=0)
        p = self.kms("rollback", "web", "--to-revision", "2", check=0)
        self.assertEqual(p.stdout, "Deployment/web (default) skipped rollback (current template already matches "
                                   "revision 2)\n")
        p = self.kms("rollback", "web", "--to-revision", "9", check=1)
        self.assertIn("unable to find specified revision 9 in history", p.stderr)
        self.kubectl("patch", "deployment", "web", "--type", "merge", "-p", '{"spec": {"paused": true}}')
        self.clear_requests()
        p = self.kms("rollback", "web", check=1)
        self.assertIn("you cannot roll back a paused deployment", p.stderr)
        self.assertEqual(self.writes(), [])
        self.kubectl("rollout", "resume", "deployment/web")
        self.clear_requests()
        self.api("/__fake/deny", method="POST", body={"verb": "patch", "resource": "deployments"})
        p = self.kms("rollback", "web", check=1)
        self.assertIn('User "system:admin" cannot patch resource "deployments"', p.stderr)
        self.assertEqual([w["status"] for w in self.writes()], [403])  # the undo, refused: nothing else tried
        foreign_deployment(self)
        p = self.kms("rollback", "other", check=1)
        self.assertIn("refusing to roll back it", p.stderr)
        self.assertEqual(self.kms("rollback", "web", "--to-revision", "-1", check=2).stderr,
                         "flag --to-revision: must be 0 (the previous revision) or a revision number\n")

    def test_a_revision_without_a_record_is_rolled_back_on_the_deployment_only(self):
        # Ours by its label, applied before records existed; two revisions made by kubectl.
        foreign_deployment(self, "legacy")
        self.kubectl("label", "deployment", "legacy", "app.kubernetes.io/managed-by=kubectl-microservice")
        self.kubectl("set", "image", "deployment/legacy", "legacy=nginx:2")
        self.kubectl("rollout", "status", "deployment/legacy", "--timeout", "30s")
        p = self.kms("rollback", "legacy", "--wait", check=0)
        self.assertIn("Deployment/legacy (default) rolled back to revision 1", p.stdout)
        self.assertEqual(p.stderr, "warning: revision 1 of service legacy has no recorded description: only its "
                                   "Deployment was rolled back, its other objects stay as they are\n")
        self.assertEqual(deployment(self, "legacy")["spec"]["template"]["spec"]["containers"][0]["image"], "nginx")


if __name__ == "__main__":
    unittest.main()
