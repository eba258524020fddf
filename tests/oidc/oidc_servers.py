"""Start and stop the loopback OIDC test servers of tests/node/oidc/ from Python tests.

Standard library only. Each server runs `node <script> --port 0 --port-file <tmp>` in its own process
group; start() waits for the port file (bounded), stop() sends SIGTERM to the group, then SIGKILL,
and removes the temporary directory. The child also exits when our end of its stdin pipe closes, so
a test killed outright does not leave servers behind.

    with KeycloakMock(users=["alice:secret"], realm="test", ttl=300) as kc:
        status, headers, body = post_form(kc.token_endpoint, {...})

Servers: KeycloakMock (keycloak-mock.mjs), OidcProvider (provider.mjs), Echo (echo.mjs).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REQUIRED_MODULES = ("oauth2-mock-server", "oidc-provider", "jose")


class SetupError(RuntimeError):
    """The npm test dependencies are not installed."""


class ServerError(RuntimeError):
    """A server did not start, or died."""


def source_dir() -> Path:
    env = os.environ.get("KMS_SOURCE_DIR")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[2]


def node_dir() -> Path:
    return source_dir() / "tests" / "node" / "oidc"


def check_setup() -> None:
    """Raises SetupError with the fix when node or the npm packages are missing."""
    if not (os.environ.get("KMS_NODE") or shutil.which("node")):
        raise SetupError("node is not on PATH: run scripts/setup.sh first")
    nm = node_dir() / "node_modules"
    missing = [m for m in REQUIRED_MODULES if not (nm / m / "package.json").is_file()]
    if missing:
        raise SetupError(f"{nm} lacks {', '.join(missing)}: run scripts/setup.sh first")


def skip_without_setup() -> None:
    """For setUpClass: skips the class (unittest.SkipTest, with the fix) when check_setup() fails."""
    try:
        check_setup()
    except SetupError as e:
        raise unittest.SkipTest(str(e)) from e


# ---- HTTP helpers (urllib, never through a proxy: every server here is on 127.0.0.1) -------------

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: D401 - urllib API
        return None


_opener_no_redirect = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def request(method: str, url: str, data: bytes | None = None, headers: dict | None = None,
            timeout: float = 10.0, follow_redirects: bool = True):
    """Returns (status, headers, body bytes); HTTP errors are answers, not exceptions."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    opener = _opener if follow_redirects else _opener_no_redirect
    try:
        with opener.open(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read()


def get(url: str, headers: dict | None = None, timeout: float = 10.0):
    return request("GET", url, headers=headers, timeout=timeout)


def get_json(url: str, headers: dict | None = None, timeout: float = 10.0):
    status, hdrs, body = get(url, headers, timeout)
    return status, json.loads(body) if body else None


def basic_auth(client_id: str, secret: str) -> str:
    """RFC 6749 2.3.1: form-encode id and secret, then base64 them."""
    raw = f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(secret)}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


def post_form(url: str, fields: dict, headers: dict | None = None, timeout: float = 10.0):
    """POSTs an x-www-form-urlencoded body; returns (status, headers, parsed JSON or None)."""
    h = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    status, hdrs, body = request("POST", url, urllib.parse.urlencode(fields).encode(), h, timeout)
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = body
    return status, hdrs, parsed


def jwt_parts(token: str) -> tuple[dict, dict]:
    """Unverified (header, payload) of a compact JWS."""
    def dec(seg: str) -> dict:
        return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))
    h, p, _ = token.split(".")
    return dec(h), dec(p)


# ---- process management -------------------------------------------------------------------------

