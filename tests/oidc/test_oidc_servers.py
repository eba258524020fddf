#!/usr/bin/env python3
"""Proves the loopback OIDC servers of tests/node/oidc/ behave like Keycloak, a generic OIDC issuer
and Envoy's jwt_authn, so the C++ `token` and `call` tests can rely on them.

Run: python3 tests/oidc/test_oidc_servers.py  (needs scripts/setup.sh to have run `npm ci`).
Loopback only; every server is stopped and its temp dir removed, whatever happens.
"""

import os
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oidc_servers as srv  # noqa: E402
from oidc_servers import Echo, KeycloakMock, OidcProvider, get, get_json, jwt_parts, post_form  # noqa: E402

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
KC = "/protocol/openid-connect"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class _Servers(unittest.TestCase):
    servers = []

    @classmethod
    def start(cls, server):
        cls.addClassCleanup(server.stop)
        return server.start()


class KeycloakMockTest(_Servers):
    @classmethod
    def setUpClass(cls):
        cls.kc = cls.start(KeycloakMock(
            users=["alice:secret:dev,ops", "bob:pw", "carol:pw", "dave:pw"], realm=["test", "other"],
            clients=["istio", "svc:s3cr3t", "nodg"], direct_grant_disabled=["nodg"], audience=["api"],
            incomplete_users=["carol"], disabled_users=["dave"], device_interval=1))
        cls.legacy = cls.start(KeycloakMock(users={"alice": "secret"}, realm="test", legacy=True))

    def token(self, **fields):
        return post_form(self.kc.token_endpoint, fields)

    # --- discovery ---
    def test_discovery_modern_layout(self):
        iss = f"http://127.0.0.1:{self.kc.port}/realms/test"
        status, doc = get_json(f"{iss}/.well-known/openid-configuration")
        self.assertEqual(status, 200)
        self.assertEqual(doc["issuer"], iss)
        self.assertEqual(doc["token_endpoint"], f"{iss}{KC}/token")
        self.assertEqual(doc["jwks_uri"], f"{iss}{KC}/certs")
        self.assertEqual(doc["revocation_endpoint"], f"{iss}{KC}/revoke")
        self.assertEqual(doc["end_session_endpoint"], f"{iss}{KC}/logout")
        self.assertEqual(doc["device_authorization_endpoint"], f"{iss}{KC}/auth/device")
        self.assertIn("client_secret_basic", doc["token_endpoint_auth_methods_supported"])
        status, jwks = get_json(doc["jwks_uri"])
        self.assertEqual(status, 200)
        self.assertEqual(jwks["keys"][0]["kty"], "RSA")
        self.assertNotIn("d", jwks["keys"][0])

    def test_discovery_legacy_layout(self):
        iss = f"http://127.0.0.1:{self.legacy.port}/auth/realms/test"
        self.assertEqual(self.legacy.issuer, iss)
        status, doc = get_json(f"{iss}/.well-known/openid-configuration")
        self.assertEqual(status, 200)
        self.assertEqual(doc["issuer"], iss)
        self.assertEqual(doc["token_endpoint"], f"{iss}{KC}/token")
        tok = self.legacy.password_token("alice", "secret")
        self.assertEqual(jwt_parts(tok["access_token"])[1]["iss"], iss)
        # The modern path does not exist on a legacy server.
        status, _, _ = get(f"http://127.0.0.1:{self.legacy.port}/realms/test/.well-known/openid-configuration")
        self.assertEqual(status, 404)

    def test_unknown_realm(self):
        base = f"{self.kc.base_url}/realms/nope"
        status, body = get_json(f"{base}/.well-known/openid-configuration")
        self.assertEqual((status, body), (404, {"error": "Realm does not exist"}))
        status, _, body = post_form(f"{base}{KC}/token", {"grant_type": "password", "client_id": "istio"})
        self.assertEqual((status, body), (404, {"error": "Realm does not exist"}))

    # --- password grant ---
    def test_password_grant_ok(self):
        status, headers, body = self.token(grant_type="password", client_id="istio", username="alice",
                                           password="secret", scope="openid")
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["Cache-Control"], "no-store")
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 300)
        self.assertEqual(body["refresh_expires_in"], 1800)
        self.assertEqual(body["scope"], "openid profile email")
        for k in ("refresh_token", "id_token", "session_state", "not-before-policy"):
            self.assertIn(k, body)
        head, claims = jwt_parts(body["access_token"])
        self.assertEqual(head["alg"], "RS256")
        self.assertEqual(claims["iss"], self.kc.issuer)
        self.assertEqual(claims["aud"], "api")
        self.assertEqual(claims["azp"], "istio")
        self.assertEqual(claims["typ"], "Bearer")
        self.assertEqual(claims["preferred_username"], "alice")
        self.assertEqual(claims["exp"] - claims["iat"], 300)
        self.assertEqual(claims["sid"], body["session_state"])
        self.assertEqual(set(claims["realm_access"]["roles"]),
                         {"default-roles-test", "offline_access", "uma_authorization", "dev", "ops"})
        self.assertEqual(jwt_parts(body["refresh_token"])[1]["typ"], "Refresh")
        self.assertEqual(jwt_parts(body["id_token"])[1]["aud"], "istio")
        # Without scope=openid there is no id_token, as in Keycloak.
        _, _, body = self.token(grant_type="password", client_id="istio", username="alice", password="secret")
        self.assertNotIn("id_token", body)
        self.assertEqual(body["scope"], "profile email")

    def test_password_grant_errors(self):
        cases = [
            (dict(username="alice", password="wrong"), 401,
             {"error": "invalid_grant", "error_description": "Invalid user credentials"}),
            (dict(username="nobody", password="x"), 401,
             {"error": "invalid_grant", "error_description": "Invalid user credentials"}),
            (dict(password="x"), 401,
             {"error": "invalid_request", "error_description": "Missing parameter: username"}),
            (dict(username="carol", password="pw"), 400,
             {"error": "invalid_grant", "error_description": "Account is not fully set up"}),
            (dict(username="dave", password="pw"), 400,
             {"error": "invalid_grant", "error_description": "Account disabled"}),
            (dict(username="alice", password="secret", client_id="nodg"), 400,
             {"error": "unauthorized_client", "error_description": "Client not allowed for direct access grants"}),
            (dict(username="alice", password="secret", client_id="ghost"), 401,
             {"error": "invalid_client", "error_description": "Invalid client or Invalid client credentials"}),
            (dict(username="alice", password="secret", client_id="svc", client_secret="bad"), 401,
             {"error": "unauthorized_client", "error_description": "Invalid client or Invalid client credentials"}),
            (dict(username="alice", password="secret", scope="nonsense"), 400,
             {"error": "invalid_scope", "error_description": "Invalid scopes: nonsense"}),
        ]
        for fields, want_status, want_body in cases:
            with self.subTest(fields=fields):
                form = {"grant_type": "password", "client_id": "istio", **fields}
                status, _, body = self.token(**form)
                self.assertEqual((status, body), (want_status, want_body))
        status, _, body = self.token(client_id="istio")
        self.assertEqual((status, body), (400, {"error": "invalid_request",
                                                "error_description": "Missing form parameter: grant_type"}))
        status, _, body = self.token(grant_type="magic", client_id="istio")
        self.assertEqual((status, body), (400, {"error": "unsupported_grant_type",
                                                "error_description": "Unsupported grant_type"}))

    # --- refresh, logout, revocation ---
    def test_refresh_grant(self):
        first = self.kc.password_token("bob", "pw")
        status, _, body = self.token(grant_type="refresh_token", client_id="istio",
                                     refresh_token=first["refresh_token"])
        self.assertEqual(status, 200, body)
        a, b = jwt_parts(first["access_token"])[1], jwt_parts(body["access_token"])[1]
        self.assertEqual(b["preferred_username"], "bob")
        self.assertEqual(a["sid"], b["sid"])
        self.assertNotEqual(a["jti"], b["jti"])
        self.assertIn("refresh_token", body)
        status, _, body = self.token(grant_type="refresh_token", client_id="istio", refresh_token="garbage")
        self.assertEqual((status, body), (400, {"error": "invalid_grant", "error_description": "Invalid refresh token"}))
        status, _, body = self.token(grant_type="refresh_token", client_id="istio")
        self.assertEqual((status, body), (400, {"error": "invalid_request", "error_description": "No refresh token"}))

    def test_logout_and_revoke_end_the_session(self):
        for how in ("logout", "revoke"):
            with self.subTest(how=how):
                rt = self.kc.password_token("bob", "pw")["refresh_token"]
                field = "refresh_token" if how == "logout" else "token"
                status, _, _ = post_form(self.kc.endpoint(how), {"client_id": "istio", field: rt})
                self.assertEqual(status, 204 if how == "logout" else 200)
                status, _, body = self.token(grant_type="refresh_token", client_id="istio", refresh_token=rt)
                self.assertEqual((status, body),
                                 (400, {"error": "invalid_grant", "error_description": "Session not active"}))

    # --- client credentials ---
    def test_client_credentials(self):
        ep = self.kc.token_endpoint
        for how, fields, headers in (
                ("basic", {"grant_type": "client_credentials"}, {"Authorization": srv.basic_auth("svc", "s3cr3t")}),
                ("post", {"grant_type": "client_credentials", "client_id": "svc", "client_secret": "s3cr3t"}, {})):
            with self.subTest(how=how):
                status, _, body = post_form(ep, fields, headers)
                self.assertEqual(status, 200, body)
                self.assertNotIn("refresh_token", body)
                self.assertEqual(body["refresh_expires_in"], 0)
                claims = jwt_parts(body["access_token"])[1]
                self.assertEqual(claims["preferred_username"], "service-account-svc")
                self.assertEqual(claims["azp"], "svc")
        status, _, body = post_form(ep, {"grant_type": "client_credentials", "client_id": "istio"})
        self.assertEqual((status, body), (401, {
            "error": "unauthorized_client", "error_description": "Public client not allowed to retrieve service account"}))

    # --- request counter ---
    def test_stats_count_token_requests(self):
        self.kc.reset_stats()
        self.kc.password_token("alice", "secret")
        self.token(grant_type="password", client_id="istio", username="alice", password="wrong")
        stats = self.kc.stats()
        self.assertEqual(stats["token_requests"], {"password": 2})
        self.assertEqual(stats["token_responses"], {"200": 1, "401": 1})
        self.assertEqual(stats["total_token_requests"], 2)
        get(f"{self.kc.issuer}/.well-known/openid-configuration")
        self.assertEqual(self.kc.stats()["total_token_requests"], 2)  # discovery is not a token request

    # --- device grant, Keycloak flavour ---
    def test_device_flow_keycloak(self):
        status, _, d = post_form(self.kc.endpoint("auth/device"), {"client_id": "istio", "scope": "openid"})
        self.assertEqual(status, 200, d)
        self.assertEqual(d["interval"], 1)
        self.assertEqual(d["verification_uri"], f"{self.kc.issuer}/device")
        poll = {"grant_type": DEVICE, "client_id": "istio", "device_code": d["device_code"]}
        self.assertEqual(self.token(**poll)[2], {
            "error": "authorization_pending", "error_description": "The authorization request is still pending"})
        self.assertEqual(self.token(**poll)[2], {"error": "slow_down", "error_description": "Slow down"})
        self.kc.approve_device(d["user_code"], "alice")
        time.sleep(1.05)
        status, _, body = self.token(**poll)
        self.assertEqual(status, 200, body)
        self.assertEqual(jwt_parts(body["access_token"])[1]["preferred_username"], "alice")
        self.assertIn("id_token", body)
        self.assertEqual(self.token(**poll)[2], {"error": "invalid_grant", "error_description": "Device code not valid"})


