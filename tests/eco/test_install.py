#!/usr/bin/env python3
"""`cmake --install BUILD --prefix TMP` puts the binary, the kubectl completion shim, the modules,
the man pages and the shell completions where their tools look, and the installed binary works
from there: it renders, and it loads its modules from TMP/lib/kubectl-microservice."""

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


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = pathlib.Path(tempfile.mkdtemp(prefix="kms-install-"))
        r = subprocess.run(["cmake", "--install", str(eco.BUILD), "--prefix", str(cls.prefix)], capture_output=True,
                           text=True, timeout=300)
        if r.returncode != 0:
            raise AssertionError(f"cmake --install failed: {r.stderr}")
        # Nothing from the build tree or the caller's environment may help the installed binary.
        cls.env = {k: v for k, v in os.environ.items() if k != "KMS_MODULE_DIR"}
        cls.env["PATH"] = f"{cls.prefix / 'bin'}:/usr/bin:/bin"
        cls.env["HOME"] = str(cls.prefix)
        cls.env["XDG_CACHE_HOME"] = str(cls.prefix / "cache")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prefix, ignore_errors=True)

    def run_installed(self, *args, **kw):
        return subprocess.run([str(self.prefix / "bin" / "kubectl-microservice")] + list(args), capture_output=True,
                              text=True, env=kw.pop("env", self.env), timeout=eco.TIMEOUT, cwd=self.prefix, **kw)

    def test_the_tree(self):
        p = self.prefix
        for exe in ("bin/kubectl-microservice", "bin/kubectl_complete-microservice"):
            self.assertTrue(os.access(p / exe, os.X_OK), exe)
        self.assertTrue((p / "share/bash-completion/completions/kubectl-microservice").is_file())
        self.assertTrue((p / "share/zsh/site-functions/_kubectl-microservice").is_file())
        self.assertTrue((p / "share/fish/vendor_completions.d/kubectl-microservice.fish").is_file())
        man1 = {f.name for f in (p / "share/man/man1").iterdir()}
        self.assertIn("kubectl-microservice.1", man1)
        for verb in eco.verbs_from_help():
            self.assertIn(f"kubectl-microservice-{verb}.1", man1)
        self.assertTrue((p / "share/man/man5/kubectl-microservice-service.yaml.5").is_file())
        schema = p / "share/kubectl-microservice/service.schema.json"
        self.assertEqual(schema.read_text(), self.run_installed("schema").stdout)
        self.assertTrue((p / "share/doc/kubectl-microservice/LICENSE").is_file())
        built = sorted(f.name for f in (eco.BUILD / "modules").glob("*.so"))
        self.assertTrue(built, "the build has no modules")
        installed = sorted(f.name for f in (p / "lib/kubectl-microservice").glob("*.so"))
        self.assertEqual(installed, built)

    def test_the_installed_binary_runs_and_renders(self):
        r = self.run_installed("version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("kubectl-microservice version "))
        r = self.run_installed("render", "--name", "web", "--image", "nginx:1.27")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("kind: Deployment", r.stdout)

    def test_modules_load_from_the_install_tree(self):
        # A git source loads kms-git; the repository does not exist, so the run fails cleanly
        # after the module is loaded (the error comes from inside the module).
        env = dict(self.env, LD_DEBUG="files")
        missing = self.prefix / "no-such-repo"
        r = self.run_installed("render", "-f", f"git+file://{missing}//service.yaml", env=env)
        errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
        self.assertIn(r.returncode, (1, 2), errors)
        self.assertEqual(len(errors), 1, errors)
        self.assertNotIn("cannot find the kms-git module", errors[0])
        loaded = set(re.findall(r"file=(\S*/kms-git\.so) \[0\];  dynamically loaded", r.stderr))
        self.assertEqual({os.path.realpath(p) for p in loaded},
                         {os.path.realpath(self.prefix / "lib/kubectl-microservice/kms-git.so")})

    def test_the_installed_shim_and_pages(self):
        r = subprocess.run(["kubectl_complete-microservice", "ren"], capture_output=True, text=True, env=self.env,
                           timeout=eco.TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("render\t"), r.stdout)
        if shutil.which("man"):
            r = subprocess.run(["man", "-M", str(self.prefix / "share/man"), "5", "kubectl-microservice-service.yaml"],
                               capture_output=True, text=True, env=dict(self.env, MANPAGER="cat"),
                               timeout=eco.TIMEOUT)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("workingDir", r.stdout)


if __name__ == "__main__":
    unittest.main()
