"""Shared by the tests of tests/eco/: where the binary and the sources are, and running it."""

import os
import pathlib
import subprocess

ROOT = pathlib.Path(os.environ.get("KMS_SOURCE_DIR") or pathlib.Path(__file__).resolve().parents[2])
BUILD = pathlib.Path(os.environ.get("KMS_BUILD_DIR") or ROOT / "build")
BIN = os.environ.get("KMS_BIN") or str(BUILD / "kubectl-microservice")
TIMEOUT = 60  # seconds for one run: the machine may be busy, a hang still fails


def run(args, **kw):
    """Runs the binary with `args`; returns the CompletedProcess (text mode, output captured)."""
    kw.setdefault("timeout", TIMEOUT)
    return subprocess.run([BIN] + list(args), capture_output=True, text=True, **kw)


def verbs_from_help():
    """The visible verbs as CLI11's own --help lists them (independent of our tree walking)."""
    out = run(["--help"]).stdout
    verbs, in_list = [], False
    for line in out.splitlines():
        if line.startswith("Subcommands:"):
            in_list = True
            continue
        if in_list:
            if not line.strip():
                break
            verbs.append(line.split()[0])
    return verbs


def flags_from_help(args):
    """Every flag name (-x and --xyz) that `BIN ARGS --help` lists."""
    out = run(list(args) + ["--help"]).stdout
    names = []
    for line in out.splitlines():
        stripped = line.strip()
        if not stripped.startswith("-"):
            continue
        for name in stripped.split()[0].split(","):
            if name.startswith("-"):
                names.append(name.split("{")[0])  # "--no-prune{false}": a negated flag
    return names