class EchoTest(_Servers):
    """echo.mjs in front of the Keycloak mock, with Envoy's rejection bodies."""

    @classmethod
    def setUpClass(cls):
        cls.kc = cls.start(KeycloakMock(users={"alice": "secret"}, realm=["test", "other"], audience=["api"]))
        cls.echo = cls.start(Echo(issuer=cls.kc.issuer, audience=["api"], clock_skew=0,
                                  claim_to_header=["preferred_username:x-user"]))
        cls.echo_other_aud = cls.start(Echo(issuer=cls.kc.issuer, audience=["billing"], clock_skew=0))
        cls.plain = cls.start(Echo(no_auth=True))
        cls.tok = cls.kc.password_token("alice", "secret")["access_token"]

    def assertRejected(self, echo, headers, status, message):
        st, hdrs, body = get(f"{echo.url}/anything", headers)
        self.assertEqual((st, body.decode()), (status, message))
        self.assertTrue(hdrs["WWW-Authenticate"].startswith('Bearer realm="http://127.0.0.1:'))

    def test_accepts_fresh_token_and_echoes(self):
        status, _, body = srv.request("POST", f"{self.echo.url}/v1/items?a=1&b=2&b=3", b'{"x": 1}',
                                      {**bearer(self.tok), "Content-Type": "application/json", "X-Trace": "t1"})
        self.assertEqual(status, 200, body)
        import json
        out = json.loads(body)
        self.assertEqual(out["method"], "POST")
        self.assertEqual(out["path"], "/v1/items")
        self.assertEqual(out["query"], {"a": "1", "b": ["2", "3"]})
        self.assertEqual(out["body"], '{"x": 1}')
        self.assertEqual(out["headers"]["authorization"], "Bearer REDACTED")
        self.assertEqual(out["headers"]["x-trace"], "t1")
        self.assertEqual(out["headers"]["x-user"], "alice")
        self.assertEqual(out["claims"]["preferred_username"], "alice")
        self.assertEqual(out["claims"]["aud"], "api")
        self.assertNotIn(self.tok, body.decode())

    def test_rejections_use_envoy_strings(self):
        self.assertRejected(self.echo, {}, 401, "Jwt is missing")
        self.assertRejected(self.echo, {"Authorization": "Basic Zm9vOmJhcg=="}, 401, "Jwt is missing")
        self.assertRejected(self.echo, bearer("not-a-jwt"), 401,
                            "Jwt is not in the form of Header.Payload.Signature")
        self.assertRejected(self.echo_other_aud, bearer(self.tok), 403, "Audiences in Jwt are not allowed")
        other = self.kc.password_token("alice", "secret", realm="other")["access_token"]
        self.assertRejected(self.echo, bearer(other), 401, "Jwt issuer is not configured")
        # Same header and claims, another token's signature: the key matches, the signature does not.
        again = self.kc.password_token("alice", "secret")["access_token"]
        forged = ".".join(self.tok.split(".")[:2] + again.split(".")[2:])
        self.assertRejected(self.echo, bearer(forged), 401, "Jwt verification fails")

    def test_backend_routes(self):
        h = bearer(self.tok)
        status, hdrs, body = get(f"{self.echo.url}/yaml", h)
        self.assertEqual((status, hdrs["Content-Type"]), (200, "application/yaml"))
        self.assertTrue(body.startswith(b"apiVersion: v1\n"))
        status, hdrs, body = get(f"{self.plain.url}/binary?size=300")
        self.assertEqual((status, hdrs["Content-Type"], len(body)), (200, "application/octet-stream", 300))
        self.assertEqual(body[:3] + body[255:258], bytes([0, 1, 2, 255, 0, 1]))
        status, _, body = get(f"{self.plain.url}/large?size=3000000")
        self.assertEqual((status, len(body)), (200, 3000000))
        status, _, body = get(f"{self.echo.url}/status/500", h)
        self.assertEqual((status, body), (500, b'{"status":500,"message":"Internal Server Error"}'))
        t0 = time.monotonic()
        status, _, _ = get(f"{self.plain.url}/slow?ms=300")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.29)
        with self.assertRaises(OSError):  # a client timeout shorter than the delay fails
            get(f"{self.plain.url}/slow?ms=2000", timeout=0.3)


