#!/usr/bin/env python3
"""Envoy Gateway objects in the golden files, checked against the upstream API types.

Envoy Gateway's SecurityPolicy and BackendTrafficPolicy (gateway.envoyproxy.io/v1alpha1) have no npm
model, so tests/schema skips them. This test holds the part of their schema that the renderer uses,
transcribed from envoyproxy/gateway api/v1alpha1 (securitypolicy_types.go with targetRefs,
basic_auth_types.go: users is a SecretObjectReference read from key ".htpasswd",
api_key_auth_types.go, jwt_types.go, loadbalancer_types.go) and the CEL rules on those types, and
checks every such object under tests/golden/*/expected.yaml: unknown fields, required fields, enums,
list sizes, string lengths, Gateway API durations and the type/field pairings.
"""

import copy
import json
import os
import pathlib
import re
import shutil
import subprocess
import unittest

ROOT = pathlib.Path(os.environ.get("KMS_SOURCE_DIR") or pathlib.Path(__file__).resolve().parents[2])
GOLDEN = ROOT / "tests" / "golden"
NODE_MODULES = ROOT / "tests" / "node" / "schema" / "node_modules"
API = "gateway.envoyproxy.io/v1alpha1"
DURATION = re.compile(r"^([0-9]{1,5}(h|m|s|ms)){1,4}$")  # gateway-api apis/v1 Duration


def string(min_len=1, max_len=253, pattern=None, enum=None):
    return {"type": str, "min": min_len, "max": max_len, "pattern": pattern, "enum": enum}


def obj(required=(), **fields):
    return {"type": dict, "fields": fields, "required": set(required)}


def array(items, min_items=0, max_items=None):
    return {"type": list, "items": items, "min": min_items, "max": max_items}


BOOL = {"type": bool}
SECRET_REF = obj(["name"], group=string(0), kind=string(), name=string(), namespace=string())
TARGET_REFS = array(obj(["group", "kind", "name"], group=string(enum=["gateway.networking.k8s.io"]),
                        kind=string(enum=["Gateway", "HTTPRoute", "GRPCRoute"]), name=string(),
                        sectionName=string()), min_items=1)
METADATA = obj(["name"], name=string(), namespace=string(), labels={"type": dict},
               annotations={"type": dict})
CLAIM_TO_HEADER = obj(["header", "claim"], header=string(), claim=string())
JWT_PROVIDER = obj(["name"], name=string(), issuer=string(0), audiences=array(string(0), max_items=8),
                   remoteJWKS=obj(["uri"], uri=string()), claimToHeaders=array(CLAIM_TO_HEADER),
                   recomputeRoute=BOOL)
EXTRACT_FROM = obj([], headers=array(string(), min_items=1), params=array(string(), min_items=1),
                   cookies=array(string(), min_items=1))
SECURITY_POLICY = obj(
    ["targetRefs"], targetRefs=TARGET_REFS,
    basicAuth=obj(["users"], users=SECRET_REF, forwardUsernameHeader=string()),
    apiKeyAuth=obj(["credentialRefs", "extractFrom"], credentialRefs=array(SECRET_REF, min_items=1),
                   extractFrom=array(EXTRACT_FROM, min_items=1), forwardClientIDHeader=string(),
                   sanitize=BOOL),
    jwt=obj(["providers"], optional=BOOL, providers=array(JWT_PROVIDER, min_items=1, max_items=4)))
CONSISTENT_HASH = obj(["type"], type=string(enum=["SourceIP", "Header", "Cookie"]),
                      header=obj(["name"], name=string()),
                      cookie=obj(["name"], name=string(), ttl=string(pattern=DURATION),
                                 attributes={"type": dict}))
BACKEND_TRAFFIC_POLICY = obj(
    ["targetRefs"], targetRefs=TARGET_REFS,
    loadBalancer=obj(["type"], type=string(enum=["ConsistentHash", "LeastRequest", "Random", "RoundRobin"]),
                     consistentHash=CONSISTENT_HASH))
KINDS = {"SecurityPolicy": SECURITY_POLICY, "BackendTrafficPolicy": BACKEND_TRAFFIC_POLICY}


