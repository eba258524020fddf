"""The errors every verb that changes a service shares: unknown names with close matches, Deployments
another tool made (refused, with the reason), services without a record, RBAC denials. Nothing is
written in any of these cases."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KubeTestCase  # noqa: E402

VERBS = {
    "restart": [],
    "scale": ["--min", "2"],
    "clone": ["--name", "copy"],
    "cancel": [],
    "expose": ["--host", "x.example.com", "--via", "ingress"],
}


def foreign_deployment(name, labels):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}}}


class ActionErrorsTest(KubeTestCase):
    def setUp(self):
        super().setUp()
        self.kms("apply", "--name", "web", "--image", "ghcr.io/acme/web:1", "--no-wait", check=0)
        deployments = "/apis/apps/v1/namespaces/default/deployments"
        self.create(deployments, foreign_deployment("hand", {"app": "hand"}))
        self.create(deployments, foreign_deployment("helmed", {"app.kubernetes.io/managed-by": "Helm"}))
        # Ours by its label, but applied before records existed.
        self.create(deployments, foreign_deployment("legacy", {"app.kubernetes.io/managed-by": "kubectl-microservice"}))
        self.clear_requests()

    def run_verb(self, verb, name, code):
        p = self.kms(verb, name, *VERBS[verb], "--no-wait")
        self.assertEqual(p.returncode, code, "%s %s: %s%s" % (verb, name, p.stdout, p.stderr))
        return p.stderr

    def test_unknown_and_foreign_services(self):
        for verb in VERBS:
            with self.subTest(verb=verb):
                err = self.run_verb(verb, "webb", 1)
                self.assertIn('service "webb" not found in namespace "default" (did you mean "web"?)', err)
                err = self.run_verb(verb, "hand", 1)
                self.assertIn('deployment "hand" in namespace "default" is not managed by kubectl-microservice: '
                              "it has no app.kubernetes.io/managed-by label", err)
                self.assertIn("refusing to %s it" % verb, err)
                err = self.run_verb(verb, "helmed", 1)
                self.assertIn('its app.kubernetes.io/managed-by label says "Helm"', err)
        self.assertEqual(self.writes(), [])

    def test_services_without_a_record(self):
        for verb in ("scale", "clone", "expose"):
            with self.subTest(verb=verb):
                err = self.run_verb(verb, "legacy", 1)
                self.assertIn('service "legacy" in namespace "default" has no recorded description', err)
                self.assertIn("to %s it" % verb, err)
        self.assertEqual(self.writes(), [])
        # restart needs no record to roll the pods.
        self.run_verb("restart", "legacy", 0)

    def test_rbac_denials_name_the_request_and_the_user(self):
        self.api("/__fake/deny", method="POST", body={"verb": "get", "resource": "deployments"})
        for verb in VERBS:
            with self.subTest(verb=verb):
                err = self.run_verb(verb, "web", 1)
                self.assertIn("forbidden", err)
                self.assertIn('User "system:admin" cannot get resource "deployments"', err)
        self.assertEqual(self.writes(), [])


if __name__ == "__main__":
    unittest.main()
