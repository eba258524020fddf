#!/usr/bin/env python3
"""Local defaults: `--git-from-cwd` and `git: {repo: .}` take origin, branch and HEAD from the
checkout, warn when the cluster cannot see local work, and convert ssh origins when asked."""

import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from git_helpers import Workspace, annotation  # noqa: E402

SSH_ORIGIN = "git@git.example:acme/app.git"


def init_env(stdout: str) -> dict:
    """GIT_* variables of the clone step, from rendered YAML."""
    out = {}
    for name in ("GIT_REPO", "GIT_BRANCH", "GIT_COMMIT"):
        marker = f"- name: {name}\n"
        if marker in stdout:
            out[name] = stdout.split(marker, 1)[1].split("\n", 1)[0].split("value: ", 1)[1].strip().strip('"')
    return out


class GitLocalTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        self.repo = self.ws.repo("app", {"deploy/service.yaml": "image: x\ngit: {repo: .}\n", "app.py": "print()\n"})

    def test_repo_dot_takes_origin_branch_and_head(self):
        p = self.ws.kms("render", "-f", str(self.repo.work / "deploy" / "service.yaml"))
        self.assertEqual(p.returncode, 0, p.stderr)
        env = init_env(p.stdout)
        self.assertEqual(env["GIT_REPO"], str(self.repo.bare))
        self.assertEqual(env["GIT_BRANCH"], "main")
        self.assertEqual(env["GIT_COMMIT"], self.repo.head())
        # origin is a path here: the cluster could not clone it, and we say so.
        self.assertIn("is a local path", p.stderr)
        self.assertNotIn("uncommitted", p.stderr)

    def test_git_from_cwd_with_ssh_origin_converted(self):
        self.repo.git("remote", "set-url", "origin", SSH_ORIGIN)
        p = self.ws.kms("render", "--image", "x", "--git-from-cwd", "--git-ssh-to-https", cwd=self.repo.work)
        self.assertEqual(p.returncode, 0, p.stderr)
        env = init_env(p.stdout)
        self.assertEqual(env["GIT_REPO"], "https://git.example/acme/app.git")
        self.assertEqual(env["GIT_COMMIT"], self.repo.head())
        self.assertEqual(annotation(p.stdout, "git-branch"), "main")
        p = self.ws.kms("render", "--image", "x", "--git-from-cwd", cwd=self.repo.work / "deploy")
        self.assertEqual(init_env(p.stdout)["GIT_REPO"], SSH_ORIGIN)

    def test_uncommitted_and_unpushed_work_is_a_warning(self):
        (self.repo.work / "app.py").write_text("print('changed')\n")
        (self.repo.work / "new.txt").write_text("x\n")
        p = self.ws.kms("render", "--image", "x", "--git-from-cwd", cwd=self.repo.work)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"warning: {self.repo.work} has 2 uncommitted changes: the cluster clones", p.stderr)
        self.repo.git("add", "-A")
        self.repo.git("commit", "-q", "-m", "local only")
        p = self.ws.kms("render", "--image", "x", "--git-from-cwd", cwd=self.repo.work)
        self.assertIn(f"warning: commit {self.repo.head()[:12]} is not on {self.repo.bare}", p.stderr)
        self.assertNotIn("uncommitted", p.stderr)
        self.repo.git("push", "-q", "origin", "main")
        p = self.ws.kms("render", "--image", "x", "--git-from-cwd", cwd=self.repo.work)
        self.assertNotIn("is not on", p.stderr)

    def test_detached_head_and_no_pin(self):
        first = self.repo.head()
        self.repo.commit({"app.py": "print(2)\n"})
        self.repo.git("checkout", "-q", "--detach", first)
        p = self.ws.kms("render", "--image", "x", "--git-from-cwd", cwd=self.repo.work)
        env = init_env(p.stdout)
        self.assertNotIn("GIT_BRANCH", env)
        self.assertEqual(env["GIT_COMMIT"], first)
        self.repo.git("checkout", "-q", "main")
        p = self.ws.kms("render", "--image", "x", "--git-from-cwd", "--no-pin", cwd=self.repo.work)
        env = init_env(p.stdout)
        self.assertEqual(env["GIT_BRANCH"], "main")
        self.assertNotIn("GIT_COMMIT", env)

    def test_no_checkout_or_no_origin_is_an_error(self):
        p = self.ws.kms("render", "--image", "x", "--git-from-cwd", cwd=self.ws.home)
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"flag --git-from-cwd: git.repo: {self.ws.home} is not inside a git checkout", p.stderr)
        self.repo.git("remote", "remove", "origin")
        p = self.ws.kms("render", "-f", str(self.repo.work / "deploy" / "service.yaml"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("has no remote \"origin\"", p.stderr)


if __name__ == "__main__":
    unittest.main()
