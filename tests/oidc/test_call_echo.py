#!/usr/bin/env python3
"""`call` against the JWT-checking echo service (echo.mjs, Envoy's error strings) with tokens from
the Keycloak look-alike, all on 127.0.0.1: the bearer token, exit codes, output formats, the
refresh-and-retry on "Jwt is expired", gateway hints, history and replay, and that no credential
reaches the history or stderr.

Run: python3 tests/oidc/test_call_echo.py  (KMS_BIN = the built binary; scripts/setup.sh first).
"""

import json
import os
import pty
import socket
import stat
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kms_cli import Home, binary, read_json, run  # noqa: E402
from oidc_servers import Echo, KeycloakMock, jwt_parts  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kc = KeycloakMock(users=["alice:secret:user"], realm=["test", "other"], audience=["api"], ttl=300)
        cls.addClassCleanup(cls.kc.stop)
        cls.kc.start()
        cls.echo = Echo(issuer=cls.kc.issuer, audience=["api"], clock_skew=0)
        cls.addClassCleanup(cls.echo.stop)
        cls.echo.start()

    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.cleanup)
        self.kc.reset_stats()

    def call(self, *args, realm="test", **kw):
        env = {"KMS_PASSWORD": "secret", **kw.pop("env", {})}
        return run(self.home, "call", *args, "--keycloak", self.kc.base_url, "--realm", realm,
                   "--username", "alice", env=env, **kw)

    def test_get_with_token_echoes_claims(self):
        p = self.call(self.echo.url, "/hello?x=1")
        self.assertEqual(p.returncode, 0, p.stderr_text)
        body = json.loads(p.stdout_text)  # not a terminal: the bytes as they came
        self.assertEqual(body["path"], "/hello")
        self.assertEqual(body["query"], {"x": "1"})
        self.assertEqual(body["claims"]["preferred_username"], "alice")
        self.assertEqual(body["headers"]["authorization"], "Bearer REDACTED")
        self.assertEqual(p.stderr_text, "")

    def test_exit_codes(self):
        cases = [("/status/200", 0), ("/status/201", 0), ("/status/302", 3), ("/status/404", 4),
                 ("/status/503", 5)]
        for path, code in cases:
            with self.subTest(path=path):
                p = self.call(self.echo.url, path)
                self.assertEqual(p.returncode, code, p.stderr_text)
        refused = self.call(f"http://127.0.0.1:{free_port()}/")
        self.assertEqual(refused.returncode, 6, refused.stderr_text)
        self.assertIn("cannot reach 127.0.0.1", refused.stderr_text)
        timeout = self.call(self.echo.url, "/slow?ms=3000", "--timeout", "300ms")
        self.assertEqual(timeout.returncode, 6, timeout.stderr_text)
        self.assertIn("timed out", timeout.stderr_text)
        usage = run(self.home, "call")
        self.assertEqual(usage.returncode, 2)

    def test_methods_headers_and_bodies(self):
        data = self.home.root / "body.json"
        data.write_text('{"n": 1}')
        p = self.call(self.echo.url, "/items", "-X", "PUT", "-H", "X-Trace: abc", "-d", f"@{data}")
        out = json.loads(p.stdout_text)
        self.assertEqual(out["method"], "PUT")
        self.assertEqual(out["headers"]["x-trace"], "abc")
        self.assertEqual(out["headers"]["content-type"], "application/json")
        self.assertEqual(out["body"], '{"n": 1}')
        p = self.call(self.echo.url, "/form", "-d", "a=1&b=2")
        out = json.loads(p.stdout_text)
        self.assertEqual(out["method"], "POST")
        self.assertEqual(out["headers"]["content-type"], "application/x-www-form-urlencoded")
        p = self.call(self.echo.url, "/stdin", "--json", "-d", "@-", input='{"from": "stdin"}')
        out = json.loads(p.stdout_text)
        self.assertEqual(out["body"], '{"from": "stdin"}')
        self.assertEqual(out["headers"]["accept"], "application/json")
        head = self.call(self.echo.url, "/status/204", "-X", "HEAD", "-i")
        self.assertEqual(head.returncode, 0, head.stderr_text)
        self.assertTrue(head.stdout_text.startswith("HTTP 204 No Content\n"), head.stdout_text)

    def test_output_formats(self):
        p = self.call(self.echo.url, "/fmt", "-o", "yaml")
        self.assertIn("method: GET\n", p.stdout_text)
        p = self.call(self.echo.url, "/yaml", "-o", "yaml")
        self.assertEqual(p.returncode, 0, p.stderr_text)
        p = self.call(self.echo.url, "/fmt", "-o", "json")
        self.assertTrue(p.stdout_text.startswith("{\n  \""), p.stdout_text[:40])
        p = self.call(self.echo.url, "/fmt", "-i")
        self.assertRegex(p.stdout_text, r"^HTTP 200 OK\n(?:[^\n]+\n)*[Cc]ontent-[Tt]ype: application/json")
        p = self.call(self.echo.url, "/large?size=100", "-o", "json")
        self.assertEqual(p.returncode, 1)
        self.assertIn("not JSON", p.stderr_text)

    def test_max_body_and_binary(self):
        p = self.call(self.echo.url, "/large?size=20000", "--max-body", "10k")
        self.assertEqual(p.returncode, 1)
        self.assertIn("larger than --max-body", p.stderr_text)
        p = self.call(self.echo.url, "/binary?size=300")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, bytes(i & 0xFF for i in range(300)))

    def run_on_tty(self, *args):
        """Runs call with stdout on a pseudo-terminal; returns (exit code, what the terminal showed)."""
        master, slave = pty.openpty()
        env = self.home.env(KMS_PASSWORD="secret")
        proc = subprocess.Popen([binary(), "call", *args, "--keycloak", self.kc.base_url, "--realm", "test",
                                 "--username", "alice"], stdin=subprocess.DEVNULL, stdout=slave,
                                stderr=subprocess.PIPE, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(master)
        _, err = proc.communicate(timeout=30)
        return proc.returncode, b"".join(chunks).decode(errors="replace").replace("\r\n", "\n"), err.decode()

    def test_terminal_gets_pretty_json_and_no_binary(self):
        code, shown, _ = self.run_on_tty(self.echo.url, "/pretty")
        self.assertEqual(code, 0)
        self.assertTrue(shown.startswith("{\n  \"method\": \"GET\""), shown[:60])
        code, shown, err = self.run_on_tty(self.echo.url, "/binary")
        self.assertEqual(code, 1)
        self.assertEqual(shown, "")
        self.assertIn("-o raw", err)

    def test_expired_token_is_refreshed_once_and_retried(self):
        with KeycloakMock(users=["alice:secret"], realm="test", ttl=2, audience=["api"]) as kc, \
                Echo(issuer=kc.issuer, audience=["api"], clock_skew=0) as echo:
            args = ("call", echo.url, "/r", "--keycloak", kc.base_url, "--realm", "test", "--username", "alice")
            first = run(self.home, *args, env={"KMS_PASSWORD": "secret"})
            self.assertEqual(first.returncode, 0, first.stderr_text)
            # The cache believes the token has an hour left (a clock the gateway disagrees with).
            path = self.home.cache_entries()[0]
            entry = read_json(path)
            entry["tokens"]["expires_at"] = int(time.time()) + 3600
            path.write_text(json.dumps(entry))
            # The gateway compares whole seconds: wait until `now > exp` holds there too.
            exp = jwt_parts(entry["tokens"]["access_token"])[1]["exp"]
            time.sleep(max(0.0, exp + 1.2 - time.time()))
            kc.reset_stats()
            p = run(self.home, *args, "-v", "1")
            self.assertEqual(p.returncode, 0, p.stderr_text)
            self.assertIn("refreshed it and retried", p.stderr_text)
            self.assertEqual(kc.stats()["token_requests"], {"refresh_token": 1})
            self.assertNotEqual(read_json(path)["tokens"]["access_token"], entry["tokens"]["access_token"])

    def test_gateway_errors_become_hints(self):
        missing = run(self.home, "call", self.echo.url, "/x")
        self.assertEqual(missing.returncode, 4)
        self.assertIn("HTTP 401 Unauthorized", missing.stderr_text)
        self.assertIn("hint: the gateway wants a bearer token", missing.stderr_text)
        wrong_realm = self.call(self.echo.url, "/x", realm="other")
        self.assertEqual(wrong_realm.returncode, 4)
        self.assertIn("Jwt issuer is not configured", wrong_realm.stdout_text)
        self.assertIn("byte for byte", wrong_realm.stderr_text)
        with Echo(issuer=self.kc.issuer, audience=["billing"], clock_skew=0) as picky:
            aud = self.call(picky.url, "/x")
            self.assertEqual(aud.returncode, 4)
            self.assertIn("HTTP 403", aud.stderr_text)
            self.assertIn("audience", aud.stderr_text)

    def test_verbose_logs_carry_no_secret(self):
        p = self.call(self.echo.url, "/v", "-v", "8", "-d", '{"x": 1}', env={"KMS_PASSWORD": "secret-Pa55"})
        self.assertEqual(p.returncode, 1, p.stderr_text)  # alice's password is "secret"
        self.assertNotIn("secret-Pa55", p.stderr_text)
        p = self.call(self.echo.url, "/v", "-v", "8")
        self.assertEqual(p.returncode, 0, p.stderr_text)
        token = read_json(self.home.cache_entries()[0])["tokens"]
        self.assertIn("POST", p.stderr_text)  # the login was logged …
        self.assertIn("GET", p.stderr_text)  # … and the call
        for secret in ("password=secret", token["access_token"], token["refresh_token"]):
            self.assertNotIn(secret, p.stderr_text)

    def test_history_and_replay_without_credentials(self):
        token_holder = {}
        p = self.call(self.echo.url, "/first?q=1", "-d", '{"k": 1}', "--save-body")
        self.assertEqual(p.returncode, 0, p.stderr_text)
        p = self.call(self.echo.url, "/status/404?access_token=leak", "-H", "Cookie: c=1", "-H", "X-Keep: yes")
        self.assertEqual(p.returncode, 4)
        p = self.call(self.echo.url, "/nobody", "-d", "unsaved")
        token_holder["at"] = read_json(self.home.cache_entries()[0])["tokens"]["access_token"]
        self.assertEqual(stat.S_IMODE(self.home.history_file.stat().st_mode), 0o600)
        text = self.home.history_file.read_text()
        for secret in (token_holder["at"], "leak", "c=1", "secret"):
            self.assertNotIn(secret, text)
        lines = [json.loads(line) for line in text.splitlines()]
        self.assertEqual([e["status"] for e in lines], [200, 404, 200])
        self.assertEqual(lines[0]["request_body"], '{"k": 1}')
        self.assertNotIn("request_body", lines[1])
        self.assertIn(["X-Keep", "yes"], lines[1]["headers"])

        listing = run(self.home, "call", "--history")
        self.assertEqual(listing.returncode, 0)
        self.assertRegex(listing.stdout_text, r"(?m)^   1  \S+  POST   http://127\.0\.0\.1:\d+/first\?q=1  200")
        self.assertRegex(listing.stdout_text, r"(?m)^   2  .*/status/404\?access_token=REDACTED  404  ")

        self.kc.reset_stats()
        replay = run(self.home, "call", "--replay", "1")
        self.assertEqual(replay.returncode, 0, replay.stderr_text)
        out = json.loads(replay.stdout_text)
        self.assertEqual(out["method"], "POST")
        self.assertEqual(out["body"], '{"k": 1}')
        self.assertEqual(out["claims"]["preferred_username"], "alice")  # token re-attached from the cache
        self.assertEqual(self.kc.stats()["total_token_requests"], 0)
        newest = run(self.home, "call", "--replay", "-2")  # the newest before the replay itself: /nobody
        self.assertEqual(newest.returncode, 2)
        self.assertIn("was not saved", newest.stderr_text)
        none = run(self.home, "call", "--replay", "99")
        self.assertEqual(none.returncode, 2)


if __name__ == "__main__":
    unittest.main()
