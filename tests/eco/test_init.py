#!/usr/bin/env python3
"""`init`: the scaffolds it writes pass `validate` as they are (each template, with and without
--from-git), start.sh has seed 000's shape and runs, nothing is overwritten without --force (and a
refusal writes nothing), and bad input is a usage error."""

import os
import pathlib
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import eco  # noqa: E402


class Init(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="kms-init-"))
        self.env = dict(os.environ, HOME=str(self.tmp), XDG_CACHE_HOME=str(self.tmp / "cache"),
                        KMS_CONFIG=str(self.tmp / "no-config.yaml"), GIT_CONFIG_NOSYSTEM="1")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def kms(self, *args, cwd=None):
        return eco.run(list(args), cwd=cwd or self.tmp, env=self.env)

    def validate(self, directory, service="service.yaml"):
        r = self.kms("validate", "-f", service, cwd=directory)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_shell_template(self):
        r = self.kms("init", "hello-svc")
        self.assertEqual(r.returncode, 0, r.stderr)
        d = self.tmp / "hello-svc"
        self.assertEqual(sorted(p.name for p in d.iterdir()), ["service.yaml", "start.sh"])
        self.assertIn("wrote hello-svc/service.yaml", r.stdout)
        text = (d / "service.yaml").read_text()
        self.assertIn("name: hello-svc\n", text)  # from the directory
        self.assertIn("script: start.sh", text)
        self.assertTrue((d / "start.sh").stat().st_mode & stat.S_IXUSR)
        self.assertIn("hello-svc: valid", self.validate(d).stdout)

    def test_start_sh_runs_from_anywhere(self):
        self.assertEqual(self.kms("init", "--name", "app", "svc").returncode, 0)
        d = self.tmp / "svc"
        (d / "app.py").write_text("import os\nprint('running in', os.getcwd())\n")
        r = subprocess.run(["bash", str(d / "start.sh")], capture_output=True, text=True, cwd=self.tmp,
                           timeout=eco.TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), f"running in {d.resolve()}")

    def test_pipeline_template(self):
        r = self.kms("init", "--template", "pipeline", "--name", "etl", "p")
        self.assertEqual(r.returncode, 0, r.stderr)
        d = self.tmp / "p"
        self.assertEqual(sorted(p.name for p in d.iterdir()), ["pipeline.yaml", "service.yaml"])
        self.validate(d)
        rendered = self.kms("render", "-f", "service.yaml", cwd=d)
        self.assertEqual(rendered.returncode, 0, rendered.stderr)

    def test_command_template(self):
        r = self.kms("init", "--template", "command", "--name", "api", "c")
        self.assertEqual(r.returncode, 0, r.stderr)
        d = self.tmp / "c"
        self.assertEqual([p.name for p in d.iterdir()], ["service.yaml"])
        self.validate(d)
        rendered = self.kms("render", "-f", "service.yaml", "-o", "json", cwd=d)
        self.assertIn('"http.server"', rendered.stdout)

    def test_refuses_to_overwrite_and_writes_nothing(self):
        d = self.tmp / "x"
        d.mkdir()
        (d / "start.sh").write_text("mine\n")
        r = self.kms("init", "x")
        self.assertEqual(r.returncode, 1)
        self.assertIn("x/start.sh already exists: use --force", r.stderr)
        self.assertEqual([p.name for p in d.iterdir()], ["start.sh"])  # service.yaml not written either
        self.assertEqual((d / "start.sh").read_text(), "mine\n")
        r = self.kms("init", "--force", "x")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("set -e", (d / "start.sh").read_text())

    def test_usage_errors(self):
        self.assertEqual(self.kms("init", "--name", "Bad_Name", "y").returncode, 2)
        self.assertEqual(self.kms("init", "--template", "docker", "y").returncode, 2)
        self.assertFalse((self.tmp / "y").exists())

    @unittest.skipIf(shutil.which("git") is None, "git is not installed")
    def test_from_git(self):
        def git(*args, cwd):
            subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c",
                            "init.defaultBranch=main"] + list(args), cwd=cwd, check=True, capture_output=True,
                           env=self.env, timeout=eco.TIMEOUT)

        bare = self.tmp / "shop.git"
        git("init", "--bare", str(bare), cwd=self.tmp)
        work = self.tmp / "checkout"
        git("init", str(work), cwd=self.tmp)
        (work / "README").write_text("x\n")
        git("add", "README", cwd=work)
        git("commit", "-m", "first", cwd=work)
        git("checkout", "-b", "dev", cwd=work)
        git("remote", "add", "origin", bare.as_uri(), cwd=work)
        git("push", "origin", "dev", cwd=work)
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, capture_output=True, text=True,
                              check=True).stdout.strip()

        r = self.kms("init", "--from-git", "svc", cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("local path", r.stderr)  # a cluster could not clone a file:// origin
        text = (work / "svc" / "service.yaml").read_text()
        self.assertIn("name: shop\n", text)  # from the repository's name
        self.assertIn(f"  repo: {bare.as_uri()}\n", text)
        self.assertIn("  branch: dev", text)
        self.assertIn(f"# commit: {head}", text)
        self.validate(work / "svc")

        r = self.kms("init", "--from-git", "elsewhere")
        self.assertEqual(r.returncode, 2)
        self.assertIn("not inside a git checkout", r.stderr)
        self.assertFalse((self.tmp / "elsewhere").exists())


if __name__ == "__main__":
    unittest.main()
