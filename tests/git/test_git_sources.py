#!/usr/bin/env python3
"""Services read from real repositories served by git daemon (127.0.0.1) and file://: refs resolve
to commits, a new commit is picked up, tags and commits work, the spec and the files it references
come from the same commit, `git:` is filled and pinned (or not, with --no-pin)."""

import json
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from git_helpers import GitDaemon, Workspace, annotation  # noqa: E402

SERVICE = "image: ghcr.io/acme/app:1\nrun: {script: start.sh}\n"


def deployment(stdout: str) -> dict:
    for item in json.loads(stdout)["items"]:
        if item["kind"] == "Deployment":
            return item
    raise AssertionError("no Deployment rendered")


def clone_env(dep: dict) -> dict:
    init = dep["spec"]["template"]["spec"]["initContainers"][0]
    return {e["name"]: e["value"] for e in init["env"]}


class GitSourceTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        self.repo = self.ws.repo("app", {"deploy/service.yaml": SERVICE, "start.sh": "echo hi\n"})
        self.daemon = GitDaemon(self.ws.srv).__enter__()
        self.addCleanup(self.daemon.__exit__)
        self.url = self.daemon.url("app.git")

    def render(self, *args, ok=True):
        p = self.ws.kms("-v", "1", "render", "-o", "json", *args)
        if ok:
            self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def test_branch_resolves_to_its_commit_and_fills_git(self):
        p = self.render("-f", f"git+{self.url}//deploy/service.yaml@main")
        dep = deployment(p.stdout)
        self.assertEqual(dep["metadata"]["name"], "app")
        env = clone_env(dep)
        self.assertEqual(env["GIT_REPO"], self.url)
        self.assertEqual(env["GIT_BRANCH"], "main")
        self.assertEqual(env["GIT_COMMIT"], self.repo.head())
        self.assertIn(f"git: {self.url} branch main is commit {self.repo.head()}", p.stderr)

    def test_a_new_commit_is_picked_up_on_re_resolve(self):
        first = self.repo.head()
        self.render("-f", f"git+{self.url}//deploy/service.yaml@main")
        second = self.repo.commit({"deploy/service.yaml": SERVICE.replace(":1", ":2")})
        self.assertNotEqual(first, second)
        dep = deployment(self.render("-f", f"git+{self.url}//deploy/service.yaml@main").stdout)
        self.assertEqual(clone_env(dep)["GIT_COMMIT"], second)
        self.assertEqual(dep["spec"]["template"]["spec"]["containers"][0]["image"], "ghcr.io/acme/app:2")

    def test_tags_and_abbreviated_commits(self):
        tagged = self.repo.head()
        self.repo.git("tag", "-a", "v1.0", "-m", "release")
        self.repo.git("push", "-q", "origin", "v1.0")
        self.repo.commit({"deploy/service.yaml": SERVICE.replace(":1", ":2")})
        dep = deployment(self.render("-f", f"git+{self.url}//deploy/service.yaml@v1.0").stdout)
        self.assertEqual(clone_env(dep)["GIT_COMMIT"], tagged)  # the annotated tag, peeled
        self.assertNotIn("GIT_BRANCH", clone_env(dep))
        self.assertEqual(dep["spec"]["template"]["spec"]["containers"][0]["image"], "ghcr.io/acme/app:1")
        dep = deployment(self.render("-f", f"git+{self.url}//deploy/service.yaml@{tagged[:9]}").stdout)
        self.assertEqual(clone_env(dep)["GIT_COMMIT"], tagged)

    def test_default_branch_when_no_ref(self):
        p = self.ws.kms("render", "-f", f"git+{self.url}//deploy/service.yaml")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(annotation(p.stdout, "git-branch"), "main")
        self.assertEqual(annotation(p.stdout, "git-commit"), self.repo.head())

    def test_no_pin_keeps_the_branch(self):
        p = self.ws.kms("render", "--no-pin", "-f", f"git+{self.url}//deploy/service.yaml@main")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(annotation(p.stdout, "git-branch"), "main")
        self.assertIsNone(annotation(p.stdout, "git-commit"))

    def test_long_form_reads_the_spec_at_the_branch(self):
        self.repo.git("checkout", "-q", "-b", "dev")
        dev = self.repo.commit({"deploy/service.yaml": SERVICE.replace(":1", ":dev")})
        p = self.render("--git-repo", self.url, "--branch", "dev", "--spec", "deploy/service.yaml")
        dep = deployment(p.stdout)
        self.assertEqual(dep["spec"]["template"]["spec"]["containers"][0]["image"], "ghcr.io/acme/app:dev")
        self.assertEqual(clone_env(dep)["GIT_COMMIT"], dev)
        self.assertEqual(clone_env(dep)["GIT_BRANCH"], "dev")
        main = self.repo.head("main")
        p = self.render("--git-repo", self.url, "--commit", main, "--spec", "deploy/service.yaml")
        self.assertEqual(deployment(p.stdout)["spec"]["template"]["spec"]["containers"][0]["image"],
                         "ghcr.io/acme/app:1")

    def test_a_local_file_naming_a_branch_is_pinned_at_render(self):
        svc = self.ws.root / "service.yaml"
        svc.write_text(f"image: x\ngit: {{repo: '{self.url}', branch: main}}\n")
        p = self.ws.kms("render", "-f", str(svc))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(annotation(p.stdout, "git-commit"), self.repo.head())
        p = self.ws.kms("render", "--no-pin", "-f", str(svc))
        self.assertIsNone(annotation(p.stdout, "git-commit"))

    def pipelines_are_read(self) -> bool:
        """Whether this build loads run.pipeline files (a missing one is then an error)."""
        svc = self.ws.root / "probe.yaml"
        svc.write_text("image: x\nrun: {pipeline: missing.yaml}\n")
        return self.ws.kms("render", "-f", str(svc)).returncode != 0

    def test_pipeline_file_is_read_from_the_same_commit(self):
        if not self.pipelines_are_read():
            self.skipTest("this build does not read run.pipeline files yet")
        self.repo.commit({
            "deploy/service.yaml": "image: x\nrun: {pipeline: pipeline.yaml}\n",
            "deploy/pipeline.yaml": "pipeline:\n  name: old\n  tasks:\n  - {name: a, type: bash script, bash_script_path: a.sh}\n",
        })
        pinned = self.repo.head()
        self.repo.commit({"deploy/pipeline.yaml": "pipeline:\n  name: new\n  tasks:\n  - {name: b, type: bash script, bash_script_path: b.sh}\n"})
        p = self.ws.kms("render", "-o", "json", "-f", f"git+{self.url}//deploy/service.yaml@{pinned}")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("a.sh", p.stdout)
        self.assertNotIn("b.sh", p.stdout)

    def test_file_urls_without_a_server(self):
        for prefix in ("file://", "git+file://"):
            p = self.ws.kms("render", "-f", f"{prefix}{self.repo.bare}//deploy/service.yaml@main")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(annotation(p.stdout, "git-commit"), self.repo.head())

    def test_a_directory_of_the_repository(self):
        self.repo.commit({"svcs/a.yaml": "name: a\nimage: x\n", "svcs/b.yaml": "name: b\nimage: y\n"})
        p = self.ws.kms("render", "-o", "json", "-f", f"git+{self.url}//svcs@main")
        self.assertEqual(p.returncode, 0, p.stderr)
        names = {i["metadata"]["name"] for i in json.loads(p.stdout)["items"] if i["kind"] == "Deployment"}
        self.assertEqual(names, {"a", "b"})


if __name__ == "__main__":
    unittest.main()
