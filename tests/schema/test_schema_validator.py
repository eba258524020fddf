#!/usr/bin/env python3
"""Proves that tests/node/schema/validate.mjs passes valid manifests and catches broken ones.

The validator checks Kubernetes objects against the schemas of the npm packages kubernetes-models,
@kubernetes-models/gateway-api and @kubernetes-models/istio (installed by scripts/setup.sh with
`npm ci` in tests/node/schema), plus unknown fields, which those models do not reject themselves.

Standard library only. Run as `python3 tests/schema/test_schema_validator.py`; KMS_SOURCE_DIR may
name the repository root (ctest sets it). Node start-up costs ~0.1 s, so the negative cases are
written to one folder and validated by a single node process.
"""

import copy
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(os.environ.get("KMS_SOURCE_DIR") or pathlib.Path(__file__).resolve().parents[2])
VALIDATOR_DIR = ROOT / "tests" / "node" / "schema"
VALIDATOR = VALIDATOR_DIR / "validate.mjs"
WRAPPER = ROOT / "tests" / "schema" / "validate_manifests.sh"
FIXTURES = ROOT / "tests" / "schema" / "fixtures"
NODE = shutil.which("node")


def run(args, cwd=None, validator=VALIDATOR, stdin=None):
    """Runs the validator; returns (exit code, stdout lines, stderr)."""
    proc = subprocess.run([NODE, str(validator), *map(str, args)], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout.splitlines(), proc.stderr


def line_for(lines, ref):
    """The one output line about object `ref` (FILE#INDEX)."""
    found = [line for line in lines if line.split(" ")[1:2] in ([ref], [ref + ":"])]
    if len(found) != 1:
        raise AssertionError(f"expected one line for {ref}, got {found!r} in:\n" + "\n".join(lines))
    return found[0]


# ------------------------------------------------------------------ valid base objects

def deployment():
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "web"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
                "spec": {"containers": [{
                    "name": "web", "image": "ghcr.io/acme/web:1.0",
                    "ports": [{"name": "http", "containerPort": 8787}],
                    "env": [{"name": "MODEL_NAME", "value": "small"}],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                  "limits": {"cpu": "200m", "memory": "256Mi"}},
                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
                }]},
            },
        },
    }


def service():
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
            "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": "web"},
                     "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}}


def hpa():
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                     "minReplicas": 1, "maxReplicas": 3,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}}


def pdb():
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}}


def ingress():
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
            "spec": {"ingressClassName": "nginx", "rules": [{
                "host": "web.services.example.com",
                "http": {"paths": [{"path": "/api", "pathType": "Prefix", "backend": {
                    "service": {"name": "web", "port": {"number": 80}}}}]}}]}}


def httproute():
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "web"},
            "spec": {"parentRefs": [{"name": "eg"}], "hostnames": ["web.services.example.com"],
                     "rules": [{
                         "matches": [{"path": {"type": "PathPrefix", "value": "/api"},
                                      "headers": [{"type": "Exact", "name": "x-tenant", "value": "acme"}]}],
                         "filters": [{"type": "URLRewrite", "urlRewrite": {
                             "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}}],
                         "backendRefs": [{"name": "web", "port": 80}]}]}}


def virtualservice():
    return {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "web"},
            "spec": {"hosts": ["web.services.example.com"], "gateways": ["istio-system/ingressgateway"],
                     "http": [{"match": [{"uri": {"prefix": "/api"}}], "rewrite": {"uri": "/"},
                               "route": [{"destination": {"host": "web", "port": {"number": 80}}}]}]}}


def destinationrule():
    return {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "web"},
            "spec": {"host": "web", "trafficPolicy": {"loadBalancer": {"consistentHash": {
                "httpCookie": {"name": "session", "ttl": "86400s"}}}}}}


def requestauthentication():
    return {"apiVersion": "security.istio.io/v1", "kind": "RequestAuthentication", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
                     "jwtRules": [{"issuer": "https://sso.example.com/realms/acme",
                                   "jwksUri": "https://sso.example.com/realms/acme/protocol/openid-connect/certs",
                                   "audiences": ["api"],
                                   "outputClaimToHeaders": [{"header": "x-user", "claim": "preferred_username"}]}]}}