def check(value, schema, path, errors):
    """Appends "path: problem" for every way `value` breaks `schema`."""
    if not isinstance(value, schema["type"]) or (schema["type"] is not bool and isinstance(value, bool)):
        errors.append(f"{path}: expected {schema['type'].__name__}, got {value!r}")
        return
    if schema["type"] is str:
        if not schema["min"] <= len(value) <= schema["max"]:
            errors.append(f"{path}: length {len(value)} outside {schema['min']}..{schema['max']}")
        if schema["enum"] and value not in schema["enum"]:
            errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
        if schema["pattern"] and not schema["pattern"].match(value):
            errors.append(f"{path}: {value!r} does not match {schema['pattern'].pattern}")
    elif schema["type"] is list:
        if len(value) < schema["min"] or (schema["max"] is not None and len(value) > schema["max"]):
            errors.append(f"{path}: {len(value)} items, allowed {schema['min']}..{schema['max']}")
        for i, item in enumerate(value):
            check(item, schema["items"], f"{path}[{i}]", errors)
    elif schema["type"] is dict and "fields" in schema:
        for key in schema["required"] - value.keys():
            errors.append(f"{path}.{key}: required")
        for key, item in value.items():
            if key not in schema["fields"]:
                errors.append(f"{path}.{key}: unknown field")
            else:
                check(item, schema["fields"][key], f"{path}.{key}", errors)


def cel_rules(kind, spec, errors):
    """The x-kubernetes-validations of the upstream types that the renderer's output can meet."""
    if kind == "SecurityPolicy":
        for i, p in enumerate(spec.get("jwt", {}).get("providers", [])):
            if "remoteJWKS" not in p:
                errors.append(f"spec.jwt.providers[{i}]: either remoteJWKS or localJWKS must be specified")
        for i, e in enumerate(spec.get("apiKeyAuth", {}).get("extractFrom", [])):
            if len(e) != 1:
                errors.append(f"spec.apiKeyAuth.extractFrom[{i}]: exactly one of headers, params, or cookies")
        auths = [k for k in ("basicAuth", "apiKeyAuth", "jwt") if k in spec]
        if not auths:
            errors.append("spec: a SecurityPolicy without any authentication does nothing")
    if kind == "BackendTrafficPolicy":
        lb = spec.get("loadBalancer", {})
        if (lb.get("type") == "ConsistentHash") != ("consistentHash" in lb):
            errors.append("spec.loadBalancer: consistentHash must be set exactly when type is ConsistentHash")
        ch = lb.get("consistentHash", {})
        for field, hash_type in (("header", "Header"), ("cookie", "Cookie")):
            if (ch.get("type") == hash_type) != (field in ch):
                errors.append(f"spec.loadBalancer.consistentHash: {field} must be set exactly when type is "
                              f"{hash_type}")


def problems(doc):
    """Every problem of one Envoy Gateway object, as "path: message"."""
    errors = []
    schema = KINDS.get(doc.get("kind"))
    if doc.get("apiVersion") != API or schema is None:
        return [f"apiVersion/kind: {doc.get('apiVersion')}/{doc.get('kind')} is not a checked Envoy Gateway kind"]
    unknown = set(doc) - {"apiVersion", "kind", "metadata", "spec"}
    errors += [f"{key}: unknown field" for key in sorted(unknown)]
    check(doc.get("metadata"), METADATA, "metadata", errors)
    check(doc.get("spec"), schema, "spec", errors)
    if not errors:
        cel_rules(doc["kind"], doc["spec"], errors)
    return errors


# YAML → JSON with the npm `yaml` package the schema tests install (the standard library has no YAML).
READ_YAML_JS = """
const { createRequire } = require("node:module");
const YAML = createRequire(process.argv[1] + "/")("yaml");
const fs = require("node:fs");
const out = {};
for (const f of process.argv.slice(2)) {
  out[f] = YAML.parseAllDocuments(fs.readFileSync(f, "utf8")).map((d) => d.toJSON());
}
process.stdout.write(JSON.stringify(out));
"""


def golden_documents():
    """case name → the documents of its expected.yaml."""
    cases = sorted(p for p in GOLDEN.iterdir() if p.is_dir()) if GOLDEN.is_dir() else []
    files = {str(c / "expected.yaml"): c.name for c in cases if (c / "expected.yaml").exists()}
    if shutil.which("node") is None or not NODE_MODULES.is_dir():
        raise RuntimeError("node or tests/node/schema/node_modules is missing: run scripts/setup.sh")
    proc = subprocess.run(["node", "-e", READ_YAML_JS, str(NODE_MODULES), *files], capture_output=True,
                          text=True, check=True, timeout=120)
    return {files[f]: [d for d in docs if d] for f, docs in json.loads(proc.stdout).items()}


def envoy_gateway_objects(documents):
    """(case name, object) for every Envoy Gateway object of the golden files."""
    return [(case, doc) for case, docs in sorted(documents.items()) for doc in docs
            if doc.get("apiVersion", "").startswith("gateway.envoyproxy.io/")]