class ExpiryTest(_Servers):
    """Short lifetimes: access token expiry at the gateway, refresh, refresh-token expiry."""

    @classmethod
    def setUpClass(cls):
        cls.kc = cls.start(KeycloakMock(users={"alice": "secret"}, ttl=2, refresh_ttl=5, audience=["api"]))
        cls.echo = cls.start(Echo(issuer=cls.kc.issuer, audience=["api"], clock_skew=0))

    def test_expiry(self):
        tok = self.kc.password_token("alice", "secret")
        at = tok["access_token"]
        claims = jwt_parts(at)[1]
        rt_exp = jwt_parts(tok["refresh_token"])[1]["exp"]
        self.assertEqual((tok["expires_in"], tok["refresh_expires_in"]), (2, 5))
        self.assertEqual(get(f"{self.echo.url}/x", bearer(at))[0], 200)
        time.sleep(max(0.0, claims["exp"] + 1.05 - time.time()))  # Envoy: expired once now > exp + skew
        st, _, body = get(f"{self.echo.url}/x", bearer(at))
        self.assertEqual((st, body), (401, b"Jwt is expired"))
        # The refresh token outlives the access token: a refresh gives a token the gateway accepts.
        status, _, body = post_form(self.kc.token_endpoint, {
            "grant_type": "refresh_token", "client_id": "istio", "refresh_token": tok["refresh_token"]})
        self.assertEqual(status, 200, body)
        self.assertEqual(get(f"{self.echo.url}/x", bearer(body["access_token"]))[0], 200)
        time.sleep(max(0.0, rt_exp + 0.05 - time.time()))
        status, _, body = post_form(self.kc.token_endpoint, {
            "grant_type": "refresh_token", "client_id": "istio", "refresh_token": tok["refresh_token"]})
        self.assertEqual((status, body), (400, {"error": "invalid_grant", "error_description": "Token is not active"}))


