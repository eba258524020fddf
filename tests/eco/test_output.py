#!/usr/bin/env python3
"""Output conventions across verbs: every -o flag declares its formats (so --help, completion and
the man pages list them), a verb with a table (-o wide) has --no-headers, and the formats of the
verbs that need no cluster really produce what they promise."""

import json
import os
import pathlib
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import eco  # noqa: E402


def output_formats(verb):
    """The -o values `verb` declares (via completion), or None when it has no -o."""
    if "--output" not in eco.flags_from_help([verb]):
        return None
    r = eco.run(["__completeNoDesc", verb, "-o", ""])
    return r.stdout.splitlines()[:-1]


class Declared(unittest.TestCase):
    def test_every_output_flag_declares_its_formats(self):
        seen = 0
        for verb in eco.verbs_from_help():
            formats = output_formats(verb)
            if formats is None:
                continue
            seen += 1
            with self.subTest(verb=verb):
                self.assertTrue(formats, f"{verb} -o declares no formats: use ->type_name(\"yaml|json|...\")")
                self.assertIn("-o", eco.flags_from_help([verb]), "kubectl spells it -o,--output")
                self.assertTrue({"yaml", "json"} & set(formats), f"{verb} -o offers neither yaml nor json")
        self.assertGreaterEqual(seen, 2)

    def test_tables_can_drop_their_headers(self):
        for verb in eco.verbs_from_help():
            formats = output_formats(verb) or []
            if "wide" in formats:
                with self.subTest(verb=verb):
                    self.assertIn("--no-headers", eco.flags_from_help([verb]))


class Formats(unittest.TestCase):
    SERVICE = ["--name", "web", "--image", "nginx:1.27", "--port", "80"]

    def test_render_formats(self):
        self.assertEqual(set(output_formats("render")), {"yaml", "json", "name", "dir="})
        r = eco.run(["render"] + self.SERVICE + ["-o", "json"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["kind"], "List")
        r = eco.run(["render"] + self.SERVICE + ["-o", "yaml"])
        self.assertIn("kind: Deployment", r.stdout)
        tmp = tempfile.mkdtemp(prefix="kms-out-")
        try:
            r = eco.run(["render"] + self.SERVICE + ["-o", f"dir={tmp}/out"])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue((pathlib.Path(tmp) / "out" / "kustomization.yaml").exists())
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        r = eco.run(["render"] + self.SERVICE + ["-o", "xml"])
        self.assertEqual(r.returncode, 2)

    def test_version_formats(self):
        self.assertEqual(set(output_formats("version")), {"json", "yaml"})
        version = json.loads(eco.run(["version", "-o", "json"]).stdout)["version"]
        self.assertEqual(eco.run(["version", "-o", "yaml"]).stdout, f"version: {version}\n")
        self.assertEqual(eco.run(["version"]).stdout, f"kubectl-microservice version {version}\n")
        r = eco.run(["version", "-o", "xml"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("use json or yaml", r.stderr)

    def test_no_colour_when_not_a_terminal(self):
        for args in (["--help"], ["render", "--help"], ["render"] + self.SERVICE, ["--no-such-flag"]):
            r = eco.run(args, env=dict(os.environ, TERM="xterm"))
            self.assertNotIn("\033[", r.stdout + r.stderr)


def stderr_on_a_terminal(args, env):
    """(exit code, what the binary wrote to standard error) with standard error on a pty."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([eco.BIN] + args, stdout=subprocess.PIPE, stderr=slave, env=env, timeout=eco.TIMEOUT)
        os.close(slave)
        slave = None
        out = b""
        while select.select([master], [], [], 1)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        return proc.returncode, out.decode(errors="replace")
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)


class Colour(unittest.TestCase):
    """Errors are red on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb."""

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        env["TERM"] = "xterm"
        env.update(extra)
        return env

    def test_red_error_on_a_terminal(self):
        code, err = stderr_on_a_terminal(["--no-such-flag"], self.env())
        self.assertEqual(code, 2)
        self.assertIn("\033[31merror:\033[0m ", err)

    def test_no_colour_with_no_color_or_a_dumb_terminal(self):
        for extra in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
            with self.subTest(env=extra):
                code, err = stderr_on_a_terminal(["--no-such-flag"], self.env(**extra))
                self.assertEqual(code, 2)
                self.assertIn("error: ", err)
                self.assertNotIn("\033[", err)


if __name__ == "__main__":
    unittest.main()
