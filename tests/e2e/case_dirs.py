"""Shared by test_golden.py and test_bad_inputs.py: one case directory → one run of the binary.

A case directory holds its input files, an optional `args` file (one argument per line; blank lines
and lines starting with '#' are skipped), an optional `config.yaml` (the user config, given to the
binary as KMS_CONFIG) and an optional `stdin` file. Each run happens in a fresh temporary copy of
the case directory named like the case, so a name derived from the current directory equals the
case name and nothing the binary writes can land in the source tree.
"""

import hashlib
import os
import pathlib
import shutil
import subprocess
import tempfile

ROOT = pathlib.Path(os.environ.get("KMS_SOURCE_DIR") or pathlib.Path(__file__).resolve().parents[2])
BIN = os.environ.get("KMS_BIN") or str(ROOT / "build" / "kubectl-microservice")
RUN_TIMEOUT = 30  # seconds; a render takes milliseconds, so this only stops a hang

# Files of a case directory that describe the run rather than being its input.
CONTROL_FILES = {"args", "stdin", "expected", "expected.yaml", "expected.stderr", "exit_code", "README", "http.json"}


def read_args(case_dir, default):
    """The arguments in `case_dir/args`, or `default` when the case has no args file."""
    path = case_dir / "args"
    if not path.exists():
        return list(default)
    lines = path.read_text().splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def case_dirs(parent):
    """Every case directory under `parent`, sorted by name."""
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if p.is_dir() and not p.name.startswith("."))


def snapshot(directory):
    """Relative path → sha256 of every file under `directory` (hidden files included)."""
    out = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() or path.is_symlink():
            out[str(path.relative_to(directory))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            out[str(path.relative_to(directory)) + "/"] = "dir"
    return out


class CaseRun:
    """The result of running the binary once in a copy of a case directory."""

    def __init__(self, returncode, stdout, stderr, before, after):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.files_before = before
        self.files_after = after


def run_case(case_dir, args):
    """Runs `BIN args…` in a temporary copy of `case_dir`; returns a CaseRun (bytes output)."""
    with tempfile.TemporaryDirectory(prefix="kms-case-") as tmp:
        work = pathlib.Path(tmp) / case_dir.name
        shutil.copytree(case_dir, work, symlinks=True)
        env = dict(os.environ)
        config = work / "config.yaml"
        # Relative, so messages that name the config are the same in every copy; a path that cannot
        # exist keeps the developer's own config out of the run.
        env["KMS_CONFIG"] = "config.yaml" if config.exists() else str(pathlib.Path(tmp) / "no-such-config.yaml")
        for var in ("XDG_CONFIG_HOME", "KUBECONFIG"):
            env.pop(var, None)
        env["HOME"] = tmp
        stdin_path = work / "stdin"
        stdin = stdin_path.read_bytes() if stdin_path.exists() else b""
        before = snapshot(work)
        proc = subprocess.run([BIN, *args], cwd=work, input=stdin, capture_output=True, env=env,
                              timeout=RUN_TIMEOUT)
        after = snapshot(work)
        return CaseRun(proc.returncode, proc.stdout, proc.stderr, before, after)