class RefreshRotationTest(_Servers):
    """--revoke-refresh-token: Keycloak's "Revoke Refresh Token" with max reuse 0."""

    @classmethod
    def setUpClass(cls):
        cls.kc = cls.start(KeycloakMock(users={"alice": "secret"}, revoke_refresh_token=True))

    def refresh(self, rt):
        return post_form(self.kc.token_endpoint, {"grant_type": "refresh_token", "client_id": "istio",
                                                  "refresh_token": rt})

    def test_used_refresh_tokens_die(self):
        rt1 = self.kc.password_token("alice", "secret")["refresh_token"]
        status, _, body = self.refresh(rt1)
        self.assertEqual(status, 200, body)
        rt2 = body["refresh_token"]
        self.assertEqual(self.refresh(rt1)[2], {
            "error": "invalid_grant", "error_description": "Maximum allowed refresh token reuse exceeded"})
        self.assertEqual(self.refresh(rt2)[0], 200)
        self.assertEqual(self.refresh(rt1)[2], {"error": "invalid_grant", "error_description": "Stale token"})


class OidcProviderTest(_Servers):
    @classmethod
    def setUpClass(cls):
        cls.op = cls.start(OidcProvider(device_interval=1, audience="api"))
        cls.doc = cls.op.discovery()
        cls.echo = cls.start(Echo(issuer=cls.op.issuer, audience=["api"], clock_skew=0))

    def test_discovery(self):
        self.assertEqual(self.doc["issuer"], self.op.issuer)
        self.assertEqual(self.doc["device_authorization_endpoint"], f"{self.op.issuer}/device/auth")
        self.assertIn(DEVICE, self.doc["grant_types_supported"])
        self.assertIn("client_credentials", self.doc["grant_types_supported"])

    def test_client_credentials_basic_and_post(self):
        ep = self.doc["token_endpoint"]
        for how, fields, headers in (
                ("client_secret_basic", {"grant_type": "client_credentials"},
                 {"Authorization": srv.basic_auth("svc", "svc-secret")}),
                ("client_secret_post", {"grant_type": "client_credentials", "client_id": "svc-post",
                                        "client_secret": "svc-secret"}, {})):
            with self.subTest(how=how):
                status, _, body = post_form(ep, fields, headers)
                self.assertEqual(status, 200, body)
                self.assertEqual(body["token_type"], "Bearer")
                head, claims = jwt_parts(body["access_token"])
                self.assertEqual(head["typ"], "at+jwt")
                self.assertEqual((claims["iss"], claims["aud"]), (self.op.issuer, "api"))
                self.assertEqual(get(f"{self.echo.url}/x", bearer(body["access_token"]))[0], 200)
        status, _, body = post_form(ep, {"grant_type": "client_credentials"},
                                    {"Authorization": srv.basic_auth("svc", "wrong")})
        self.assertEqual((status, body["error"]), (401, "invalid_client"))

    def test_device_flow_with_slow_down_and_refresh(self):
        self.op.reset_stats()
        status, _, d = post_form(self.doc["device_authorization_endpoint"],
                                 {"client_id": "cli", "scope": "openid offline_access"})
        self.assertEqual(status, 200, d)
        self.assertEqual(d["interval"], 1)
        for k in ("device_code", "user_code", "verification_uri", "verification_uri_complete", "expires_in"):
            self.assertIn(k, d)
        poll = {"grant_type": DEVICE, "client_id": "cli", "device_code": d["device_code"]}
        ep = self.doc["token_endpoint"]
        status, _, body = post_form(ep, poll)
        self.assertEqual((status, body["error"]), (400, "authorization_pending"))
        status, _, body = post_form(ep, poll)  # immediately again: too fast
        self.assertEqual((status, body["error"]), (400, "slow_down"))
        self.op.approve_device(d["user_code"], "alice")
        time.sleep(1.05)
        status, _, body = post_form(ep, poll)
        self.assertEqual(status, 200, body)
        claims = jwt_parts(body["access_token"])[1]
        self.assertEqual((claims["sub"], claims["preferred_username"], claims["aud"]), ("alice", "alice", "api"))
        self.assertIn("refresh_token", body)
        status, _, again = post_form(ep, {"grant_type": "refresh_token", "client_id": "cli",
                                          "refresh_token": body["refresh_token"]})
        self.assertEqual(status, 200, again)
        self.assertEqual(jwt_parts(again["access_token"])[1]["sub"], "alice")
        stats = self.op.stats()
        self.assertEqual(stats["slow_down"], 1)
        self.assertEqual(stats["token_requests"], {DEVICE: 3, "refresh_token": 1})

    def test_device_flow_denied(self):
        _, _, d = post_form(self.doc["device_authorization_endpoint"], {"client_id": "cli", "scope": "openid"})
        self.op.deny_device(d["user_code"])
        status, _, body = post_form(self.doc["token_endpoint"],
                                    {"grant_type": DEVICE, "client_id": "cli", "device_code": d["device_code"]})
        self.assertEqual((status, body["error"]), (400, "access_denied"))


class LifecycleTest(unittest.TestCase):
    def test_stop_kills_process_group_and_removes_temp_dir(self):
        kc = KeycloakMock(users={"alice": "secret"})
        with kc:
            pid, tmp = kc.proc.pid, kc.tmpdir
            self.assertTrue(os.path.isdir(tmp))
        self.assertEqual(kc.returncode, 0)  # SIGTERM is a clean exit
        self.assertFalse(os.path.exists(tmp))
        with self.assertRaises(ProcessLookupError):
            os.kill(pid, 0)

    def test_bad_flag_fails_fast_with_its_output(self):
        with self.assertRaises(srv.ServerError) as cm:
            KeycloakMock(users=["no-colon"]).start()
        self.assertIn("bad --user", str(cm.exception))


if __name__ == "__main__":
    try:
        srv.check_setup()
    except srv.SetupError as e:
        sys.exit(f"test_oidc_servers: {e}")
    unittest.main(verbosity=2)
