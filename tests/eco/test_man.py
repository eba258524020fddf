#!/usr/bin/env python3
"""Man pages in man/: they are what `__man` generates from the live command tree (no drift), every
verb and flag that --help shows has its page and its entry, every key the service-file parser
accepts is described in kubectl-microservice-service.yaml(5), and groff reads every page without a
warning."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import eco  # noqa: E402

MAN = eco.ROOT / "man"
REGENERATE = "regenerate them: `kubectl-microservice __man man/` (from a fresh build)"


def page(name):
    return (MAN / name).read_text()


def roff_name(flag):
    return flag.replace("-", "\\-")


class Drift(unittest.TestCase):
    def test_pages_are_what_the_binary_generates(self):
        tmp = tempfile.mkdtemp(prefix="kms-man-")
        try:
            r = eco.run(["__man", tmp])
            self.assertEqual(r.returncode, 0, r.stderr)
            generated = {p.name: p.read_text() for p in pathlib.Path(tmp).iterdir()}
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        committed = {p.name: p.read_text() for p in MAN.iterdir() if re.search(r"\.[15]$", p.name)}
        self.assertEqual(sorted(committed), sorted(generated), f"man/ has other pages than the binary: {REGENERATE}")
        for name, text in generated.items():
            self.assertEqual(committed[name], text, f"man/{name} is out of date: {REGENERATE}")

    def test_man_needs_a_directory(self):
        r = eco.run(["__man", "/nonexistent/kms-man"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("not a directory", r.stderr)


class Coverage(unittest.TestCase):
    def test_every_verb_has_a_page_listed_on_the_main_page(self):
        verbs = eco.verbs_from_help()
        self.assertIn("render", verbs)
        main = page("kubectl-microservice.1")
        for verb in verbs:
            with self.subTest(verb=verb):
                self.assertTrue((MAN / f"kubectl-microservice-{verb}.1").exists(), f"no page for {verb}: {REGENERATE}")
                self.assertIn(f".BR kubectl\\-microservice\\-{roff_name(verb)} (1)", main)

    def test_every_flag_is_on_its_page(self):
        for name in eco.flags_from_help([]):
            self.assertIn(f"\\fB{roff_name(name)}\\fR", page("kubectl-microservice.1"), name)
        for verb in eco.verbs_from_help():
            text = page(f"kubectl-microservice-{verb}.1")
            for name in eco.flags_from_help([verb]):
                with self.subTest(verb=verb, flag=name):
                    self.assertIn(f"\\fB{roff_name(name)}\\fR", text, f"{name} missing: {REGENERATE}")

    def test_exit_codes_are_documented(self):
        for name in ["kubectl-microservice.1"] + [f"kubectl-microservice-{v}.1" for v in eco.verbs_from_help()]:
            text = page(name)
            with self.subTest(page=name):
                section = text.split(".SH EXIT STATUS\n", 1)[1].split(".SH ", 1)[0]
                self.assertIn(".TP\n0\n", section)
                self.assertRegex(section, r"\.TP\n[12]\n")

    def test_every_service_file_key_is_described(self):
        # Every key of the JSON Schema that `schema` prints (from the table the parser uses).
        r = eco.run(["schema"])
        self.assertEqual(r.returncode, 0, r.stderr)
        keys = set()

        def walk(node):
            if isinstance(node, dict):
                keys.update(node.get("properties", {}).keys())
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(json.loads(r.stdout))
        self.assertIn("workingDir", keys)
        text = page("kubectl-microservice-service.yaml.5")
        for key in sorted(keys):
            with self.subTest(key=key):
                described = re.search(rf"(^|[\s(]|\\fB){key}\b", text, re.M) is not None
                self.assertTrue(described, f"{key} is not described in templates/man/"
                                "kubectl-microservice-service.yaml.txt")


@unittest.skipIf(shutil.which("groff") is None, "groff is not installed")
class Lint(unittest.TestCase):
    def test_groff_reads_every_page_without_warnings(self):
        for p in sorted(MAN.iterdir()):
            with self.subTest(page=p.name):
                r = subprocess.run(["groff", "-man", "-ww", "-z", str(p)], capture_output=True, text=True,
                                   timeout=eco.TIMEOUT)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stderr, "")

    def test_man_renders_a_page(self):
        if shutil.which("man") is None:
            self.skipTest("man is not installed")
        r = subprocess.run(["man", "-l", str(MAN / "kubectl-microservice-render.1")], capture_output=True, text=True,
                           env=dict(os.environ, MANPAGER="cat", MANWIDTH="100"), timeout=eco.TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("--filename", r.stdout)
        self.assertIn("EXIT STATUS", r.stdout)


if __name__ == "__main__":
    unittest.main()