class EnvoyGatewayGolden(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.documents = golden_documents()

    def test_the_golden_files_cover_every_rendered_kind_and_auth(self):
        seen = set()
        for _, doc in envoy_gateway_objects(self.documents):
            spec = doc.get("spec", {})
            seen.add(doc["kind"])
            seen.update(k for k in ("basicAuth", "apiKeyAuth", "jwt") if k in spec)
            hash_type = spec.get("loadBalancer", {}).get("consistentHash", {}).get("type")
            if hash_type:
                seen.add(hash_type)
        for wanted in ("SecurityPolicy", "BackendTrafficPolicy", "basicAuth", "apiKeyAuth", "jwt", "Cookie",
                       "Header", "SourceIP"):
            self.assertIn(wanted, seen)

    def test_every_envoy_gateway_object_matches_the_upstream_types(self):
        for case, doc in envoy_gateway_objects(self.documents):
            with self.subTest(case=case, kind=doc.get("kind")):
                self.assertEqual(problems(doc), [])

    def test_each_policy_targets_the_route_rendered_beside_it(self):
        for case, docs in sorted(self.documents.items()):
            routes = {(d["metadata"].get("namespace"), d["metadata"]["name"]) for d in docs
                      if d["kind"] == "HTTPRoute"}
            for d in docs:
                if d.get("apiVersion") == API:
                    with self.subTest(case=case, policy=d["metadata"]["name"]):
                        for ref in d["spec"]["targetRefs"]:
                            self.assertIn((d["metadata"].get("namespace"), ref["name"]), routes)


class CheckerCatchesMistakes(unittest.TestCase):
    """The checker itself: each mistake the renderer could make is reported."""

    BASE = {"apiVersion": API, "kind": "SecurityPolicy", "metadata": {"name": "web-sp"},
            "spec": {"targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "web"}],
                     "basicAuth": {"users": {"name": "web-users"}}}}

    def mutated(self, change):
        doc = copy.deepcopy(self.BASE)
        change(doc)
        return problems(doc)

    def test_the_base_object_is_valid(self):
        self.assertEqual(problems(self.BASE), [])

    def test_mistakes_are_reported(self):
        cases = {
            "singular targetRef": lambda d: d["spec"].update(targetRef=d["spec"].pop("targetRefs")),
            "basicAuth users as a list": lambda d: d["spec"]["basicAuth"].update(users=["a:{SHA}x"]),
            "unknown spec field": lambda d: d["spec"].update(basicauth={}),
            "apiKeyAuth credentials spelling": lambda d: d["spec"].update(
                apiKeyAuth={"credentials": [{"name": "k"}], "extractFrom": [{"headers": ["x-api-key"]}]}),
            "extractFrom header singular": lambda d: d["spec"].update(
                apiKeyAuth={"credentialRefs": [{"name": "k"}], "extractFrom": [{"header": "x-api-key"}]}),
            "jwt without JWKS": lambda d: d["spec"].update(jwt={"providers": [{"name": "p", "issuer": "i"}]}),
            "jwks as a string": lambda d: d["spec"].update(
                jwt={"providers": [{"name": "p", "remoteJWKS": "https://k"}]}),
            "nine audiences": lambda d: d["spec"].update(
                jwt={"providers": [{"name": "p", "remoteJWKS": {"uri": "https://k"}, "audiences": ["a"] * 9}]}),
            "target kind Service": lambda d: d["spec"]["targetRefs"][0].update(kind="Service"),
            "no authentication": lambda d: d["spec"].pop("basicAuth"),
        }
        for name, change in cases.items():
            with self.subTest(mistake=name):
                self.assertNotEqual(self.mutated(change), [])

    def test_traffic_policy_mistakes_are_reported(self):
        def btp(hash_):
            return {"apiVersion": API, "kind": "BackendTrafficPolicy", "metadata": {"name": "w-btp"},
                    "spec": {"targetRefs": self.BASE["spec"]["targetRefs"],
                             "loadBalancer": {"type": "ConsistentHash", "consistentHash": hash_}}}
        self.assertEqual(problems(btp({"type": "Cookie", "cookie": {"name": "c", "ttl": "168h"}})), [])
        self.assertNotEqual(problems(btp({"type": "Cookie", "cookie": {"name": "c", "ttl": "604800s"}})), [])
        self.assertNotEqual(problems(btp({"type": "Cookie", "header": {"name": "h"}})), [])
        self.assertNotEqual(problems(btp({"type": "Headers", "header": {"name": "h"}})), [])
        self.assertNotEqual(problems(btp({"type": "SourceIP", "cookie": {"name": "c"}})), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
