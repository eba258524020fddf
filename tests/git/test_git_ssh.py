#!/usr/bin/env python3
"""git over ssh against a real sshd on 127.0.0.1 (a random port, its own host key and
authorized_keys in a temporary directory): key authentication, and the host key checked against
known_hosts — unknown and changed keys are refused with the fingerprint, never silently trusted."""

import getpass
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from git_helpers import Workspace, annotation, free_port, wait_port  # noqa: E402

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def keygen(path: pathlib.Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


def fingerprint(pub: pathlib.Path) -> str:
    return subprocess.run(["ssh-keygen", "-lf", str(pub)], check=True, capture_output=True,
                          text=True).stdout.split()[1]


@unittest.skipUnless(os.path.exists(SSHD) and shutil.which("ssh-keygen"), "needs openssh-server (scripts/setup.sh)")
class GitSshTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        self.repo = self.ws.repo("app", {"service.yaml": "image: ghcr.io/acme/app:1\n"})
        d = self.ws.root / "sshd"
        d.mkdir()
        self.host_pub = d / "host.pub"
        host_key = keygen(d / "host")
        self.client_key = self.ws.root / "client"
        client_pub = keygen(self.client_key)
        (d / "authorized_keys").write_text(client_pub + "\n")
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation directory
        self.port = free_port()
        config = d / "sshd_config"
        config.write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {d / 'host'}", f"PidFile {d / 'pid'}",
            f"AuthorizedKeysFile {d / 'authorized_keys'}", "StrictModes no", "UsePAM no",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
            f"AllowUsers {getpass.getuser()}", "LogLevel ERROR", ""]))
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        self.addCleanup(self.stop)
        wait_port(self.port)
        self.known = self.ws.root / "known_hosts"
        self.known.write_text(f"[127.0.0.1]:{self.port} {host_key}\n")
        self.url = f"ssh://{getpass.getuser()}@127.0.0.1:{self.port}{self.repo.bare}"

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)

    def render(self, *extra):
        return self.ws.kms("render", "--git-timeout", "20s", *extra, "-f", f"git+{self.url}//service.yaml@main")

    def test_key_and_known_host(self):
        p = self.render("--git-ssh-key", str(self.client_key), "--git-known-hosts", str(self.known))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(annotation(p.stdout, "git-commit"), self.repo.head())
        # ~/.ssh/known_hosts is the default.
        (self.ws.home / ".ssh").mkdir()
        shutil.copy(self.known, self.ws.home / ".ssh" / "known_hosts")
        p = self.render("--git-ssh-key", str(self.client_key))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_unknown_host_is_refused_with_its_fingerprint(self):
        empty = self.ws.root / "empty_known_hosts"
        empty.write_text("")
        p = self.render("--git-ssh-key", str(self.client_key), "--git-known-hosts", str(empty))
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"the ssh host [127.0.0.1]:{self.port} is not a known host (key "
                      f"{fingerprint(self.host_pub)}", p.stderr)
        self.assertIn(f"ssh-keyscan -p {self.port} 127.0.0.1", p.stderr)

    def test_changed_host_key_is_refused(self):
        other = keygen(self.ws.root / "impostor")
        self.known.write_text(f"[127.0.0.1]:{self.port} {other}\n")
        p = self.render("--git-ssh-key", str(self.client_key), "--git-known-hosts", str(self.known))
        self.assertEqual(p.returncode, 1)
        self.assertIn("does not match the one in", p.stderr)
        self.assertIn("someone may be intercepting", p.stderr)

    def test_a_key_the_server_refuses_is_named(self):
        wrong = self.ws.root / "wrong"
        keygen(wrong)
        p = self.render("--git-ssh-key", str(wrong), "--git-known-hosts", str(self.known))
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"authentication failed for {self.url} (tried: ssh key {wrong} as {getpass.getuser()})",
                      p.stderr)
        p = self.render("--git-known-hosts", str(self.known))  # no agent, no ~/.ssh/id_*
        self.assertIn("tried: no ssh key", p.stderr)


if __name__ == "__main__":
    unittest.main()
