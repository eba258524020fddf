"""A shell on a pseudo-terminal, driven the way a user types: the completion tests use it to press
TAB for real and read back the completed line or the listing."""

import os
import pathlib
import pty
import re
import select
import shutil
import subprocess
import tempfile
import time

STEP_TIMEOUT = 30  # seconds to wait for the shell to answer one step


def completion_workspace(shell, binary):
    """(tmp, work, env) for a completion test: `binary` on PATH as kubectl-microservice, a work
    directory with two service files, a text file and a sub-directory, no kubeconfig, and tmp as
    HOME (and ZDOTDIR, so zsh reads no dot files of the user's)."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=f"kms-{shell}-"))
    bindir = tmp / "bin"
    bindir.mkdir()
    os.symlink(os.path.abspath(binary), bindir / "kubectl-microservice")
    work = tmp / "work"
    (work / "conf").mkdir(parents=True)
    for name in ("svc.yaml", "other.yml", "notes.txt"):
        (work / name).write_text("x: 1\n")
    env = {"PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp), "TERM": "dumb", "PS1": "$ ",
           "INPUTRC": "/dev/null", "LANG": "C.UTF-8", "KUBECONFIG": str(tmp / "none"), "ZDOTDIR": str(tmp)}
    return tmp, work, env


class PtyShell:
    """An interactive shell (`argv`) on a pseudo-terminal; `setup` is run first. Works for bash
    (readline) and zsh (zle, emacs keys): Ctrl-A / Ctrl-E / Ctrl-U mean the same in both."""

    def __init__(self, argv, cwd, env, setup):
        self.name = argv[0]
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
                                     start_new_session=True)
        os.close(slave)
        self.out = b""
        self.counter = 0
        self.command(setup)

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
                raise AssertionError(f"{self.name} did not answer; output so far: {self.out[start:]!r}")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:
                    raise AssertionError(f"{self.name} exited; output: {self.out[start:]!r}")

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
        """What the shell lists after typing `typed` and pressing TAB (several matches)."""
        self.counter += 1
        mark = f"LIST{self.counter}"
        self.send(typed + "\t")
        time.sleep(0.5)
        # Ctrl-U drops the typed line; the marker tells where the listing ends.
        self.send(f"\x15echo {mark[:4]}''{mark[4:]}\n")
        shown = self.read_until(rb"(?m)^" + mark.encode() + rb"\r?$").decode(errors="replace")
        return set(shown.split())


class CompletionShell(PtyShell):
    """An interactive shell (`argv`, argv[0] names it) in its own completion_workspace (.tmp,
    removed by close()) with `binary` on PATH; `setup` is run first, "{script}" in it standing for
    completions/kubectl-microservice.<shell> under `root`."""

    def __init__(self, argv, binary, root, setup):
        shell = argv[0]
        self.tmp, work, env = completion_workspace(shell, binary)
        script = pathlib.Path(root) / "completions" / f"kubectl-microservice.{shell}"
        try:
            super().__init__(argv, work, env, setup.format(script=script))
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def close(self):
        super().close()
        shutil.rmtree(self.tmp, ignore_errors=True)
