#!/usr/bin/env python3
"""Real bash completion: an interactive bash in a pseudo-terminal sources
completions/kubectl-microservice.bash, and TAB is pressed the way a user does. A unique match is
read back by turning the completed line into `echo @@<line>@@` (Ctrl-A, type, Ctrl-E, Enter); a
list of matches is read from what readline prints (show-all-if-ambiguous)."""

import os
import pathlib
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import eco  # noqa: E402

STEP_TIMEOUT = 30  # seconds to wait for bash to answer one step


class BashSession:
    def __init__(self, cwd, env):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(["bash", "--norc", "--noprofile", "-i"], stdin=slave, stdout=slave,
                                     stderr=slave, cwd=cwd, env=env, start_new_session=True)
        os.close(slave)
        self.out = b""
        self.counter = 0
        script = eco.ROOT / "completions" / "kubectl-microservice.bash"
        self.command(f"source {script}; bind 'set show-all-if-ambiguous on'; bind 'set bell-style none'; "
                     "bind 'set completion-query-items 10000'; bind 'set page-completions off'")

    def close(self):
        self.proc.kill()
        self.proc.wait(timeout=STEP_TIMEOUT)
        os.close(self.master)

    def send(self, text):
        os.write(self.master, text.encode())

    def read_until(self, pattern):
        """Reads until `pattern` (a bytes regex) matches the output since the last call."""
        start = len(self.out)
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            m = re.search(pattern, self.out[start:])
            if m:
                return self.out[start:start + m.end()]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"bash did not answer; output so far: {self.out[start:]!r}")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:
                    raise AssertionError(f"bash exited; output: {self.out[start:]!r}")

    def command(self, line):
        """Runs `line` and waits until it has finished."""
        self.counter += 1
        mark = f"DONE{self.counter}"
        self.send(f"{line}; echo {mark[:2]}''{mark[2:]}\n")
        self.read_until(rb"(?m)^" + mark.encode() + rb"\r?$")

    def complete_line(self, typed):
        """The command line after typing `typed` and pressing TAB once."""
        self.send(typed + "\t")
        time.sleep(0.2)
        self.send("\x01echo @@\x05@@\n")
        found = self.read_until(rb"(?m)^@@(.*)@@\r?$")
        return re.search(rb"(?m)^@@(.*)@@\r?$", found).group(1).decode()

    def listing(self, typed):
        """What readline shows after typing `typed` and pressing TAB (several matches)."""
        self.counter += 1
        mark = f"LIST{self.counter}"
        self.send(typed + "\t")
        time.sleep(0.5)
        # Ctrl-U drops the typed line; the marker tells where the listing ends.
        self.send(f"\x15echo {mark[:4]}''{mark[4:]}\n")
        shown = self.read_until(rb"(?m)^" + mark.encode() + rb"\r?$").decode(errors="replace")
        return set(shown.split())


@unittest.skipIf(shutil.which("bash") is None, "bash is not installed")
class BashTab(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = pathlib.Path(tempfile.mkdtemp(prefix="kms-bash-"))
        bindir = cls.tmp / "bin"
        bindir.mkdir()
        os.symlink(os.path.abspath(eco.BIN), bindir / "kubectl-microservice")
        work = cls.tmp / "work"
        (work / "conf").mkdir(parents=True)
        for name in ("svc.yaml", "other.yml", "notes.txt"):
            (work / name).write_text("x: 1\n")
        env = {"PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin", "HOME": str(cls.tmp), "TERM": "dumb",
               "PS1": "$ ", "INPUTRC": "/dev/null", "LANG": "C.UTF-8", "KUBECONFIG": str(cls.tmp / "none")}
        cls.bash = BashSession(work, env)

    @classmethod
    def tearDownClass(cls):
        cls.bash.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_the_function_is_registered(self):
        self.bash.command("complete -p kubectl-microservice > registered.txt")
        text = (self.tmp / "work" / "registered.txt").read_text()
        (self.tmp / "work" / "registered.txt").unlink()
        self.assertIn("-F _kubectl_microservice kubectl-microservice", text)

    def test_a_verb(self):
        self.assertEqual(self.bash.complete_line("kubectl-microservice ren"), "kubectl-microservice render ")

    def test_all_verbs(self):
        shown = self.bash.listing("kubectl-microservice ")
        for verb in eco.verbs_from_help():
            self.assertIn(verb, shown)
        self.assertNotIn("__complete", shown)

    def test_a_flag(self):
        self.assertEqual(self.bash.complete_line("kubectl-microservice render --filen"),
                         "kubectl-microservice render --filename ")

    def test_flag_values(self):
        self.assertEqual(self.bash.complete_line("kubectl-microservice render -o js"),
                         "kubectl-microservice render -o json ")
        # bash cuts words at '='; the script must still hand back the right piece.
        self.assertEqual(self.bash.complete_line("kubectl-microservice render --output=ya"),
                         "kubectl-microservice render --output=yaml ")
        self.assertEqual(self.bash.complete_line("kubectl-microservice completion z"),
                         "kubectl-microservice completion zsh ")

    def test_filename_completes_yaml_files_and_directories(self):
        self.assertEqual(self.bash.complete_line("kubectl-microservice render -f sv"),
                         "kubectl-microservice render -f svc.yaml ")
        shown = self.bash.listing("kubectl-microservice validate -f ")
        self.assertIn("svc.yaml", shown)
        self.assertIn("other.yml", shown)
        self.assertIn("conf/", shown)
        self.assertNotIn("notes.txt", shown)

    def test_other_values_fall_back_to_files(self):
        shown = self.bash.listing("kubectl-microservice render --image ")
        self.assertIn("notes.txt", shown)


if __name__ == "__main__":
    unittest.main()
