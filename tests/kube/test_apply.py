"""apply against the fake API server: server-side apply, re-apply, conflicts, dry runs, secrets,
HPA hand-over, pruning with ApplySets, and the offline plan."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import KubeTestCase, deployment, env_of  # noqa: E402

SERVICE = ["--name", "web", "--image", "ghcr.io/acme/web:1.0", "--port", "8080"]


class ApplyTest(KubeTestCase):
    def test_apply_creates_then_reapply_changes_nothing(self):
        p = self.kms("apply", *SERVICE, check=0)
        self.assertIn("Service/web (default) created", p.stdout)
        self.assertIn("Deployment/web (default) created", p.stdout)
        patches = [r for r in self.writes() if r["method"] == "PATCH" and "microservice-web" not in r["path"]]
        self.assertTrue(patches)
        for r in patches:
            self.assertEqual(r["content_type"], "application/apply-patch+yaml")
            self.assertEqual(r["params"].get("force"), "false")
            self.assertIn(r["params"].get("fieldManager"), ("kubectl-microservice",))
        # kubectl sees what we applied.
        got = json.loads(self.kubectl("get", "deployment", "web", "-o", "json", "--show-managed-fields").stdout)
        self.assertEqual(got["spec"]["template"]["spec"]["containers"][0]["image"], "ghcr.io/acme/web:1.0")
        self.assertEqual(got["metadata"]["labels"]["applyset.kubernetes.io/part-of"][:9], "applyset-")
        managers = {m["manager"] for m in got["metadata"]["managedFields"]}
        self.assertIn("kubectl-microservice", managers)

        generation = deployment(self, "web")["metadata"]["generation"]
        self.clear_requests()
        p = self.kms("apply", *SERVICE, check=0)
        self.assertIn("Deployment/web (default) unchanged", p.stdout)
        self.assertIn("Service/web (default) unchanged", p.stdout)
        self.assertEqual(deployment(self, "web")["metadata"]["generation"], generation)

    def test_conflict_is_reported_and_nothing_written_then_force_conflicts(self):
        self.kms("apply", *SERVICE, check=0)
        # Another manager takes the image over.
        patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                 "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "other:2"}]}}}}
        self.kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=intruder", "--validate=false",
                     "-f", "-", stdin=json.dumps(patch))
        before = deployment(self, "web")["metadata"]["generation"]
        self.clear_requests()
        p = self.kms("apply", *["--name", "web", "--image", "ghcr.io/acme/web:1.1", "--port", "8080"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("Deployment/web in namespace default: conflict:", p.stderr)
        self.assertIn('owned by "intruder"', p.stderr)
        self.assertIn("--force-conflicts", p.stderr)
        self.assertIn("Nothing was applied.", p.stderr)
        self.assertEqual(self.writes(), [])
        self.assertEqual(deployment(self, "web")["metadata"]["generation"], before)

        p = self.kms("apply", "--name", "web", "--image", "ghcr.io/acme/web:1.1", "--port", "8080",
                     "--force-conflicts", check=0)
        self.assertIn("Deployment/web (default) configured", p.stdout)
        image = deployment(self, "web")["spec"]["template"]["spec"]["containers"][0]["image"]
        self.assertEqual(image, "ghcr.io/acme/web:1.1")

    def test_server_dry_run_writes_nothing(self):
        p = self.kms("apply", *SERVICE, "--dry-run=server", check=0)
        self.assertIn("Deployment/web (default) applied (server dry run)", p.stdout)
        self.assertIsNone(deployment(self, "web"))
        self.assertEqual(self.writes(), [])
        dry = [r for r in self.requests() if r["method"] == "PATCH"]
        self.assertTrue(all(r["params"].get("dryRun") == "All" for r in dry))

    def test_client_dry_run_needs_no_cluster(self):
        p = self.kms("apply", *SERVICE, "-n", "shop", "--dry-run=client", kubeconfig=False, check=0)
        self.assertEqual(p.stdout.splitlines(), [
            "Service/web (shop) — server-side apply",
            "Deployment/web (shop) — server-side apply",
            "Secret/microservice-web (shop) — ApplySet parent (prunes what the service no longer renders)",
        ])
        p = self.kms("apply", *SERVICE, "--dry-run=client", "-o", "yaml", kubeconfig=False, check=0)
        self.assertIn("namespace: default", p.stdout)
        self.assertIn("applyset.kubernetes.io/part-of: applyset-", p.stdout)
        self.assertIn("applyset.kubernetes.io/tooling: kubectl-microservice/v", p.stdout)
        self.assertEqual(self.requests(), [])

    def test_output_name_is_what_kubectl_names_the_objects(self):
        p = self.kms("apply", *SERVICE, "--min-replicas", "2", "--max-replicas", "4", "-o", "name", check=0)
        names = p.stdout.splitlines()
        self.assertIn("deployment.apps/web", names)
        self.assertIn("horizontalpodautoscaler.autoscaling/web", names)
        for name in names:
            self.assertEqual(self.kubectl("get", name, "-o", "name").stdout.strip(), name)

    def test_namespace_from_context_and_missing_namespace(self):
        p = self.kms("apply", *SERVICE, "-n", "nowhere")
        self.assertEqual(p.returncode, 1)
        self.assertIn('namespaces "nowhere" not found', p.stderr)
        self.assertIn("Nothing was applied.", p.stderr)
        self.assertEqual(self.writes(), [])

    def test_secret_keys_are_looked_up(self):
        self.create("/api/v1/namespaces/default/secrets", {
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "openai"},
            "data": {"api-key": "czNjcjN0", "org": "YWNtZQ=="}})
        p = self.kms("apply", *SERVICE, "--secret", "openai", "-v", "8", check=0)
        env = env_of(deployment(self, "web"))
        self.assertEqual(env["HYPERPLANE_CUSTOM_SECRET_KEY_API_KEY"]["valueFrom"]["secretKeyRef"],
                         {"name": "openai", "key": "api-key"})
        self.assertIn("HYPERPLANE_CUSTOM_SECRET_KEY_ORG", env)
        self.assertNotIn("s3cr3t", p.stdout + p.stderr)
        self.assertNotIn("czNjcjN0", p.stdout + p.stderr)  # base64 of the value

        self.clear_requests()
        p = self.kms("apply", *SERVICE, "--secret", "missing")
        self.assertEqual(p.returncode, 1)
        self.assertIn('flag --secret: secret "missing" in namespace default: not found', p.stderr)
        self.assertEqual(self.writes(), [])

    def test_hpa_takes_over_replicas_without_a_dip(self):
        self.kms("apply", *SERVICE, "--min-replicas", "3", "--max-replicas", "3", check=0)
        self.assertEqual(deployment(self, "web")["spec"]["replicas"], 3)
        p = self.kms("apply", *SERVICE, "--min-replicas", "2", "--max-replicas", "6", check=0)
        self.assertIn("HorizontalPodAutoscaler/web (default) created", p.stdout)
        dep = deployment(self, "web")
        self.assertEqual(dep["spec"]["replicas"], 3)
        owners = [m["manager"] for m in dep["metadata"]["managedFields"]
                  if "f:replicas" in json.dumps(m.get("fieldsV1", {}))]
        self.assertNotIn("kubectl-microservice", owners)
        # A later apply does not fight the HPA either.
        self.kms("apply", *SERVICE, "--min-replicas", "2", "--max-replicas", "6", check=0)
        self.assertEqual(deployment(self, "web")["spec"]["replicas"], 3)

    def test_prune_with_applyset(self):
        self.kms("apply", *SERVICE, "--min-replicas", "2", check=0)
        pdb = "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web"
        self.assertIsNotNone(self.get(pdb))
        parent = self.get("/api/v1/namespaces/default/secrets/microservice-web")
        ann = parent["metadata"]["annotations"]
        self.assertEqual(ann["applyset.kubernetes.io/contains-group-kinds"],
                         "Deployment.apps,PodDisruptionBudget.policy,Service")
        self.assertEqual(ann["applyset.kubernetes.io/additional-namespaces"], "")
        set_id = parent["metadata"]["labels"]["applyset.kubernetes.io/id"]
        # An object outside the set, with the same labels otherwise, is never touched.
        self.create("/apis/policy/v1/namespaces/default/poddisruptionbudgets", {
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "web-extra", "labels": {"app.kubernetes.io/instance": "web"}},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/instance": "web"}}}})

        p = self.kms("apply", *SERVICE, check=0)
        self.assertIn("PodDisruptionBudget/web (default) pruned", p.stdout)
        self.assertIsNone(self.get(pdb))
        self.assertIsNotNone(self.get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/web-extra"))
        ann = self.get("/api/v1/namespaces/default/secrets/microservice-web")["metadata"]["annotations"]
        self.assertEqual(ann["applyset.kubernetes.io/contains-group-kinds"], "Deployment.apps,Service")
        members = json.loads(self.kubectl("get", "deployments,services", "-l",
                                          "applyset.kubernetes.io/part-of=" + set_id, "-o", "json").stdout)
        self.assertEqual(sorted(i["kind"] + "/" + i["metadata"]["name"] for i in members["items"]),
                         ["Deployment/web", "Service/web"])
        # kubectl recognises the set as ours and refuses to take it over.
        p = self.kubectl("apply", "--server-side", "--prune", "--applyset=microservice-web", "-n", "default", "--validate=false",
                         "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                                      "metadata": {"name": "x", "namespace": "default"}}),
                         check=None, env={"KUBECTL_APPLYSET": "true"})
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("kubectl-microservice", p.stderr)

    def test_no_prune_keeps_objects(self):
        self.kms("apply", *SERVICE, "--min-replicas", "2", check=0)
        self.kms("apply", *SERVICE, "--no-prune", check=0)
        self.assertIsNotNone(self.get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/web"))
        # The parent still remembers the PDB, so a later pruning apply removes it.
        p = self.kms("apply", *SERVICE, check=0)
        self.assertIn("PodDisruptionBudget/web (default) pruned", p.stdout)

    def test_refuses_a_foreign_parent(self):
        self.create("/api/v1/namespaces/default/secrets", {
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "microservice-web"}, "data": {"a": "Yg=="}})
        self.clear_requests()
        p = self.kms("apply", *SERVICE)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Secret/microservice-web in namespace default exists but is not an ApplySet parent", p.stderr)
        self.assertEqual(self.writes(), [])


if __name__ == "__main__":
    unittest.main()
