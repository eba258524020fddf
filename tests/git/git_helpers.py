"""Real git repositories and servers for the git tests: standard library and the `git` CLI only.

    with Workspace(self) as ws:          # temp HOME/XDG dirs, removed at the end
        repo = ws.repo("app", {"svc/service.yaml": "image: x\n"})
        with GitDaemon(ws.srv) as d:    # git daemon on 127.0.0.1, random port
            p = ws.kms("render", "-f", f"git+{d.url('app.git')}//svc/service.yaml@main")

Servers bind 127.0.0.1 only, start in their own process group and are killed on exit.
"""

from __future__ import annotations

import base64
import collections
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = pathlib.Path(os.environ.get("KMS_SOURCE_DIR") or pathlib.Path(__file__).resolve().parents[2])
BUILD = pathlib.Path(os.environ.get("KMS_BUILD_DIR") or ROOT / "build")
BIN = os.environ.get("KMS_BIN") or str(BUILD / "kubectl-microservice")
MODULE_DIR = os.environ.get("KMS_MODULE_DIR") or str(BUILD / "modules")

STATS = re.compile(r"git: fetched (\S+): received_objects=(\d+) received_bytes=(\d+) total_objects=(\d+) "
                   r"local_objects=(\d+)")


def fetch_stats(stderr: str) -> list[dict]:
    """The `git: fetched` lines printed at -v 1, as dicts."""
    return [{"url": m[0], "received_objects": int(m[1]), "received_bytes": int(m[2]),
             "total_objects": int(m[3]), "local_objects": int(m[4])} for m in STATS.findall(stderr)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class Repo:
    """A work tree under ws/work/NAME whose origin is the bare ws/srv/NAME.git."""

    def __init__(self, ws: "Workspace", name: str):
        self.ws = ws
        self.name = name
        self.work = ws.root / "work" / name
        self.bare = ws.srv / f"{name}.git"

    def git(self, *args: str) -> str:
        return self.ws.git(*args, cwd=self.work)

    def commit(self, files: dict[str, str | None], message: str = "change", push: bool = True) -> str:
        """Writes (None: deletes) files, commits them, pushes the branch; returns the new commit."""
        for rel, text in files.items():
            path = self.work / rel
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        if push:
            self.git("push", "-q", "origin", "HEAD")
        return self.head()

    def head(self, ref: str = "HEAD") -> str:
        return self.git("rev-parse", ref)

    def objects_between(self, old: str, new: str) -> int:
        """How many objects a fetch from `old` to `new` has to transfer."""
        return len(self.ws.git("rev-list", "--objects", f"{old}..{new}", cwd=self.bare).splitlines())


class Workspace:
    """Temporary HOME, XDG dirs and git server root; runs the binary and git isolated from the user."""

    def __init__(self, test):
        self.tmp = tempfile.TemporaryDirectory(prefix="kms-git-")
        test.addCleanup(self.tmp.cleanup)
        self.root = pathlib.Path(self.tmp.name)
        self.home = self.root / "home"
        self.srv = self.root / "srv"
        self.cache = self.root / "cache"
        for d in (self.home, self.srv, self.cache, self.root / "work", self.root / "config"):
            d.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("KMS_GIT_", "SSH_", "GIT_", "XDG_")) and k not in ("KMS_CONFIG",)}
        self.env.update(HOME=str(self.home), XDG_CACHE_HOME=str(self.cache),
                        XDG_CONFIG_HOME=str(self.root / "config"), KMS_CONFIG=str(self.root / "none.yaml"),
                        KMS_MODULE_DIR=MODULE_DIR, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t",
                        GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
                        GIT_COMMITTER_EMAIL="t@example.com", LC_ALL="C")

    def git(self, *args: str, cwd: pathlib.Path | None = None) -> str:
        p = subprocess.run(["git", *args], cwd=cwd or self.root, env=self.env, capture_output=True, text=True,
                           timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {p.stderr}")
        return p.stdout.strip()

    def repo(self, name: str, files: dict[str, str], branch: str = "main") -> Repo:
        r = Repo(self, name)
        self.git("init", "-q", "--bare", "-b", branch, str(r.bare))
        self.git("init", "-q", "-b", branch, str(r.work))
        r.git("remote", "add", "origin", str(r.bare))
        r.commit(files, "initial")
        return r

    def kms(self, *args: str, cwd: pathlib.Path | None = None, env: dict | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([BIN, *args], cwd=cwd or self.root, env={**self.env, **(env or {})},
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def spawn(self, *args: str, env: dict | None = None) -> subprocess.Popen:
        return subprocess.Popen([BIN, *args], cwd=self.root, env={**self.env, **(env or {})},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                stdin=subprocess.DEVNULL)

    def caches(self) -> list[pathlib.Path]:
        base = self.cache / "kubectl-microservice" / "git"
        return sorted(p for p in base.iterdir() if p.is_dir()) if base.exists() else []


class _Server:
    """A child process in its own process group, killed with the group on exit."""

    proc: subprocess.Popen | None = None

    def _kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


class GitDaemon(_Server):
    """`git daemon --export-all --base-path=BASE` on 127.0.0.1 and a free port."""

    def __init__(self, base: pathlib.Path):
        self.base = base
        self.port = 0
        self.log: collections.deque[str] = collections.deque(maxlen=40)

    def __enter__(self) -> "GitDaemon":
        # A port from free_port() can be taken by a server of a test running in parallel before the
        # daemon binds it; then the daemon exits and a connect would reach the other server. So wait
        # for the daemon's own "Ready to rumble" (--verbose), not for the port to answer.
        for _ in range(5):
            self.port = free_port()
            self.proc = subprocess.Popen(
                ["git", "daemon", "--verbose", "--export-all", f"--base-path={self.base}", "--listen=127.0.0.1",
                 f"--port={self.port}", "--reuseaddr", "--informative-errors", str(self.base)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                env={"PATH": os.environ.get("PATH", ""), "HOME": str(self.base), "GIT_CONFIG_NOSYSTEM": "1"})
            if self._ready(time.monotonic() + 10):
                # Keep reading its log, or the daemon blocks on a full pipe; the last lines explain
                # a refused connection (see StallProxy).
                threading.Thread(target=self._keep_log, daemon=True).start()
                return self
            self._kill()
        raise RuntimeError("git daemon did not start")

    def _keep_log(self) -> None:
        for line in self.proc.stderr:
            self.log.append(line.decode(errors="replace").rstrip())

    def state(self) -> str:
        """Whether the daemon still runs, and its last log lines."""
        code = self.proc.poll() if self.proc else None
        return (f"git daemon on port {self.port}: " + ("running" if code is None else f"exited with {code}")
                + "".join("\n  " + line for line in self.log))

    def _ready(self, deadline: float) -> bool:
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                return False  # exited: the port was taken
            if b"Ready to rumble" in line:
                return True
        return False

    def __exit__(self, *exc) -> None:
        self._kill()

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"


class StallProxy:
    """A TCP proxy to 127.0.0.1:target that forwards, or stops forwarding the server's answer after
    `stall_after` bytes (the connection stays open and silent): a server that hangs mid-pack."""

    def __init__(self, target: int, stall_after: int | None = None, describe_target=None):
        self.target = target
        self.describe_target = describe_target  # () -> str: the target's state, for a refused connect
        self.stall_after = stall_after
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.closing = threading.Event()
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> "StallProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.closing.set()
        # Wake the accept thread (shutdown makes a blocked accept fail) and let it end before the
        # socket is closed: closing first freed the descriptor number while the thread was about to
        # accept on it, so the next test's proxy, given the same number, had its connections taken
        # by this stopped proxy, which forwarded them to this test's dead git daemon.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(5)
        self.sock.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if self.closing.is_set():
                client.close()
                return
            server = self._connect()
            if server is None:
                client.close()
                continue
            self.conns += [client, server]
            limit = self.stall_after
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, limit), daemon=True).start()

    def _connect(self) -> socket.socket | None:
        # A refused connect must not kill this thread (every later client would hang or be reset):
        # retry for a while, then say why (the daemon's state and log) and go on.
        error: OSError | None = None
        for _ in range(20):
            try:
                server = socket.create_connection(("127.0.0.1", self.target), timeout=5)
                server.settimeout(None)  # the pipes block: a stalled answer waits as long as the test
                return server
            except OSError as e:
                error = e
                if self.closing.is_set():
                    break
                time.sleep(0.1)
        state = self.describe_target() if self.describe_target else ""
        print(f"StallProxy: cannot reach 127.0.0.1:{self.target}: {error}\n{state}", file=sys.stderr)
        return None

    def _pipe(self, src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                if limit is not None and sent + len(data) > limit:
                    dst.sendall(data[:max(0, limit - sent)])
                    self.closing.wait()  # hold the connection open, say nothing more
                    return
                dst.sendall(data)
                sent += len(data)
        except OSError:
            return


class HttpGitServer:
    """Smart HTTP (git http-backend as CGI) on 127.0.0.1 that demands Basic auth with `token` as
    the password. `authorizations` and `user_agents` record those headers of every request."""

    def __init__(self, base: pathlib.Path, token: str):
        self.base = base
        self.token = token
        self.authorizations: list[str] = []
        self.user_agents: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                self._serve(b"")

            def do_POST(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        body += self.rfile.read(size)
                        self.rfile.readline()
                else:
                    body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self._serve(body)

            def _serve(self, body: bytes):
                auth = self.headers.get("Authorization", "")
                outer.authorizations.append(auth)
                outer.user_agents.append(self.headers.get("User-Agent", ""))
                want = "Basic " + base64.b64encode(f"git:{outer.token}".encode()).decode()
                if auth != want:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="git"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path, _, query = self.path.partition("?")
                env = {"PATH": os.environ.get("PATH", ""), "GIT_PROJECT_ROOT": str(outer.base),
                       "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path, "QUERY_STRING": query,
                       "REQUEST_METHOD": self.command, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                       "CONTENT_LENGTH": str(len(body)), "REMOTE_USER": "git", "REMOTE_ADDR": "127.0.0.1",
                       "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(outer.base)}
                if self.headers.get("Content-Encoding"):
                    env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
                p = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=60)
                head, _, payload = p.stdout.partition(b"\r\n\r\n")
                status = 200
                headers = []
                for line in head.decode().split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.lower() == "status":
                        status = int(value.strip().split()[0])
                    elif name:
                        headers.append((name, value.strip()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "HttpGitServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


def annotation(manifests: str, key: str) -> str | None:
    """The value of a pod-template annotation `kubectl-microservice.dev/<key>` in rendered YAML."""
    m = re.search(rf"kubectl-microservice\.dev/{re.escape(key)}: (\S+)", manifests)
    return m.group(1) if m else None


def have_git_daemon() -> bool:
    return shutil.which("git") is not None and subprocess.run(
        ["git", "daemon", "-h"], capture_output=True).returncode in (0, 129)
