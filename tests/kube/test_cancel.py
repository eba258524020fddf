"""cancel against the fake API server: everything the service's ApplySet holds goes (members, then
the parent), nothing else does; --cascade as kubectl delete sends it; --dry-run; --wait; errors."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KubeTestCase, deployment  # noqa: E402

WEB = ["--name", "web", "--image", "ghcr.io/acme/web:1.0", "--min-replicas", "1", "--max-replicas", "3"]


def deletes(test):
    return [r for r in test.writes() if r["method"] == "DELETE"]


class CancelTest(KubeTestCase):
    def setUp(self):
        super().setUp()
        self.kms("apply", *WEB, "--no-wait", check=0)
        self.kms("apply", "--name", "api", "--image", "ghcr.io/acme/api:1", "--no-wait", check=0)
        # Bystanders: a Service of another ApplySet and one with no labels at all.
        self.create("/api/v1/namespaces/default/services", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web-other", "labels": {"applyset.kubernetes.io/part-of": "applyset-other-v1",
                                                         "app.kubernetes.io/instance": "web"}},
            "spec": {"ports": [{"port": 80}]}})
        self.create("/api/v1/namespaces/default/services", {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web-plain"},
            "spec": {"ports": [{"port": 80}]}})

    def members(self, name):
        parent = self.get("/api/v1/namespaces/default/secrets/microservice-" + name)
        set_id = parent["metadata"]["labels"]["applyset.kubernetes.io/id"]
        out = []
        for kind, path in (("Deployment", "/apis/apps/v1/namespaces/default/deployments"),
                           ("Service", "/api/v1/namespaces/default/services"),
                           ("HorizontalPodAutoscaler", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"),
                           ("PodDisruptionBudget", "/apis/policy/v1/namespaces/default/poddisruptionbudgets")):
            items = self.api(path + "?labelSelector=applyset.kubernetes.io/part-of%3D" + set_id)[1]["items"]
            out += [kind + "/" + i["metadata"]["name"] for i in items]
        return sorted(out)

    def test_dry_run_lists_and_deletes_nothing(self):
        want = self.members("web")
        self.assertEqual(want, ["Deployment/web", "HorizontalPodAutoscaler/web", "Service/web"])
        self.clear_requests()
        p = self.kms("cancel", "web", "--dry-run", check=0)
        listed = [line.split(" ")[0] for line in p.stdout.splitlines()]
        self.assertEqual(sorted(listed[:-1]), want)
        self.assertEqual(listed[-2], "Deployment/web")  # the Deployment goes last of the members
        self.assertEqual(p.stdout.splitlines()[-1],
                         "Secret/microservice-web (default) (ApplySet parent) would be deleted")
        self.assertEqual(self.writes(), [])
        p = self.kms("cancel", "web", "--dry-run=server", check=0)
        self.assertEqual(self.writes(), [])
        dry = [r for r in self.requests() if r["method"] == "DELETE"]
        self.assertEqual(len(dry), 4)
        self.assertTrue(all(r["params"].get("dryRun") == "All" for r in dry))
        self.assertIsNotNone(deployment(self, "web"))

    def test_cancel_deletes_the_set_and_nothing_else(self):
        self.clear_requests()
        p = self.kms("cancel", "web", "--wait", check=0)
        self.assertIn("Deployment/web (default) deleted", p.stdout)
        self.assertIn("HorizontalPodAutoscaler/web (default) deleted", p.stdout)
        self.assertIn('service "web" is gone', p.stdout)
        paths = [r["path"] for r in deletes(self)]
        self.assertEqual(len(paths), 4, paths)
        self.assertTrue(paths[-1].endswith("/secrets/microservice-web"), paths)  # the parent last
        self.assertTrue(paths[-2].endswith("/deployments/web"), paths)
        self.assertIsNone(deployment(self, "web"))
        self.assertIsNone(self.get("/api/v1/namespaces/default/services/web"))
        self.assertIsNone(self.get("/api/v1/namespaces/default/secrets/microservice-web"))
        # The garbage collector took the ReplicaSets and pods.
        rs = self.api("/apis/apps/v1/namespaces/default/replicasets?labelSelector=app.kubernetes.io/instance%3Dweb")
        self.assertEqual(rs[1]["items"], [])
        # Untouched: the other service, the other set's object, the unlabelled one.
        self.assertIsNotNone(deployment(self, "api"))
        self.assertIsNotNone(self.get("/api/v1/namespaces/default/secrets/microservice-api"))
        self.assertIsNotNone(self.get("/api/v1/namespaces/default/services/web-other"))
        self.assertIsNotNone(self.get("/api/v1/namespaces/default/services/web-plain"))
        p = self.kms("cancel", "web")
        self.assertEqual(p.returncode, 1)
        self.assertIn('service "web" not found in namespace "default"', p.stderr)

    def test_parent_deleted_by_hand_the_recorded_kinds_are_searched(self):
        self.kubectl("delete", "secret", "microservice-web")
        p = self.kms("cancel", "web", check=0)
        self.assertEqual(sorted(p.stdout.splitlines()), [
            "Deployment/web (default) deleted", "HorizontalPodAutoscaler/web (default) deleted",
            "Service/web (default) deleted"])
        self.assertIsNone(self.get("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web"))
        self.assertIsNotNone(self.get("/api/v1/namespaces/default/services/web-other"))
        self.assertIsNotNone(self.get("/api/v1/namespaces/default/services/web-plain"))
        self.assertIsNotNone(deployment(self, "api"))

    def test_cascade_is_sent_as_kubectl_delete_sends_it(self):
        self.clear_requests()
        self.kms("cancel", "web", "--cascade", "foreground", check=0)
        ours = {r["path"]: json.loads(r["body"]) for r in deletes(self)}
        self.assertTrue(all(b["propagationPolicy"] == "Foreground" for b in ours.values()), ours)
        # kubectl delete --cascade=foreground of the same kind of object sends the same options.
        self.clear_requests()
        self.kubectl("delete", "deployment", "api", "--cascade=foreground", "--wait=false")
        theirs = [json.loads(r["body"]) for r in deletes(self)]
        self.assertEqual(theirs[0]["propagationPolicy"], "Foreground")
        self.kms("apply", *WEB, "--no-wait", check=0)
        self.clear_requests()
        self.kms("cancel", "web", check=0)
        self.assertTrue(all(json.loads(r["body"])["propagationPolicy"] == "Background" for r in deletes(self)))
        self.clear_requests()
        self.kubectl("delete", "service", "web-plain", "--wait=false")
        self.assertEqual(json.loads(deletes(self)[0]["body"])["propagationPolicy"], "Background")

    def test_refusals_and_errors(self):
        p = self.kms("cancel", "web", "--cascade", "orphan")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--cascade", p.stderr)
        self.assertIn("orphan would leave", p.stderr)
        p = self.kms("cancel", "webb")
        self.assertEqual(p.returncode, 1)
        self.assertIn('service "webb" not found in namespace "default" (did you mean "web"?)', p.stderr)
        # A Deployment another tool made.
        self.create("/apis/apps/v1/namespaces/default/deployments", {
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "hand", "labels": {"app": "hand"}},
            "spec": {"selector": {"matchLabels": {"app": "hand"}},
                     "template": {"metadata": {"labels": {"app": "hand"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}}})
        self.clear_requests()
        p = self.kms("cancel", "hand")
        self.assertEqual(p.returncode, 1)
        self.assertIn("is not managed by kubectl-microservice", p.stderr)
        self.assertIn("refusing to cancel it", p.stderr)
        self.assertEqual(self.writes(), [])
        # RBAC: the denial is named, and the parent stays so a retry finds the rest.
        self.api("/__fake/deny", method="POST", body={"verb": "delete", "resource": "deployments"})
        p = self.kms("cancel", "web")
        self.assertEqual(p.returncode, 1)
        self.assertIn("deleting Deployment/web in namespace default", p.stderr)
        self.assertIn("forbidden", p.stderr)
        self.assertIsNotNone(self.get("/api/v1/namespaces/default/secrets/microservice-web"))
        self.api("/__fake/reset", method="POST", body={})
        self.kms("cancel", "web", check=0)
        self.assertIsNone(deployment(self, "web"))

    def test_wait_times_out_naming_what_is_left(self):
        # A finalizer nobody removes keeps the Deployment.
        self.kubectl("patch", "deployment", "web", "--type=merge", "-p",
                     json.dumps({"metadata": {"finalizers": ["example.com/hold"]}}))
        p = self.kms("cancel", "web", "--wait", "--timeout", "1s")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("timed out waiting for the deletion of Deployment/web (default)", p.stderr)


if __name__ == "__main__":
    unittest.main()
