#!/usr/bin/env python3
"""`token` against the Keycloak look-alike (keycloak-mock.mjs) on 127.0.0.1: the password grant,
Keycloak's error answers, the legacy /auth layout, the cache (permissions, no network when warm,
one refresh for parallel processes), logout, and that secrets stay out of stderr and argv.

Run: python3 tests/oidc/test_token_keycloak.py  (KMS_BIN = the built binary; scripts/setup.sh first).
"""

import concurrent.futures
import json
import os
import pty
import select
import stat
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kms_cli import Home, binary, read_json, run  # noqa: E402
from oidc_servers import KeycloakMock, jwt_parts  # noqa: E402


class KeycloakTokenTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kc = KeycloakMock(users=["alice:secret:dev", "carol:pw", "dave:pw"], realm=["test"],
                              clients=["istio", "nodg"], direct_grant_disabled=["nodg"], audience=["api"],
                              incomplete_users=["carol"], disabled_users=["dave"])
        cls.addClassCleanup(cls.kc.stop)
        cls.kc.start()

    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.cleanup)
        self.kc.reset_stats()

    def token(self, *args, password="secret", **kw):
        env = kw.pop("env", {})
        if password is not None:
            env = {"KMS_PASSWORD": password, **env}
        return run(self.home, "token", "--keycloak", self.kc.base_url, "--realm", "test", *args, env=env, **kw)

    def test_bare_token_for_command_substitution(self):
        p = self.token("--username", "alice")
        self.assertEqual(p.returncode, 0, p.stderr_text)
        lines = p.stdout_text.splitlines()
        self.assertEqual(len(lines), 1)
        _, claims = jwt_parts(lines[0])
        self.assertEqual(claims["iss"], self.kc.issuer)
        self.assertEqual(claims["azp"], "istio")  # the default client
        self.assertEqual(claims["preferred_username"], "alice")
        self.assertEqual(p.stderr_text, "")

    def test_json_output_has_expiry_and_scope(self):
        p = self.token("--username", "alice", "--scope", "openid", "-o", "json")
        self.assertEqual(p.returncode, 0, p.stderr_text)
        out = json.loads(p.stdout_text)
        self.assertEqual(out["issuer"], self.kc.issuer)
        self.assertEqual(out["client_id"], "istio")
        self.assertEqual(out["username"], "alice")
        self.assertEqual(out["scope"], "openid profile email")
        self.assertTrue(295 <= out["expires_in"] <= 300, out)
        self.assertRegex(out["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertTrue(out["refreshable"])
        self.assertNotIn("refresh_token", out)
        p = self.token("--username", "alice", "--scope", "openid", "-o", "yaml")
        self.assertEqual(p.returncode, 0, p.stderr_text)
        self.assertRegex(p.stdout_text, r"(?m)^issuer: \S+")
        self.assertIn("client_id: istio\n", p.stdout_text)
        self.assertNotIn("{", p.stdout_text)
        p = self.token("--username", "alice", "-o", "xml")
        self.assertEqual(p.returncode, 2, p.stderr_text)
        self.assertIn('unknown format "xml": use json or yaml', p.stderr_text)

    def test_a_named_profile_supplies_the_provider_and_login(self):
        self.home.write_config(f"profiles:\n  dev: {{keycloak: {self.kc.base_url}, realm: test, username: alice}}\n")
        p = run(self.home, "token", "--profile", "dev", "-o", "json", env={"KMS_PASSWORD": "secret"})
        self.assertEqual(p.returncode, 0, p.stderr_text)
        out = json.loads(p.stdout_text)
        self.assertEqual((out["issuer"], out["username"]), (self.kc.issuer, "alice"))
        # A flag overrides the profile's field: carol is not fully set up, so Keycloak refuses her.
        p = run(self.home, "token", "--profile", "dev", "--username", "carol", env={"KMS_PASSWORD": "pw"})
        self.assertEqual(p.returncode, 1, p.stderr_text)
        self.assertIn("required actions", p.stderr_text)
        p = run(self.home, "token", "--profile", "prod")
        self.assertEqual(p.returncode, 2)
        self.assertIn('flag --profile: no profile "prod" in ', p.stderr_text)
        self.assertIn("(it has dev)", p.stderr_text)

    def test_decode_shows_claims_unverified(self):
        p = self.token("--username", "alice", "--decode")
        self.assertEqual(p.returncode, 0, p.stderr_text)
        self.assertIn("NOT checked", p.stdout_text)
        self.assertIn("preferred_username: alice", p.stdout_text)
        self.assertIn("authorized party:   istio", p.stdout_text)
        self.assertIn("audience:           api", p.stdout_text)
        self.assertRegex(p.stdout_text, r"roles: .*dev")
        self.assertRegex(p.stdout_text, r"expires: +\d{4}-.*Z \(in (4m\d+s|5m)\)")
        p = self.token("--username", "alice", "--decode", "-o", "json")
        out = json.loads(p.stdout_text)
        self.assertFalse(out["verified"])
        self.assertIn("dev", out["roles"])

    def test_keycloak_errors_are_actionable(self):
        cases = [
            (("--username", "alice"), "wrong", "wrong username or password for \"alice\"", "Invalid user credentials"),
            (("--username", "carol"), "pw", "required actions", "Account is not fully set up"),
            (("--username", "dave"), "pw", "disabled", "Account disabled"),
            (("--username", "alice", "--client-id", "nodg"), "secret", "Direct Access Grants",
             "Client not allowed for direct access grants"),
            (("--username", "alice", "--client-id", "ghost"), "secret", "client \"ghost\" was refused",
             "Invalid client or Invalid client credentials"),
        ]
        for args, password, advice, verbatim in cases:
            with self.subTest(args=args):
                p = self.token(*args, password=password)
                self.assertEqual(p.returncode, 1, p.stderr_text)
                self.assertEqual(p.stdout_text, "")
                self.assertEqual(len(p.stderr_text.strip().splitlines()), 1, p.stderr_text)
                self.assertIn(advice, p.stderr_text)
                self.assertIn(verbatim, p.stderr_text)
        self.assertEqual(self.home.cache_entries(), [])

    def test_unknown_realm(self):
        p = run(self.home, "token", "--keycloak", self.kc.base_url, "--realm", "nope", "--username", "alice",
                env={"KMS_PASSWORD": "secret"})
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"realm \"nope\" does not exist at {self.kc.base_url}", p.stderr_text)

    def test_issuer_url_with_discovery(self):
        p = run(self.home, "token", "--issuer", self.kc.issuer + "/", "--username", "alice",
                env={"KMS_PASSWORD": "secret"})
        self.assertEqual(p.returncode, 0, p.stderr_text)
        self.assertEqual(self.kc.stats()["discovery_requests"], 1)

    def test_cache_permissions_and_warm_cache_without_network(self):
        p = self.token("--username", "alice")
        self.assertEqual(p.returncode, 0, p.stderr_text)
        entries = self.home.cache_entries()
        self.assertEqual(len(entries), 1)
        self.assertEqual(stat.S_IMODE(self.home.token_dir.stat().st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(entries[0].stat().st_mode), 0o600)
        self.assertNotIn("alice", entries[0].name)
        before = self.kc.stats()
        for _ in range(3):
            again = self.token("--username", "alice", password=None)  # no password needed when warm
            self.assertEqual(again.returncode, 0, again.stderr_text)
            self.assertEqual(again.stdout_text, p.stdout_text)
        self.assertEqual(self.kc.stats(), before)

    def test_cache_is_per_user_client_and_scope(self):
        a = self.token("--username", "alice")
        b = self.token("--username", "alice", "--scope", "openid")
        self.assertNotEqual(a.stdout_text, b.stdout_text)
        self.assertEqual(len(self.home.cache_entries()), 2)

    def test_config_keycloak_section(self):
        self.home.write_config(f"keycloak:\n  url: {self.kc.base_url}\n  realm: test\n  clientId: istio\n")
        p = run(self.home, "token", "--username", "alice", env={"KMS_PASSWORD": "secret"})
        self.assertEqual(p.returncode, 0, p.stderr_text)
        self.assertEqual(jwt_parts(p.stdout_text.strip())[1]["iss"], self.kc.issuer)

    def test_no_provider_is_a_usage_error(self):
        p = run(self.home, "token", "--username", "alice")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no identity provider", p.stderr_text)

    def test_password_stdin_and_missing_password(self):
        p = self.token("--username", "alice", "--password-stdin", password=None, input="secret\n")
        self.assertEqual(p.returncode, 0, p.stderr_text)
        self.home.cleanup()
        self.home = Home()
        p = self.token("--username", "alice", password=None)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--password-stdin", p.stderr_text)
        self.assertIn("$KMS_PASSWORD", p.stderr_text)

    def test_logout_revokes_and_deletes(self):
        self.token("--username", "alice")
        entry = read_json(self.home.cache_entries()[0])
        refresh_token = entry["tokens"]["refresh_token"]
        p = self.token("--username", "alice", "--logout", password=None)
        self.assertEqual(p.returncode, 0, p.stderr_text)
        self.assertIn("Logged out", p.stderr_text)
        self.assertEqual(self.home.cache_entries(), [])
        self.assertEqual(self.kc.stats()["revoke_requests"], 2)
        # The session is over at the server: the old refresh token no longer works.
        from oidc_servers import post_form
        status, _, body = post_form(self.kc.token_endpoint, {"grant_type": "refresh_token", "client_id": "istio",
                                                             "refresh_token": refresh_token})
        self.assertEqual((status, body["error"]), (400, "invalid_grant"))
        again = self.token("--username", "alice", "--logout", password=None)
        self.assertEqual(again.returncode, 0)
        self.assertIn("No cached token", again.stderr_text)

    def test_secrets_stay_out_of_stderr_even_at_v8(self):
        p = run(self.home, "-v", "8", "token", "--keycloak", self.kc.base_url, "--realm", "test", "--username",
                "alice", env={"KMS_PASSWORD": "secret-Pa55"})
        self.assertEqual(p.returncode, 1)  # wrong password for alice: the failing path logs too
        self.assertIn("POST", p.stderr_text)
        self.assertNotIn("secret-Pa55", p.stderr_text)
        p = run(self.home, "-v", "8", "token", "--keycloak", self.kc.base_url, "--realm", "test", "--username",
                "alice", env={"KMS_PASSWORD": "secret"})
        self.assertEqual(p.returncode, 0, p.stderr_text)
        token = p.stdout_text.strip()
        entry = read_json(self.home.cache_entries()[0])
        self.assertIn("POST", p.stderr_text)  # requests are logged …
        for secret in ("secret-Pa55", "password=secret", token, entry["tokens"]["refresh_token"]):
            self.assertNotIn(secret, p.stderr_text)  # … their secrets are not

    def test_password_prompt_on_a_terminal_does_not_echo(self):
        args = [binary(), "token", "--keycloak", self.kc.base_url, "--realm", "test", "--username", "alice"]
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal and stdin/stdout/stderr
            os.execve(args[0], args, self.home.env())
        seen = b""
        try:
            deadline = time.monotonic() + 30
            answered = False
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if not ready:
                    continue
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
                if not answered and b"Password for alice at " in seen:
                    os.write(fd, b"secret\n")
                    answered = True
        finally:
            _, status = os.waitpid(pid, 0)
            os.close(fd)
        text = seen.decode(errors="replace")
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, text)
        self.assertIn(f"Password for alice at {self.kc.issuer}: ", text)
        self.assertNotIn("secret", text)  # echo was off while it was typed
        self.assertEqual(jwt_parts(text.split()[-1])[1]["preferred_username"], "alice")

    def test_password_never_on_argv(self):
        p = self.token("--username", "alice", "--password", "secret")
        self.assertEqual(p.returncode, 2)  # there is no such flag


class KeycloakRefreshTest(unittest.TestCase):
    """Short-lived tokens: refresh when stale, one refresh for many parallel processes."""

    @classmethod
    def setUpClass(cls):
        cls.kc = KeycloakMock(users=["alice:secret"], realm="test", ttl=6, refresh_ttl=60)
        cls.addClassCleanup(cls.kc.stop)
        cls.kc.start()

    def setUp(self):
        self.home = Home()
        self.addCleanup(self.home.cleanup)

    def token(self, *args, **kw):
        return run(self.home, "token", "--keycloak", self.kc.base_url, "--realm", "test", "--username", "alice",
                   *args, **kw)

    def test_stale_token_is_refreshed_without_password(self):
        first = self.token(env={"KMS_PASSWORD": "secret"})
        self.assertEqual(first.returncode, 0, first.stderr_text)
        self.kc.reset_stats()
        time.sleep(3.2)  # 6 s tokens count as stale 3 s before expiry
        second = self.token()
        self.assertEqual(second.returncode, 0, second.stderr_text)
        self.assertNotEqual(first.stdout_text, second.stdout_text)
        stats = self.kc.stats()
        self.assertEqual(stats["token_requests"], {"refresh_token": 1})
        self.assertEqual(stats["discovery_requests"], 0)

    def test_parallel_processes_refresh_once(self):
        self.assertEqual(self.token(env={"KMS_PASSWORD": "secret"}).returncode, 0)
        time.sleep(3.2)
        self.kc.reset_stats()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda _: self.token(), range(8)))
        for r in results:
            self.assertEqual(r.returncode, 0, r.stderr_text)
        self.assertEqual(len({r.stdout_text for r in results}), 1)
        self.assertEqual(self.kc.stats()["token_requests"], {"refresh_token": 1})

    def test_ended_session_logs_in_again_or_says_so(self):
        self.assertEqual(self.token(env={"KMS_PASSWORD": "secret"}).returncode, 0)
        entry_path = self.home.cache_entries()[0]
        entry = read_json(entry_path)
        from oidc_servers import post_form
        post_form(self.kc.endpoint("revoke"), {"client_id": "istio", "token": entry["tokens"]["refresh_token"],
                                               "token_type_hint": "refresh_token"})
        time.sleep(3.2)
        p = self.token()
        self.assertEqual(p.returncode, 2, p.stderr_text)
        self.assertIn("has ended; logging in again", p.stderr_text)
        self.assertIn("needs the password of \"alice\"", p.stderr_text)
        p = self.token(env={"KMS_PASSWORD": "secret"})
        self.assertEqual(p.returncode, 0, p.stderr_text)


class LegacyLayoutTest(unittest.TestCase):
    def test_legacy_auth_prefix_is_found(self):
        with KeycloakMock(users={"alice": "secret"}, realm="test", legacy=True) as kc:
            home = Home()
            self.addCleanup(home.cleanup)
            p = run(home, "token", "--keycloak", kc.base_url, "--realm", "test", "--username", "alice",
                    env={"KMS_PASSWORD": "secret"})
            self.assertEqual(p.returncode, 0, p.stderr_text)
            self.assertEqual(jwt_parts(p.stdout_text.strip())[1]["iss"], f"{kc.base_url}/auth/realms/test")
            self.assertEqual(kc.stats()["discovery_requests"], 1)  # the modern path 404s before it
            before = kc.stats()
            again = run(home, "token", "--keycloak", kc.base_url, "--realm", "test", "--username", "alice")
            self.assertEqual(again.returncode, 0, again.stderr_text)
            self.assertEqual(kc.stats(), before)


if __name__ == "__main__":
    unittest.main()
