"""The JSON Schema printed by `schema` accepts every service file we ship and test as valid, and
rejects the bad inputs a schema can see (unknown keys, wrong types, out-of-range numbers, values
outside an enum, malformed quantities). Checked with ajv, as an editor would."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SRC = Path(os.environ.get("KMS_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BIN = os.environ.get("KMS_BIN", str(SRC / "build" / "kubectl-microservice"))
NODE_DIR = SRC / "tests" / "node" / "schema"
# Messages of errors a JSON Schema can express; other bad inputs (min > max, …) need the parser.
SCHEMA_VISIBLE = ("unknown key", "expected an integer", "expected a map", "expected a list",
                  "expected true or false", "must be one of", "is not a Kubernetes quantity")


def own_format(path: Path) -> bool:
    text = path.read_text(errors="replace")
    return not any(line.startswith(("modules:", "pipeline:")) for line in text.splitlines())


def run_ajv(schema: Path, files):
    out = subprocess.run(["node", str(NODE_DIR / "validate_schema.mjs"), str(schema), *map(str, files)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1), out.stderr
    results = {}
    for line in out.stdout.splitlines():
        status, _, rest = line.partition(" ")
        results[rest.split(":")[0] if status == "FAIL" else rest] = (status, line)
    # Every file must have a verdict: a crash of the validator is never a pass.
    missing = [str(f) for f in files if str(f) not in results]
    assert not missing, f"no verdict for {missing}: {out.stderr}"
    return out, results


class ServiceSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not (NODE_DIR / "node_modules" / "ajv").is_dir():
            raise AssertionError("tests/node/schema/node_modules is missing: run scripts/setup.sh first")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.schema = Path(cls.tmp.name) / "service.schema.json"
        out = subprocess.run([BIN, "schema"], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        cls.schema.write_text(out.stdout)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_shipped_schema_is_what_the_binary_prints(self):
        shipped = Path(__file__).resolve().parents[2] / "packaging" / "service.schema.json"
        self.assertEqual(shipped.read_text(), self.schema.read_text(),
                         "regenerate it: build/kubectl-microservice schema > packaging/service.schema.json")

    def test_schema_is_draft07_and_closed(self):
        s = json.loads(self.schema.read_text())
        self.assertEqual(s["$schema"], "http://json-schema.org/draft-07/schema#")
        self.assertFalse(s["additionalProperties"])
        self.assertIn("expose", s["properties"])

    def test_accepts_every_shipped_and_golden_service_file(self):
        files = [SRC / "examples" / "ml-inference" / "service.yaml"]
        files += [p for p in sorted((SRC / "tests" / "golden").glob("*/*.yaml"))
                  if p.name not in ("expected.yaml", "config.yaml") and own_format(p)]
        self.assertGreater(len(files), 5)
        out, results = run_ajv(self.schema, files)
        failures = [line for status, line in results.values() if status != "ok"]
        self.assertEqual(failures, [], out.stderr)

    def test_rejects_the_bad_inputs_a_schema_can_see(self):
        cases = []
        for case in sorted((SRC / "tests" / "bad").iterdir()):
            expected = case / "expected"
            svc = case / "service.yaml"
            if not (expected.is_file() and svc.is_file() and own_format(svc)):
                continue
            msg = expected.read_text()
            # Only single-problem cases that are about the file's shape.
            if msg.count("\n") <= 1 and any(k in msg for k in SCHEMA_VISIBLE) and "flag --" not in msg:
                cases.append(svc)
        self.assertGreaterEqual(len(cases), 5)
        out, results = run_ajv(self.schema, cases)
        accepted = [str(p) for p in cases if results.get(str(p), ("?",))[0] == "ok"]
        self.assertEqual(accepted, [], out.stdout)

    def test_rejects_each_kind_of_shape_error(self):
        bad = {
            "unknown.yaml": "name: a\nimage: b\nimagee: c\n",
            "type.yaml": "name: a\nimage: b\nport: http\n",
            "range.yaml": "name: a\nimage: b\nport: 70000\n",
            "enum.yaml": "name: a\nimage: b\nservice: {type: External}\n",
            "quantity.yaml": "name: a\nimage: b\nresources: {cpu: lots}\n",
            "nested.yaml": "name: a\nimage: b\nexpose: {auth: {type: jwt, audience: [x]}}\n",
        }
        good = {
            "replicas-int.yaml": "name: a\nimage: b\nreplicas: 3\n",
            "secrets-names.yaml": "name: a\nimage: b\nsecrets: [openai]\n",
            "expose-true.yaml": "name: a\nimage: b\nexpose: true\n",
            "auth-short.yaml": "name: a\nimage: b\nexpose: {auth: keycloak}\n",
            "quantity-number.yaml": "name: a\nimage: b\nresources: {cpu: 2, memory: 1.5Gi}\n",
        }
        d = Path(self.tmp.name)
        for name, text in {**bad, **good}.items():
            (d / name).write_text(text)
        out, results = run_ajv(self.schema, [d / n for n in {**bad, **good}])
        for name in bad:
            self.assertEqual(results[str(d / name)][0], "FAIL", name)
        for name in good:
            self.assertEqual(results[str(d / name)][0], "ok", results[str(d / name)][1])


if __name__ == "__main__":
    unittest.main()
