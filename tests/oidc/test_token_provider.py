#!/usr/bin/env python3
"""`token` against panva/oidc-provider (provider.mjs) on 127.0.0.1: discovery from a generic issuer,
client credentials with the secret as HTTP Basic and in the form, the device flow (including a
slow_down answer), and refresh.

Run: python3 tests/oidc/test_token_provider.py  (KMS_BIN = the built binary; scripts/setup.sh first).
"""

import base64
import json
import re
import sys
import time
import unittest
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kms_cli import Home, RecordingProxy, run, spawn, wait_for  # noqa: E402
from oidc_servers import OidcProvider, jwt_parts  # noqa: E402

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"


class ProviderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.op = OidcProvider(users=["alice:secret"], device_interval=2)
        cls.addClassCleanup(cls.op.stop)
        cls.op.start()

    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.cleanup)
        self.op.reset_stats()

    def secret_file(self, secret="svc-secret"):
        path = self.home.root / "client-secret"
        path.write_text(secret + "\n")
        path.chmod(0o600)
        return str(path)

    def test_client_credentials_basic_then_post(self):
        with RecordingProxy(self.op.issuer) as proxy:
            p = run(self.home, "token", "--issuer", proxy.url, "--client-id", "svc", "--grant", "client-credentials",
                    "--client-secret-file", self.secret_file())
            self.assertEqual(p.returncode, 0, p.stderr_text)
            self.assertEqual(jwt_parts(p.stdout_text.strip())[1]["client_id"], "svc")
            sent = proxy.token_requests()[-1]
            expected = base64.b64encode(b"svc:svc-secret").decode()
            self.assertEqual(sent["headers"].get("Authorization"), f"Basic {expected}")
            self.assertNotIn("client_secret", urllib.parse.parse_qs(sent["body"]))

            p = run(self.home, "token", "--issuer", proxy.url, "--client-id", "svc-post", "--grant",
                    "client-credentials", "--client-auth", "post", env={"KMS_CLIENT_SECRET": "svc-secret"})
            self.assertEqual(p.returncode, 0, p.stderr_text)
            sent = proxy.token_requests()[-1]
            form = urllib.parse.parse_qs(sent["body"])
            self.assertNotIn("Authorization", sent["headers"])
            self.assertEqual(form["client_secret"], ["svc-secret"])
            self.assertEqual(form["client_id"], ["svc-post"])

    def test_client_credentials_wrong_secret(self):
        p = run(self.home, "token", "--issuer", self.op.issuer, "--client-id", "svc", "--grant", "client-credentials",
                "--client-secret-file", self.secret_file("wrong-secret"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("client \"svc\" was refused", p.stderr_text)
        self.assertIn("client authentication failed", p.stderr_text)
        self.assertNotIn("wrong-secret", p.stderr_text)
        missing = run(self.home, "token", "--issuer", self.op.issuer, "--client-id", "svc", "--grant",
                      "client-credentials")
        self.assertEqual(missing.returncode, 2)
        self.assertIn("--client-secret-file", missing.stderr_text)

    def test_client_credentials_are_cached_and_requested_again_when_stale(self):
        args = ("token", "--issuer", self.op.issuer, "--client-id", "svc", "--grant", "client-credentials",
                "--client-secret-file", self.secret_file())
        a = run(self.home, *args)
        b = run(self.home, *args)
        self.assertEqual(a.stdout_text, b.stdout_text)
        self.assertEqual(self.op.stats()["token_requests"], {"client_credentials": 1})

    def test_password_and_refresh_with_generic_issuer(self):
        p = run(self.home, "token", "--issuer", self.op.issuer, "--client-id", "cli", "--username", "alice",
                "-o", "json", env={"KMS_PASSWORD": "secret"})
        self.assertEqual(p.returncode, 0, p.stderr_text)
        out = json.loads(p.stdout_text)
        self.assertTrue(out["refreshable"])
        forced = run(self.home, "token", "--issuer", self.op.issuer, "--client-id", "cli", "--username", "alice",
                     "--force-refresh")
        self.assertEqual(forced.returncode, 0, forced.stderr_text)
        self.assertNotEqual(forced.stdout_text.strip(), out["access_token"])
        self.assertEqual(self.op.stats()["token_requests"], {"password": 1, "refresh_token": 1})

    def test_device_flow_honours_slow_down(self):
        # The proxy advertises a 1 s interval while the server enforces 2 s: the second poll gets
        # slow_down, after which the client must wait 1 + 5 s.
        def faster(path, status, body):
            if path.endswith("/device/auth") and status == 200:
                doc = json.loads(body)
                doc["interval"] = 1
                return json.dumps(doc)
            return body

        with RecordingProxy(self.op.issuer, rewrite=faster) as proxy:
            proc = spawn(self.home, "token", "--issuer", proxy.url, "--client-id", "cli", "--grant", "device")
            try:
                line = proc.stderr.readline()
                match = re.search(r"open (\S+) and enter the code (\S+)", line)
                self.assertIsNotNone(match, line)
                self.assertTrue(match.group(1).startswith(proxy.url))
                wait_for(lambda: self.op.stats().get("slow_down", 0) >= 1, timeout=15)
                self.op.approve_device(match.group(2), "alice")
                out, err = proc.communicate(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
            self.assertEqual(proc.returncode, 0, err)
            self.assertEqual(jwt_parts(out.strip())[1]["sub"], "alice")
            polls = [r for r in proxy.token_requests() if DEVICE in urllib.parse.unquote_plus(r["body"])]
            stats = self.op.stats()
            self.assertEqual(stats["slow_down"], 1)
            self.assertEqual(stats["token_requests"].get(DEVICE), len(polls))

    def test_device_flow_denied(self):
        proc = spawn(self.home, "token", "--issuer", self.op.issuer, "--client-id", "cli", "--grant", "device")
        try:
            line = proc.stderr.readline()
            code = re.search(r"enter the code (\S+)", line).group(1)
            self.op.deny_device(code)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 1)
        self.assertIn("denied in the browser", err)
        self.assertEqual(self.home.cache_entries(), [])


if __name__ == "__main__":
    unittest.main()
