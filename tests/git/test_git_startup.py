#!/usr/bin/env python3
"""libgit2 stays out of commands that do not need it: rendering a plain local file must not load
the kms-git module or libgit2 (checked with the dynamic loader's own log, LD_DEBUG=libs), while a
git source does load them."""

import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from git_helpers import Workspace  # noqa: E402


class GitStartupTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        self.repo = self.ws.repo("app", {"service.yaml": "image: ghcr.io/acme/app:1\n"})

    def loaded(self, *args) -> str:
        p = self.ws.kms("render", *args, env={"LD_DEBUG": "libs"})
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        return "\n".join(line for line in p.stderr.splitlines() if "calling init:" in line)

    def test_plain_render_does_not_load_libgit2(self):
        svc = self.ws.root / "service.yaml"
        svc.write_text("image: ghcr.io/acme/app:1\ngit: {repo: 'https://git.example/a.git', commit: abcdef0}\n")
        inits = self.loaded("-f", str(svc))
        self.assertIn("calling init:", inits)  # the log works at all
        self.assertNotIn("libgit2", inits)
        self.assertNotIn("kms-git", inits)
        self.assertNotIn("libssh2", inits)

    def test_a_git_source_loads_it(self):
        inits = self.loaded("-f", f"file://{self.repo.bare}//service.yaml@main")
        self.assertIn("kms-git.so", inits)
        self.assertIn("libgit2", inits)


if __name__ == "__main__":
    unittest.main()
