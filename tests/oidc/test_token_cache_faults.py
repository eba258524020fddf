#!/usr/bin/env python3
"""The token cache after a crash (issue 9): `token` killed with SIGKILL at random moments of a
refresh never leaves a damaged entry (writes are a rename of a complete temporary file); an entry
damaged some other way, or a temporary file a killed writer left behind, is a cache miss the next
run repairs — never an error.

Run: python3 tests/oidc/test_token_cache_faults.py  (KMS_BIN = the built binary; scripts/setup.sh first).
"""

import json
import random
import signal
import stat
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kms_cli import Home, run, spawn  # noqa: E402
from oidc_servers import KeycloakMock, skip_without_setup  # noqa: E402


class TokenCacheFaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        skip_without_setup()
        cls.kc = KeycloakMock(users=["alice:secret"], realm="test", ttl=300)
        cls.addClassCleanup(cls.kc.stop)
        cls.kc.start()

    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.cleanup)
        self.args = ["token", "--keycloak", self.kc.base_url, "--realm", "test", "--username", "alice"]
        self.env = {"KMS_PASSWORD": "secret"}

    def token(self, *extra):
        p = run(self.home, *self.args, *extra, env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr_text)
        self.assertEqual(p.stderr_text, "")
        return p.stdout_text.strip()

    def entry(self):
        entries = self.home.cache_entries()
        self.assertEqual(len(entries), 1, entries)
        return entries[0]

    def assert_sound(self):
        """Every file in the cache directory is a complete entry (or a lock), 0600."""
        for p in self.home.token_dir.iterdir():
            self.assertEqual(stat.S_IMODE(p.stat().st_mode), 0o600, p)
            if p.suffix == ".json":
                self.assertEqual(json.loads(p.read_text())["tokens"]["access_token"].count("."), 2, p)
            else:
                self.assertEqual(p.suffix, ".lock", "a leftover: %s" % p.name)

    def test_killed_refreshes_never_leave_a_damaged_entry(self):
        self.token()
        rng = random.Random(9)
        for _ in range(10):
            proc = spawn(self.home, *self.args, "--force-refresh", env=self.env)
            time.sleep(rng.uniform(0.0, 0.4))
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
            # A killed writer may leave its temporary file; the entry itself is always whole.
            json.loads(self.entry().read_text())
        self.token()
        self.assertEqual(len(self.home.cache_entries()), 1)

    def test_a_damaged_entry_is_a_miss_the_next_run_repairs(self):
        first = self.token()
        path = self.entry()
        for damage in (path.read_text()[:40], "", "\x00\xff garbage", "[]", '{"format": 1}'):
            with self.subTest(damage=damage[:12]):
                path.write_text(damage)
                self.kc.reset_stats()
                token = self.token()
                self.assertEqual(token.count("."), 2)
                self.assert_sound()
        self.assertNotEqual(first, "")

    def test_a_temporary_file_left_by_a_killed_writer_is_harmless(self):
        self.token()
        path = self.entry()
        stale = path.with_name(path.name + ".tmp.999999.0")
        stale.write_text('{"half": ')
        stale.chmod(0o600)
        self.token("--force-refresh")
        json.loads(path.read_text())


if __name__ == "__main__":
    unittest.main()
