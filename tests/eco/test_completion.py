#!/usr/bin/env python3
"""Completion driven by the binary: the hidden __complete verb (cobra's protocol), the scripts of
`completion bash|zsh|fish` and the completions/ directory, kubectl's plugin completion through
kubectl_complete-microservice, and fish's own completion engine. Real bash TAB completion in a
pseudo-terminal is in test_bash_completion.py."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import eco  # noqa: E402

SHELLS = {"bash": "kubectl-microservice.bash", "zsh": "kubectl-microservice.zsh", "fish": "kubectl-microservice.fish"}


def complete(*words, cwd=None, env=None):
    """(candidates without descriptions, directive) for `__complete WORDS`."""
    r = eco.run(["__complete"] + list(words), cwd=cwd, env=env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines and lines[-1].startswith(":"), r.stdout
    return [line.split("\t")[0] for line in lines[:-1]], int(lines[-1][1:])


class Protocol(unittest.TestCase):
    def test_verbs_are_the_live_tree(self):
        cands, directive = complete("")
        self.assertEqual(cands, eco.verbs_from_help())
        self.assertIn("render", cands)
        self.assertIn("completion", cands)
        self.assertFalse([c for c in cands if c.startswith("__")], "hidden verbs are offered")
        self.assertEqual(directive, 4)  # no file names instead of verbs

    def test_descriptions_follow_a_tab(self):
        r = eco.run(["__complete", "ren"])
        self.assertRegex(r.stdout, r"^render\t\S.*\n:4\n$")
        r = eco.run(["__completeNoDesc", "ren"])
        self.assertEqual(r.stdout, "render\n:4\n")

    def test_every_flag_of_every_verb(self):
        for verb in eco.verbs_from_help():
            with self.subTest(verb=verb):
                cands, directive = complete(verb, "-")
                self.assertEqual(directive, 4)
                for name in eco.flags_from_help([verb]):
                    self.assertIn(name, cands)

    def test_value_sets(self):
        cands, directive = complete("completion", "")
        self.assertEqual(cands, ["bash", "zsh", "fish"])
        self.assertEqual(directive, 4)
        cands, _ = complete("render", "-o", "")
        self.assertIn("yaml", cands)
        self.assertIn("json", cands)
        self.assertEqual(complete("render", "--output=j")[0], ["--output=json"])

    def test_explain_completes_field_paths(self):
        cands, directive = complete("explain", "resources.")
        self.assertEqual(directive, 4)
        self.assertIn("resources.limits", cands)
        self.assertIn("resources.limits.cpu", cands)
        self.assertTrue(all(c.startswith("resources.") for c in cands), cands)
        self.assertIn("expose.auth.type", complete("explain", "expose.au")[0])

    def test_filename_asks_for_yaml_and_json_files(self):
        cands, directive = complete("render", "-f", "")
        self.assertEqual(directive, 8)
        self.assertEqual(sorted(cands), ["json", "yaml", "yml"])

    def test_words_after_the_verb_are_not_its_flags(self):
        # The words may look like a help request or "--": they are words to complete, never parsed.
        self.assertEqual(complete("render", "--help")[0], ["--help", "--help-all"])
        self.assertIn("--kubeconfig", complete("--")[0])
        self.assertEqual(complete("--", "")[0], [])


class Scripts(unittest.TestCase):
    def test_completion_prints_the_script_in_completions(self):
        for shell, name in SHELLS.items():
            with self.subTest(shell=shell):
                r = eco.run(["completion", shell])
                self.assertEqual(r.returncode, 0, r.stderr)
                committed = (eco.ROOT / "completions" / name).read_text()
                self.assertEqual(r.stdout, committed,
                                 f"completions/{name} differs from `completion {shell}`: run "
                                 f"`kubectl-microservice completion {shell} > completions/{name}`")

    def test_unknown_shell_is_a_usage_error(self):
        r = eco.run(["completion", "tcsh"])
        self.assertEqual(r.returncode, 2)

    def test_scripts_parse(self):
        checks = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}
        ran = 0
        for shell, cmd in checks.items():
            if shutil.which(cmd[0]) is None:
                continue
            with self.subTest(shell=shell):
                r = subprocess.run(cmd + [str(eco.ROOT / "completions" / SHELLS[shell])], capture_output=True,
                                   text=True, timeout=eco.TIMEOUT)
                self.assertEqual(r.returncode, 0, r.stderr)
                ran += 1
        self.assertGreaterEqual(ran, 1)

    def test_kubectl_complete_shim_is_executable(self):
        shim = eco.ROOT / "completions" / "kubectl_complete-microservice"
        self.assertTrue(os.access(shim, os.X_OK))
        self.assertIn('exec kubectl-microservice __complete "$@"', shim.read_text())


class WithPath(unittest.TestCase):
    """Runs shells and kubectl with a PATH holding only the binary, the shim and the system."""

    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="kms-complete-"))
        self.bin = self.tmp / "bin"
        self.bin.mkdir()
        os.symlink(os.path.abspath(eco.BIN), self.bin / "kubectl-microservice")
        shutil.copy2(eco.ROOT / "completions" / "kubectl_complete-microservice", self.bin)
        self.work = self.tmp / "work"
        (self.work / "conf").mkdir(parents=True)
        for name in ("svc.yaml", "other.yml", "notes.txt"):
            (self.work / name).write_text("x: 1\n")
        (self.tmp / "kubeconfig").write_text("")
        self.env = {"PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin", "HOME": str(self.tmp),
                    "KUBECONFIG": str(self.tmp / "kubeconfig"), "LANG": "C.UTF-8"}

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    @unittest.skipIf(shutil.which("kubectl") is None, "kubectl is not installed")
    def test_kubectl_plugin_completion(self):
        # kubectl (>= 1.26) finds kubectl_complete-microservice on PATH and relays its answer.
        r = subprocess.run(["kubectl", "__complete", "microservice", "re"], capture_output=True, text=True,
                           env=self.env, cwd=self.work, timeout=eco.TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertIn("render", [line.split("\t")[0] for line in lines])
        self.assertEqual(lines[-1], ":4")
        r = subprocess.run(["kubectl", "__complete", "microservice", "render", "-f", ""], capture_output=True,
                           text=True, env=self.env, cwd=self.work, timeout=eco.TIMEOUT)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[-1], ":8")
        self.assertEqual(sorted(lines[:-1]), ["json", "yaml", "yml"])

    @unittest.skipIf(shutil.which("fish") is None, "fish is not installed")
    def test_fish_completes_through_the_script(self):
        script = eco.ROOT / "completions" / "kubectl-microservice.fish"

        def fish_complete(line):
            r = subprocess.run(["fish", "--no-config", "-c", f"source {script}; complete -C '{line}'"],
                               capture_output=True, text=True, env=self.env, cwd=self.work, timeout=eco.TIMEOUT)
            self.assertEqual(r.returncode, 0, r.stderr)
            return [line.split("\t")[0] for line in r.stdout.splitlines()]

        self.assertIn("render", fish_complete("kubectl-microservice re"))
        self.assertIn("--filename", fish_complete("kubectl-microservice render --fi"))
        files = fish_complete("kubectl-microservice render -f ")
        self.assertIn("svc.yaml", files)
        self.assertIn("other.yml", files)
        self.assertIn("conf/", files)
        self.assertNotIn("notes.txt", files)


KUBECONFIG = """apiVersion: v1
kind: Config
current-context: fake
clusters:
- name: fake
  cluster: {{server: "{url}"}}
