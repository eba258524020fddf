"""history (and rollback, once it lands) against the fake API server, with kubectl rollout
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


if __name__ == "__main__":
    unittest.main()