class NodeServer:
    script = ""
    name = "server"

    def __init__(self, args: list[str], startup_timeout: float = 15.0):
        self.args = list(args)
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.tmpdir: str | None = None
        self.returncode: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        try:
            return Path(self.tmpdir, "server.log").read_text(errors="replace") if self.tmpdir else ""
        except OSError:
            return ""

    def start(self):
        check_setup()
        node = os.environ.get("KMS_NODE") or shutil.which("node")
        self.tmpdir = tempfile.mkdtemp(prefix=f"kms-{self.name}-")
        port_file = Path(self.tmpdir, "port")
        env = {**os.environ, "KMS_OIDC_EXIT_WITH_STDIN": "1", "NODE_NO_WARNINGS": "1"}
        env.pop("NODE_OPTIONS", None)
        with open(Path(self.tmpdir, "server.log"), "wb") as log:
            self.proc = subprocess.Popen(
                [node, str(node_dir() / self.script), "--port", "0", "--port-file", str(port_file), *self.args],
                cwd=str(node_dir()), stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                env=env, start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        try:
            while True:
                if port_file.is_file():
                    text = port_file.read_text().strip()
                    if text.isdigit():
                        self.port = int(text)
                        return self
                if self.proc.poll() is not None:
                    raise ServerError(f"{self.name} exited with {self.proc.returncode} before listening:\n"
                                      f"{self.log_text()}")
                if time.monotonic() > deadline:
                    raise ServerError(f"{self.name} did not write its port file within "
                                      f"{self.startup_timeout:.0f} s:\n{self.log_text()}")
                time.sleep(0.02)
        except BaseException:
            self.stop()
            raise

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                self._signal_group(proc, signal.SIGTERM)
                self._wait_unreaped(proc, 5)
                # Anything the server spawned in its group goes too. Only while the leader is not
                # reaped: after that its pid, the group id, may belong to another test's process.
                self._signal_group(proc, signal.SIGKILL)
            proc.wait(timeout=5)
            if proc.stdin:
                try:
                    proc.stdin.close()
                except OSError:
                    pass
            self.returncode = proc.returncode
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    @staticmethod
    def _wait_unreaped(proc: subprocess.Popen, timeout: float):
        """Waits up to `timeout` for `proc` to exit, leaving it a zombie (WNOWAIT)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                    return
            except ChildProcessError:
                return
            time.sleep(0.02)

    @staticmethod
    def _signal_group(proc: subprocess.Popen, sig: int):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # Both OIDC servers share these test-only routes.
    def stats(self) -> dict:
        status, body = get_json(f"{self.base_url}/__mock/stats")
        if status != 200:
            raise ServerError(f"stats: HTTP {status}")
        return body

    def reset_stats(self) -> None:
        request("POST", f"{self.base_url}/__mock/reset", b"")

    def approve_device(self, user_code: str, username: str):
        status, _, body = post_form(f"{self.base_url}/__mock/device/approve",
                                    {"user_code": user_code, "username": username})
        if status != 200:
            raise ServerError(f"approve_device: HTTP {status} {body}")
        return body

    def deny_device(self, user_code: str):
        status, _, body = post_form(f"{self.base_url}/__mock/device/deny", {"user_code": user_code})
        if status != 200:
            raise ServerError(f"deny_device: HTTP {status} {body}")
        return body


def _many(flag: str, values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, (str, int, float)):
        values = [values]
    out: list[str] = []
    for v in values:
        out += [flag, str(v)]
    return out


def _users(users) -> list[str]:
    if users is None:
        return []
    if isinstance(users, dict):
        users = [f"{u}:{p}" for u, p in users.items()]
    return _many("--user", users)


class KeycloakMock(NodeServer):
    """keycloak-mock.mjs. users: {"alice": "secret"} or ["alice:secret:role1,role2"]."""
    script = "keycloak-mock.mjs"
    name = "keycloak-mock"

    def __init__(self, users=None, realm="test", ttl: int = 300, refresh_ttl: int | None = None,
                 legacy: bool = False, clients=None, audience=None, direct_grant_disabled=None,
                 disabled_users=None, incomplete_users=None, revoke_refresh_token: bool = False,
                 device_interval: int | None = None, device_ttl: int | None = None, extra_args=(),
                 **kw):
        self.realms = [realm] if isinstance(realm, str) else list(realm)
        self.legacy = legacy
        args = _users(users) + _many("--realm", self.realms) + ["--token-ttl", str(ttl)]
        args += _many("--refresh-ttl", refresh_ttl) + _many("--client", clients) + _many("--audience", audience)
        args += _many("--direct-grant-disabled", direct_grant_disabled) + _many("--disabled-user", disabled_users)
        args += _many("--incomplete-user", incomplete_users) + _many("--device-interval", device_interval)
        args += _many("--device-ttl", device_ttl)
        if legacy:
            args.append("--legacy")
        if revoke_refresh_token:
            args.append("--revoke-refresh-token")
        super().__init__(args + list(extra_args), **kw)

    def issuer_for(self, realm: str) -> str:
        return f"{self.base_url}{'/auth' if self.legacy else ''}/realms/{realm}"

    @property
    def issuer(self) -> str:
        return self.issuer_for(self.realms[0])

    def endpoint(self, name: str, realm: str | None = None) -> str:
        """name: token, certs, auth, userinfo, revoke, logout, token/introspect, auth/device."""
        return f"{self.issuer_for(realm or self.realms[0])}/protocol/openid-connect/{name}"

    @property
    def token_endpoint(self) -> str:
        return self.endpoint("token")

    def password_token(self, username: str, password: str, client_id: str = "istio", realm: str | None = None,
                       **extra) -> dict:
        status, _, body = post_form(self.endpoint("token", realm), {
            "grant_type": "password", "client_id": client_id, "username": username, "password": password, **extra})
        if status != 200:
            raise ServerError(f"password grant: HTTP {status} {body}")
        return body


class OidcProvider(NodeServer):
    """provider.mjs (panva/oidc-provider). Default clients: cli (public), svc / svc-post (secret svc-secret)."""
    script = "provider.mjs"
    name = "oidc-provider"

    def __init__(self, users=None, clients=None, audience: str | None = None, ttl: int | None = None,
                 refresh_ttl: int | None = None, device_interval: int | None = None,
                 device_ttl: int | None = None, issuer_path: str | None = None, extra_args=(), **kw):
        self.issuer_path = issuer_path or ""
        args = _users(users) + _many("--client", clients) + _many("--audience", audience)
        args += _many("--token-ttl", ttl) + _many("--refresh-ttl", refresh_ttl)
        args += _many("--device-interval", device_interval) + _many("--device-ttl", device_ttl)
        args += _many("--issuer-path", issuer_path)
        super().__init__(args + list(extra_args), **kw)

    @property
    def issuer(self) -> str:
        return f"{self.base_url}{self.issuer_path}"

    def discovery(self) -> dict:
        status, body = get_json(f"{self.issuer}/.well-known/openid-configuration")
        if status != 200:
            raise ServerError(f"discovery: HTTP {status}")
        return body


class Echo(NodeServer):
    """echo.mjs: Envoy-jwt_authn-like gate plus an echo backend."""
    script = "echo.mjs"
    name = "echo"

    def __init__(self, issuer: str | None = None, audience=None, clock_skew: int | None = None,
                 jwks_uri: str | None = None, claim_to_header=None, no_auth: bool = False, extra_args=(), **kw):
        args = _many("--issuer", issuer) + _many("--audience", audience) + _many("--clock-skew", clock_skew)
        args += _many("--jwks-uri", jwks_uri) + _many("--claim-to-header", claim_to_header)
        if no_auth:
            args.append("--no-auth")
        super().__init__(args + list(extra_args), **kw)

    @property
    def url(self) -> str:
        return self.base_url
