"""Running the built binary in the `token` and `call` end-to-end tests.

Standard library only. Every run gets private XDG and HOME directories (the real ~/.cache and
~/.config are never touched), no proxy variables, and a time limit. RecordingProxy is a loopback
HTTP forwarder that records what the binary sent and can rewrite answers.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socketserver
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

RUN_TIMEOUT = 60


def binary() -> str:
    path = os.environ.get("KMS_BIN")
    if not path:
        build = Path(os.environ.get("KMS_BUILD_DIR", Path(__file__).resolve().parents[2] / "build"))
        path = str(build / "kubectl-microservice")
    return path


class Home:
    """Private XDG_CACHE_HOME / XDG_STATE_HOME / XDG_CONFIG_HOME / HOME for one test."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="kms-token-test-"))
        self.cache = self.root / "cache"
        self.state = self.root / "state"
        self.config = self.root / "config"
        for d in (self.cache, self.state, self.config):
            d.mkdir()

    @property
    def token_dir(self) -> Path:
        return self.cache / "kubectl-microservice" / "tokens"

    @property
    def history_file(self) -> Path:
        return self.state / "kubectl-microservice" / "history.jsonl"

    def write_config(self, text: str) -> None:
        d = self.config / "kubectl-microservice"
        d.mkdir(parents=True, exist_ok=True)
        (d / "config.yaml").write_text(text)

    def cache_entries(self) -> list[Path]:
        return sorted(self.token_dir.glob("*.json")) if self.token_dir.is_dir() else []

    def env(self, **extra) -> dict:
        proxies = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
        # Our own variables (KMS_PASSWORD, KMS_USERNAME …) come only from the test.
        env = {k: v for k, v in os.environ.items()
               if k.lower() not in proxies and (not k.startswith("KMS_") or k == "KMS_MODULE_DIR")}
        env.update(HOME=str(self.root), XDG_CACHE_HOME=str(self.cache), XDG_STATE_HOME=str(self.state),
                   XDG_CONFIG_HOME=str(self.config), NO_PROXY="127.0.0.1,localhost")
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def run(home: Home, *args: str, input: bytes | str | None = None, env: dict | None = None,
        timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    """Runs the binary; stdout/stderr are text unless the caller asks for bytes via input=bytes."""
    data = input.encode() if isinstance(input, str) else input
    proc = subprocess.run([binary(), *args], input=data if data is not None else b"",
                          capture_output=True, env=home.env(**(env or {})), timeout=timeout)
    proc.stdout_text = proc.stdout.decode(errors="replace")
    proc.stderr_text = proc.stderr.decode(errors="replace")
    return proc


def spawn(home: Home, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([binary(), *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=home.env(**(env or {})), text=True)


class RecordingProxy:
    """Forwards every request to `upstream`, records (method, path, headers, body), and replaces
    the upstream's base URL by its own in answers, so discovery documents point back at it.
    `rewrite(path, status, body) -> body` may change answers further."""

    def __init__(self, upstream: str, rewrite=None):
        self.upstream = upstream.rstrip("/")
        self.rewrite = rewrite
        self.requests: list[dict] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.requests.append({"method": self.command, "path": self.path,
                                       "headers": dict(self.headers.items()), "body": body.decode(errors="replace")})
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                req = urllib.request.Request(proxy.upstream + self.path, data=body if self.command != "GET" else None,
                                             method=self.command, headers=headers)
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                try:
                    with opener.open(req, timeout=10) as r:
                        status, rheaders, rbody = r.status, r.headers, r.read()
                except urllib.error.HTTPError as e:
                    with e:
                        status, rheaders, rbody = e.code, e.headers, e.read()
                text = rbody.decode(errors="replace").replace(proxy.upstream, proxy.url)
                if proxy.rewrite:
                    text = proxy.rewrite(self.path, status, text)
                out = text.encode()
                self.send_response(status)
                for k, v in rheaders.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        return False

    def token_requests(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and "token" in r["path"]]


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())
