#!/usr/bin/env python3
"""Golden render cases: tests/golden/<case>/ → `kubectl-microservice render ARGS` → expected output.

Each case directory holds its inputs, an optional `args` file (the arguments after `render`, one per
line, paths relative to the case directory; default `-f service.yaml`), an optional `config.yaml`
(the user config), an optional `stdin`, `expected.yaml` (stdout, byte for byte) and, when the
render warns, `expected.stderr`. The render must exit 0 and a second run must give the same bytes.
Every expected.yaml is also checked against the official Kubernetes schemas, in one node run.

KMS_UPDATE_GOLDEN=1 rewrites the expected files from the binary's output (review the diff!).
See tests/README.md for the layout.
"""

import difflib
import os
import pathlib
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import case_dirs  # noqa: E402

GOLDEN = case_dirs.ROOT / "tests" / "golden"
VALIDATOR = case_dirs.ROOT / "tests" / "schema" / "validate_manifests.sh"
UPDATE = os.environ.get("KMS_UPDATE_GOLDEN") == "1"
DEFAULT_ARGS = ["-f", "service.yaml"]
MIN_CASES = 12  # the issue asks for at least this many representative services


def unified_diff(expected, actual, name):
    lines = difflib.unified_diff(expected.decode(errors="replace").splitlines(keepends=True),
                                 actual.decode(errors="replace").splitlines(keepends=True),
                                 fromfile=f"{name} (expected)", tofile=f"{name} (actual)")
    return "".join(lines)


class GoldenRender(unittest.TestCase):
    """One test method per case directory, added below."""

    def check_case(self, case):
        args = ["render", *case_dirs.read_args(case, DEFAULT_ARGS)]
        first = case_dirs.run_case(case, args)
        self.assertEqual(first.returncode, 0,
                         f"{case.name}: exit code {first.returncode}, stderr:\n{first.stderr.decode()}")
        self.assertEqual(first.files_before, first.files_after, f"{case.name}: render wrote files")
        if UPDATE:
            (case / "expected.yaml").write_bytes(first.stdout)
            stderr_file = case / "expected.stderr"
            if first.stderr:
                stderr_file.write_bytes(first.stderr)
            elif stderr_file.exists():
                stderr_file.unlink()
        expected = (case / "expected.yaml").read_bytes() if (case / "expected.yaml").exists() else None
        self.assertIsNotNone(expected, f"{case.name}: no expected.yaml (run with KMS_UPDATE_GOLDEN=1)")
        self.assertTrue(first.stdout == expected, f"{case.name}: stdout differs from expected.yaml:\n"
                        + unified_diff(expected, first.stdout, "expected.yaml"))
        stderr_file = case / "expected.stderr"
        expected_err = stderr_file.read_bytes() if stderr_file.exists() else b""
        self.assertTrue(first.stderr == expected_err, f"{case.name}: stderr differs from expected.stderr:\n"
                        + unified_diff(expected_err, first.stderr, "expected.stderr"))
        second = case_dirs.run_case(case, args)
        self.assertTrue(second.stdout == first.stdout and second.stderr == first.stderr,
                        f"{case.name}: a second run gave different output:\n"
                        + unified_diff(first.stdout, second.stdout, "stdout"))


def add_case_tests():
    for case in case_dirs.case_dirs(GOLDEN):
        method = "test_" + re.sub(r"[^0-9A-Za-z]", "_", case.name)
        setattr(GoldenRender, method, lambda self, c=case: self.check_case(c))


add_case_tests()


class GoldenSet(unittest.TestCase):
    def test_there_are_enough_golden_cases(self):
        cases = case_dirs.case_dirs(GOLDEN)
        self.assertGreaterEqual(len(cases), MIN_CASES, f"only {len(cases)} golden cases in {GOLDEN}")

    def test_every_case_has_an_expected_output_and_no_stray_control_files(self):
        for case in case_dirs.case_dirs(GOLDEN):
            with self.subTest(case=case.name):
                self.assertTrue((case / "expected.yaml").exists() or UPDATE, "missing expected.yaml")
                # `expected` is the bad-input layout; here it would be silently ignored.
                self.assertFalse((case / "expected").exists(), "golden cases use expected.yaml, not expected")

    def test_every_expected_output_passes_the_official_schemas(self):
        """All expected.yaml files in ONE node run (node start-up dominates the cost)."""
        if UPDATE:
            # Rewritten files are validated once the case tests have run, i.e. on the next run.
            self.skipTest("KMS_UPDATE_GOLDEN=1")
        files = [c / "expected.yaml" for c in case_dirs.case_dirs(GOLDEN) if (c / "expected.yaml").exists()]
        self.assertTrue(files, "no expected.yaml files")
        self.assertIsNotNone(shutil.which("node"), "node is not installed: run scripts/setup.sh")
        proc = subprocess.run(["bash", str(VALIDATOR), *map(str, files)], capture_output=True, text=True,
                              timeout=300)
        failed = [line for line in proc.stdout.splitlines() if not line.startswith(("ok ", "skipped "))]
        self.assertEqual(proc.returncode, 0, "schema validation failed:\n" + "\n".join(failed) + proc.stderr)
        self.assertEqual(failed, [])
        # Every file contributed at least one validated object.
        validated = {line.split(" ")[1].rsplit("#", 1)[0] for line in proc.stdout.splitlines()
                     if line.startswith("ok ")}
        for f in files:
            with self.subTest(file=str(f.relative_to(case_dirs.ROOT))):
                self.assertIn(str(f), validated)


if __name__ == "__main__":
    unittest.main(verbosity=2)