- name: gone
  cluster: {{server: "http://127.0.0.1:1"}}
users:
- name: alice
  user: {{token: t0k3n}}
contexts:
- name: fake
  context: {{cluster: fake, user: alice, namespace: demo}}
- name: gone
  context: {{cluster: gone, user: alice, namespace: ml}}
"""


class ClusterValues(unittest.TestCase):
    """Contexts, clusters and users from the kubeconfig; namespaces also from the cluster it names
    (the fake API server), with a short timeout when the cluster is slow or gone."""

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, str(eco.ROOT / "tests" / "fakeapi"))
        from fakeapi import FakeApiServer
        cls.srv = FakeApiServer(controller=False).start()
        body = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-x"}}).encode()
        req = urllib.request.Request(cls.srv.url + "/api/v1/namespaces", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=eco.TIMEOUT).read()
        cls.tmp = pathlib.Path(tempfile.mkdtemp(prefix="kms-cvalues-"))
        cls.kubeconfig = cls.tmp / "kubeconfig"
        cls.kubeconfig.write_text(KUBECONFIG.format(url=cls.srv.url))
        cls.env = dict(os.environ, KUBECONFIG=str(cls.kubeconfig), HOME=str(cls.tmp))

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_kubeconfig_names(self):
        self.assertEqual(complete("--context", "", env=self.env), (["fake", "gone"], 4))
        self.assertEqual(complete("--context=g", env=self.env)[0], ["--context=gone"])
        self.assertEqual(complete("--cluster", "", env=self.env)[0], ["fake", "gone"])
        self.assertEqual(complete("--user", "", env=self.env)[0], ["alice"])

    def test_an_explicit_kubeconfig_wins(self):
        other = self.tmp / "other"
        other.write_text(KUBECONFIG.replace("name: gone", "name: elsewhere").format(url=self.srv.url))
        cands, _ = complete("--kubeconfig", str(other), "--context", "", env=self.env)
        self.assertEqual(cands, ["elsewhere", "fake"])
        self.assertEqual(complete("--kubeconfig", str(self.tmp / "missing"), "--context", "", env=self.env)[0], [])

    def test_namespaces_from_the_cluster_and_the_kubeconfig(self):
        cands, directive = complete("-n", "", env=self.env)
        self.assertEqual(directive, 4)
        for ns in ("default", "kube-system", "team-x", "demo", "ml"):
            self.assertIn(ns, cands)
        self.assertEqual(complete("-n", "te", env=self.env)[0], ["team-x"])
        paths = [r["path"] for r in self.srv.requests.list()]
        self.assertTrue(any(p.startswith("/api/v1/namespaces") for p in paths), paths)

    def test_a_cluster_that_is_gone_leaves_the_kubeconfig_namespaces(self):
        start = time.monotonic()
        cands, _ = complete("--context", "gone", "-n", "", env=self.env)
        self.assertEqual(cands, ["demo", "ml"])
        self.assertLess(time.monotonic() - start, 15)

    def test_a_slow_cluster_is_not_waited_for(self):
        self.srv.latency_ms = 6000
        try:
            start = time.monotonic()
            cands, _ = complete("-n", "", env=self.env)
            elapsed = time.monotonic() - start
        finally:
            self.srv.latency_ms = 0
        self.assertEqual(cands, ["demo", "ml"])
        self.assertLess(elapsed, 5.5)


if __name__ == "__main__":
    unittest.main()