def authorizationpolicy():
    return {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "web"}}, "action": "ALLOW",
                     "rules": [{"from": [{"source": {"requestPrincipals": ["*"]}}]}]}}


VALID = [deployment, service, hpa, pdb, ingress, httproute, virtualservice, destinationrule,
         requestauthentication, authorizationpolicy]


def mutate(base, fn):
    obj = copy.deepcopy(base())
    fn(obj)
    return obj


def container(obj):
    return obj["spec"]["template"]["spec"]["containers"][0]


def set_path(obj, keys, value):
    for k in keys[:-1]:
        obj = obj[k]
    obj[keys[-1]] = value


# (case name, object or raw YAML text, expected substrings of the FAIL line). Every case must fail,
# and each expected substring names the field path of the error.
INVALID = [
    ("replicas_string", mutate(deployment, lambda o: set_path(o, ["spec", "replicas"], "two")),
     ["spec.replicas: must be integer"]),
    ("container_without_name", mutate(deployment, lambda o: container(o).pop("name")),
     ["spec.template.spec.containers[0].name: required field is missing"]),
    ("unknown_field_replicaz", mutate(deployment, lambda o: set_path(o, ["spec", "replicaz"], 3)),
     ["spec.replicaz: unknown field"]),
    ("unknown_field_in_container", mutate(deployment, lambda o: container(o).update(imagePullPolicyy="Always")),
     ["spec.template.spec.containers[0].imagePullPolicyy: unknown field"]),
    ("unknown_metadata_field", mutate(deployment, lambda o: o["metadata"].update(lables={"a": "b"})),
     ["metadata.lables: unknown field"]),
    ("unknown_top_level_field", mutate(service, lambda o: o.update(specs={})),
     ["specs: unknown field"]),
    ("bad_quantity", mutate(deployment, lambda o: container(o)["resources"]["limits"].update(cpu="lots")),
     ['spec.template.spec.containers[0].resources.limits.cpu: must match one of: must be number | must match format "quantity"']),
    ("int_or_string_bool", mutate(deployment, lambda o: set_path(container(o), ["readinessProbe", "httpGet", "port"], True)),
     ["spec.template.spec.containers[0].readinessProbe.httpGet.port: must match one of: must be string | must be integer"]),
    ("image_pull_policy_enum", mutate(deployment, lambda o: container(o).update(imagePullPolicy="Sometimes")),
     ['spec.template.spec.containers[0].imagePullPolicy: must be one of "Always", "IfNotPresent", "Never"']),
    ("service_type_enum", mutate(service, lambda o: set_path(o, ["spec", "type"], "Public")),
     ["spec.type: must be one of"]),
    ("service_port_string", mutate(service, lambda o: set_path(o, ["spec", "ports", 0, "port"], "80")),
     ["spec.ports[0].port: must be integer"]),
    ("hpa_without_max", mutate(hpa, lambda o: o["spec"].pop("maxReplicas")),
     ["spec.maxReplicas: required field is missing"]),
    ("pdb_min_available_bool", mutate(pdb, lambda o: set_path(o, ["spec", "minAvailable"], True)),
     ["spec.minAvailable: must match one of: must be string | must be integer"]),
    ("ingress_path_type", mutate(ingress, lambda o: set_path(o, ["spec", "rules", 0, "http", "paths", 0, "pathType"], "Regex")),
     ["spec.rules[0].http.paths[0].pathType: must be one of"]),
    ("httproute_path_type", mutate(httproute, lambda o: set_path(o, ["spec", "rules", 0, "matches", 0, "path", "type"], "Prefix")),
     ['spec.rules[0].matches[0].path.type: must be one of "Exact", "PathPrefix", "RegularExpression"']),
    ("httproute_header_match_type", mutate(httproute, lambda o: set_path(o, ["spec", "rules", 0, "matches", 0, "headers", 0, "type"], "Prefix")),
     ["spec.rules[0].matches[0].headers[0].type: must be one of"]),
    ("httproute_filter_type", mutate(httproute, lambda o: set_path(o, ["spec", "rules", 0, "filters", 0, "type"], "Rewrite")),
     ["spec.rules[0].filters[0].type: must be one of"]),
    ("httproute_unknown_field", mutate(httproute, lambda o: o["spec"]["rules"][0].update(backendRef=[])),
     ["spec.rules[0].backendRef: unknown field"]),
    ("virtualservice_hosts_string", mutate(virtualservice, lambda o: set_path(o, ["spec", "hosts"], "web")),
     ["spec.hosts: must be array"]),
    ("virtualservice_port_string", mutate(virtualservice, lambda o: set_path(o, ["spec", "http", 0, "route", 0, "destination", "port", "number"], "eighty")),
     ["spec.http[0].route[0].destination.port.number: must be integer"]),
    ("virtualservice_exclusive_fields", mutate(virtualservice, lambda o: o["spec"]["http"][0]["match"][0]["uri"].update(exact="/api")),
     ["spec.http[0].match[0].uri: sets more than one of a group of mutually exclusive fields"]),
    ("virtualservice_unknown_field", mutate(virtualservice, lambda o: o["spec"]["http"][0]["route"][0].update(destinaton={})),
     ["spec.http[0].route[0].destinaton: unknown field"]),
    ("destinationrule_ttl_number", mutate(destinationrule, lambda o: set_path(o, ["spec", "trafficPolicy", "loadBalancer", "consistentHash", "httpCookie", "ttl"], 86400)),
     ["spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.ttl: must be string"]),
    ("requestauthentication_audiences_string", mutate(requestauthentication, lambda o: set_path(o, ["spec", "jwtRules", 0, "audiences"], "api")),
     ["spec.jwtRules[0].audiences: must be array"]),
    ("authorizationpolicy_action_enum", mutate(authorizationpolicy, lambda o: set_path(o, ["spec", "action"], "PERMIT")),
     ["spec.action: must be one of"]),
    ("unknown_kind_in_known_group", mutate(deployment, lambda o: o.update(kind="Deploymnet")),
     ["has no model for apps/v1 Deploymnet"]),
    # YAML is read as kubectl reads it (YAML 1.1): an unquoted `on` is a boolean, not a string.
    ("yaml11_boolean_env_value",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
     "  - name: c\n    image: busybox\n    env: [{name: FLAG, value: on}]\n",
     ["spec.containers[0].env[0].value: must be string"]),
]


class SchemaValidatorTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if NODE is None:
            raise AssertionError("node is not installed: run scripts/setup.sh first")
        if not (VALIDATOR_DIR / "node_modules").is_dir():
            raise AssertionError(f"{VALIDATOR_DIR / 'node_modules'} is missing: run scripts/setup.sh first")
        cls.tmp = tempfile.TemporaryDirectory(prefix="kms-schema-")
        tmp = pathlib.Path(cls.tmp.name)
        cases = tmp / "cases"
        cases.mkdir()
        for name, obj, _ in INVALID:
            if isinstance(obj, str):
                (cases / f"{name}.yaml").write_text(obj)
            else:
                (cases / f"{name}.json").write_text(json.dumps(obj, indent=1))
        for fn in VALID:
            (cases / f"valid_{fn.__name__}.json").write_text(json.dumps(fn()))
        # All base objects once more, as YAML documents (JSON is YAML) in one stream.
        (cases / "valid_stream.yaml").write_text("---\n".join(json.dumps(fn()) + "\n" for fn in VALID))
        (cases / "valid_list.json").write_text(json.dumps(
            {"apiVersion": "v1", "kind": "List", "metadata": {}, "items": [fn() for fn in VALID]}))
        cls.cases = cases
        # One node process for every case above (start-up dominates the cost).
        cls.rc, cls.lines, cls.stderr = run([cases])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_batch_exit_code_and_summary(self):
        self.assertEqual(self.rc, 1, self.stderr)
        self.assertRegex(self.stderr, rf"\b{len(INVALID)} failed\b")
        for line in self.lines:
            self.assertRegex(line, r"^(ok|FAIL) \S+#\d+ \S+/\S+ \S+", line)

    def test_valid_objects_pass(self):
        for fn in VALID:
            with self.subTest(kind=fn.__name__):
                obj = fn()
                line = line_for(self.lines, f"{self.cases}/valid_{fn.__name__}.json#0")
                self.assertEqual(line, f"ok {self.cases}/valid_{fn.__name__}.json#0 "
                                       f"{obj['apiVersion']}/{obj['kind']} {obj['metadata']['name']}")

    def test_yaml_stream_and_v1_list_pass_with_one_line_per_object(self):
        for name in ("valid_stream.yaml", "valid_list.json"):
            for i, fn in enumerate(VALID):
                with self.subTest(file=name, kind=fn.__name__):
                    obj = fn()
                    line = line_for(self.lines, f"{self.cases}/{name}#{i}")
                    self.assertTrue(line.startswith("ok "), line)
                    self.assertIn(f" {obj['apiVersion']}/{obj['kind']} ", line)

    def test_invalid_objects_fail_with_the_field_path(self):
        for name, obj, expected in INVALID:
            with self.subTest(case=name):
                ext = "yaml" if isinstance(obj, str) else "json"
                line = line_for(self.lines, f"{self.cases}/{name}.{ext}#0")
                self.assertTrue(line.startswith("FAIL "), line)
                for text in expected:
                    self.assertIn(text, line)

    def test_mutations_report_only_the_broken_field(self):
        # The unknown-field pass must not flag fields the schema declares: a case with one
        # mistake reports that mistake alone (oneOf/int-or-string may add lines for the same path).
        for name, obj, expected in INVALID:
            with self.subTest(case=name):
                ext = "yaml" if isinstance(obj, str) else "json"
                line = line_for(self.lines, f"{self.cases}/{name}.{ext}#0")
                problems = line.split(": ", 1)[1].split("; ")
                path = expected[0].split(":")[0]
                for p in problems:
                    self.assertTrue(p.startswith(path) or p.startswith("(root)"), f"{name}: unexpected {p!r}")

    def test_fixture_dir_with_kustomization_passes(self):
        rc, lines, err = run([FIXTURES / "valid"])
        self.assertEqual(rc, 0, "\n".join(lines) + err)
        kinds = {line.split(" ")[2] for line in lines if line.startswith("ok ")}
        for kind in ["apps/v1/Deployment", "v1/Service", "autoscaling/v2/HorizontalPodAutoscaler",
                     "policy/v1/PodDisruptionBudget", "networking.k8s.io/v1/Ingress",
                     "gateway.networking.k8s.io/v1/HTTPRoute", "networking.istio.io/v1/VirtualService",
                     "networking.istio.io/v1/DestinationRule", "security.istio.io/v1/RequestAuthentication",
                     "security.istio.io/v1/AuthorizationPolicy"]:
            self.assertIn(kind, kinds)
        self.assertFalse([line for line in lines if "kustomization" in line], lines)
        skipped = [line for line in lines if line.startswith("skipped ")]
        self.assertEqual(len(skipped), 2, lines)
        self.assertTrue(all(line.endswith("(no model)") and "gateway.envoyproxy.io/v1alpha1/" in line
                            for line in skipped), skipped)

    def test_strict_fails_on_kinds_without_a_model(self):
        rc, lines, _ = run(["--strict", FIXTURES / "valid" / "gateway-api.yaml"])
        self.assertEqual(rc, 1)
        line = line_for(lines, f"{FIXTURES / 'valid' / 'gateway-api.yaml'}#1")
        self.assertRegex(line, r"^FAIL .* gateway\.envoyproxy\.io/v1alpha1/SecurityPolicy ml-inference-sp: skipped \(no model\)")
        self.assertTrue(line_for(lines, f"{FIXTURES / 'valid' / 'gateway-api.yaml'}#0").startswith("ok "))

    def test_kustomization_listing_a_missing_file_fails(self):
        with tempfile.TemporaryDirectory() as d:
            d = pathlib.Path(d)
            (d / "service.json").write_text(json.dumps(service()))
            (d / "patch.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n")
            (d / "kustomization.yaml").write_text(
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                "resources: [service.json, deployment.yaml]\npatches: [{path: patch.yaml}]\n")
            rc, lines, err = run([d])
            self.assertEqual(rc, 1, "\n".join(lines) + err)
            line = line_for(lines, f"{d}/kustomization.yaml#0")
            self.assertIn('resources[1]: listed file "deployment.yaml" does not exist', line)
            self.assertTrue(line.startswith("FAIL "), line)
            self.assertTrue(line_for(lines, f"{d}/service.json#0").startswith("ok "))
            # A patch is a partial object: it is not validated on its own.
            self.assertFalse([line for line in lines if "patch.yaml" in line], lines)
            (d / "deployment.yaml").write_text(json.dumps(deployment()))
            rc, lines, err = run([d])
            self.assertEqual(rc, 0, "\n".join(lines) + err)

    def test_parse_errors_and_usage_exit_2(self):
        with tempfile.TemporaryDirectory() as d:
            bad = pathlib.Path(d) / "bad.yaml"
            bad.write_text("apiVersion: v1\nkind: [\n")
            dup = pathlib.Path(d) / "dup.json"
            dup.write_text('{"apiVersion": "v1", "kind": "Service", "kind": "Service", "metadata": {"name": "a"}}')
            rc, lines, _ = run([bad, dup])
            self.assertEqual(rc, 2)
            self.assertTrue(line_for(lines, str(bad)).startswith(f"ERROR {bad}: invalid YAML"), lines)
            self.assertTrue(line_for(lines, str(dup)).startswith(f"ERROR {dup}: duplicate key"), lines)
        self.assertEqual(run([])[0], 2)
        self.assertEqual(run(["--nope", FIXTURES])[0], 2)
        self.assertEqual(run([FIXTURES / "no-such-file.yaml"])[0], 2)

    def test_stdin(self):
        rc, lines, err = run(["-"], stdin=json.dumps(hpa()))
        self.assertEqual(rc, 0, err)
        self.assertEqual(lines, ["ok -#0 autoscaling/v2/HorizontalPodAutoscaler web"])

    def test_wrapper_runs_from_any_directory(self):
        with tempfile.TemporaryDirectory() as d:
            (pathlib.Path(d) / "svc.json").write_text(json.dumps(service()))
            proc = subprocess.run([str(WRAPPER), "svc.json"], cwd=d, capture_output=True, text=True, timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout.splitlines(), ["ok svc.json#0 v1/Service web"])

    def test_missing_node_modules_says_run_setup(self):
        # A copy of the validator and the wrapper in a tree without node_modules.
        with tempfile.TemporaryDirectory() as d:
            d = pathlib.Path(d)
            (d / "tests" / "node" / "schema").mkdir(parents=True)
            (d / "tests" / "schema").mkdir(parents=True)
            shutil.copy(VALIDATOR, d / "tests" / "node" / "schema" / "validate.mjs")
            shutil.copy(WRAPPER, d / "tests" / "schema" / "validate_manifests.sh")
            (d / "svc.json").write_text(json.dumps(service()))
            rc, lines, err = run([d / "svc.json"], validator=d / "tests" / "node" / "schema" / "validate.mjs")
            self.assertEqual(rc, 2)
            self.assertIn("run scripts/setup.sh first", err)
            self.assertEqual(lines, [])
            proc = subprocess.run(["bash", str(d / "tests" / "schema" / "validate_manifests.sh"), str(d / "svc.json")],
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(proc.returncode, 2)
            self.assertIn("run scripts/setup.sh first", proc.stderr)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    sys.exit(0 if result.wasSuccessful() else 1)
