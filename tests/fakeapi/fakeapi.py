#!/usr/bin/env python3
"""A fake kube-apiserver for tests (Python standard library only).

    python3 tests/fakeapi/fakeapi.py --port 0 --port-file PATH [--tls --cert C --key K --client-ca CA]
        [--token T[:USER]]... [--no-crd gateway-api|envoy-gateway|istio]... [--state-dir D] [--latency-ms N]

From Python:

    sys.path.insert(0, "tests/fakeapi"); from fakeapi import FakeApiServer
    with FakeApiServer() as srv:            # or srv.start() ... srv.stop()
        srv.write_kubeconfig(path)          # for kubectl / the product
        srv.url                             # http://127.0.0.1:PORT

See README.md in this folder for the control API (/__fake/...) and the scenarios.
"""
import argparse
import json
import os
import signal
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fakeapi_controller import Controllers  # noqa: E402
from fakeapi_control import Faults, RequestLog, forbidden, unauthorized  # noqa: E402
from fakeapi_http import PUBLIC_PATHS, Handler, HTTPServer  # noqa: E402
from fakeapi_kubelet import SCENARIOS  # noqa: E402
from fakeapi_resources import CRD_SETS, Registry  # noqa: E402
from fakeapi_store import Cluster  # noqa: E402

__all__ = ["FakeApiServer", "SCENARIOS", "CRD_SETS", "main"]


class FakeApiServer:
    def __init__(self, port=0, host="127.0.0.1", tls=False, cert=None, key=None, client_ca=None, tokens=(),
                 disabled_crds=(), state_dir=None, latency_ms=0, controller=True, controller_delay=0.1, tick=1.0,
                 auto_namespaces=False, aggregated_discovery=True, openapi=True, history_size=10000,
                 server_version="1.32.4", bookmark_interval=60.0, watch_default_timeout=1800.0, verbose=False):
        self.host, self.port_wanted = host, port
        self.tls = tls or bool(cert)
        self.cert, self.key, self.client_ca = cert, key, client_ca
        self.tokens = {}
        for t in tokens or ():
            tok, _, user = str(t).partition(":")
            self.tokens[tok] = user or "token-user"
        self.disabled_crds = list(disabled_crds or ())
        self.state_dir = state_dir
        self.latency_ms = latency_ms
        self.controller_enabled = controller
        self.controller_delay, self.tick = controller_delay, tick
        self.aggregated_discovery, self.openapi = aggregated_discovery, openapi
        self.server_version = server_version
        self.bookmark_interval, self.watch_default_timeout = bookmark_interval, watch_default_timeout
        self.verbose = verbose
        self.registry = Registry(self.disabled_crds)
        self.cluster = Cluster(self.registry, history_size=history_size, auto_namespaces=auto_namespaces)
        self.faults = Faults()
        self.requests = RequestLog()
        self.deny_rules = []
        self.stopping = threading.Event()
        # stop() saves once more while the saver thread may be saving: both write the same .tmp file.
        self.save_lock = threading.Lock()
        self.ssl_context = None
        self.httpd = None
        self.controllers = None
        self.threads = []

    # ------------------------------------------------------------------ lifecycle

    def start(self):
        if self.tls:
            if not (self.cert and self.key):
                raise ValueError("TLS needs a certificate and a key")
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.cert, self.key)
            if self.client_ca:
                ctx.load_verify_locations(self.client_ca)
                ctx.verify_mode = ssl.CERT_OPTIONAL
            self.ssl_context = ctx
        if self.state_dir:
            os.makedirs(self.state_dir, exist_ok=True)
            p = os.path.join(self.state_dir, "state.json")
            if os.path.exists(p):
                with open(p) as f:
                    self.cluster.restore(json.load(f))
        self.httpd = HTTPServer((self.host, self.port_wanted), Handler, self)
        self._spawn(self.httpd.serve_forever, "fakeapi-http", 0.1)
        self._spawn(self.cluster.gc_loop, "fakeapi-gc", self.stopping)
        if self.state_dir:
            self._spawn(self._saver, "fakeapi-state")
        if self.controller_enabled:
            self.controllers = Controllers(self.cluster, self.controller_delay, self.tick)
            self.controllers.start()
        return self

    def _spawn(self, fn, name, *args):
        t = threading.Thread(target=fn, args=args, name=name, daemon=True)
        t.start()
        self.threads.append(t)

    def stop(self):
        if self.httpd is None or self.stopping.is_set():
            return
        self.stopping.set()
        with self.cluster.lock:
            self.cluster.closed = True
            self.cluster.cond.notify_all()
        if self.controllers:
            self.controllers.stop()
        self.httpd.shutdown()
        self.httpd.close_all()
        self.httpd.server_close()
        if self.state_dir:
            self._save()
        for t in self.threads:
            t.join(timeout=2)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self.httpd.server_address[1]

    @property
    def url(self):
        return "%s://%s:%d" % ("https" if self.tls else "http", self.host, self.port)

    def _saver(self):
        while not self.stopping.is_set():
            if self.cluster.changed.wait(0.5):
                self.stopping.wait(0.2)
                self.cluster.changed.clear()
                self._save()

    def _save(self):
        p = os.path.join(self.state_dir, "state.json")
        with self.save_lock:
            with open(p + ".tmp", "w") as f:
                json.dump(self.cluster.snapshot(), f)
            os.replace(p + ".tmp", p)

    # ------------------------------------------------------------------ helpers for tests

    def write_kubeconfig(self, path, token=None, client_cert=None, client_key=None, ca=None, namespace="default",
                         insecure=False):
        from certs import write_kubeconfig
        return write_kubeconfig(path, self.url, ca=ca, token=token, client_cert=client_cert, client_key=client_key,
                                namespace=namespace, insecure=insecure)

    def version_info(self):
        major, minor, _ = (self.server_version.split(".") + ["0", "0"])[:3]
        return {"major": major, "minor": minor, "gitVersion": "v" + self.server_version,
                "gitCommit": "4cb5f07a7a0ff0a3ae50ba0c1a6b03b7f0a8bd3b", "gitTreeState": "clean",
                "buildDate": "2025-04-22T16:03:58Z", "goVersion": "go1.23.8", "compiler": "gc",
                "platform": "linux/amd64"}

    def authenticate(self, handler, path):
        """-> (user, groups); raises 401 like kube-apiserver with --anonymous-auth=false (public paths aside)."""
        auth = handler.headers.get("Authorization", "") or ""
        required = bool(self.tokens or self.client_ca)
        authed = ["system:authenticated"]
        if auth.lower().startswith("bearer "):
            tok = auth[7:].strip()
            if tok in self.tokens:
                return self.tokens[tok], authed
            if required:
                raise unauthorized()
            return "system:admin", ["system:masters"] + authed
        if isinstance(handler.connection, ssl.SSLSocket):
            pc = handler.connection.getpeercert()
            if pc:
                cn, orgs = None, []
                for rdn in pc.get("subject", ()):
                    for k, v in rdn:
                        if k == "commonName":
                            cn = v
                        elif k == "organizationName":
                            orgs.append(v)
                if cn:
                    return cn, orgs + authed
        if not required:
            return "system:admin", ["system:masters"] + authed
        if path in PUBLIC_PATHS:
            return "system:anonymous", ["system:unauthenticated"]
        raise unauthorized()

    def authorize(self, user, verb, res, ns, name, sub):
        for r in self.deny_rules:
            if r.get("user") not in (None, user):
                continue
            if r.get("verb") not in (None, verb) and not (isinstance(r.get("verb"), list) and verb in r["verb"]):
                continue
            if r.get("resource") not in (None, res.plural, res.plural + "/" + sub):
                continue
            if r.get("group") not in (None, res.group):
                continue
            if r.get("namespace") not in (None, ns):
                continue
            if r.get("name") not in (None, name):
                continue
            raise forbidden(user, verb, res, ns, name, sub)

    def reset(self, state=False):
        self.faults.clear()
        self.requests.clear()
        self.deny_rules.clear()
        if state:
            self.cluster.reset()

    def configure(self, data):
        if "latency_ms" in data:
            self.latency_ms = float(data["latency_ms"])
        if "controller_delay_ms" in data and self.controllers:
            self.controllers.delay = float(data["controller_delay_ms"]) / 1000.0
        if "tick_ms" in data and self.controllers:
            self.controllers.tick = float(data["tick_ms"]) / 1000.0
        if "bookmark_interval_s" in data:
            self.bookmark_interval = float(data["bookmark_interval_s"])
        if "aggregated_discovery" in data:
            self.aggregated_discovery = bool(data["aggregated_discovery"])
        if "openapi" in data:
            self.openapi = bool(data["openapi"])
        return {"latency_ms": self.latency_ms, "aggregated_discovery": self.aggregated_discovery,
                "openapi": self.openapi, "bookmark_interval_s": self.bookmark_interval,
                "controller_delay_ms": self.controllers.delay * 1000 if self.controllers else None,
                "tick_ms": self.controllers.tick * 1000 if self.controllers else None}


def main(argv=None):
    ap = argparse.ArgumentParser(prog="fakeapi.py", description="Fake kube-apiserver for tests (loopback).")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", help="write the bound port here once listening")
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca", help="verify client certificates against this CA (CN = user name)")
    ap.add_argument("--token", action="append", default=[], help="accepted bearer token, TOKEN or TOKEN:USER")
    ap.add_argument("--no-crd", action="append", default=[], choices=sorted(CRD_SETS),
                    help="switch off a CRD group set")
    ap.add_argument("--state-dir", help="load/save objects in DIR/state.json")
    ap.add_argument("--latency-ms", type=float, default=0, help="added to every API request")
    ap.add_argument("--controller-delay-ms", type=float, default=100)
    ap.add_argument("--tick-ms", type=float, default=1000, help="period of the crashloop/imagepull/probe ticks")
    ap.add_argument("--no-controller", action="store_true", help="no deployment/replicaset/pod simulation")
    ap.add_argument("--auto-create-namespaces", action="store_true")
    ap.add_argument("--no-aggregated-discovery", action="store_true")
    ap.add_argument("--no-openapi", action="store_true")
    ap.add_argument("--server-version", default="1.32.4")
    ap.add_argument("--history-size", type=int, default=10000, help="watch event window")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    if a.tls and not (a.cert and a.key):
        ap.error("--tls needs --cert and --key")
    srv = FakeApiServer(port=a.port, host=a.host, tls=a.tls, cert=a.cert, key=a.key, client_ca=a.client_ca,
                        tokens=a.token, disabled_crds=a.no_crd, state_dir=a.state_dir, latency_ms=a.latency_ms,
                        controller=not a.no_controller, controller_delay=a.controller_delay_ms / 1000.0,
                        tick=a.tick_ms / 1000.0, auto_namespaces=a.auto_create_namespaces,
                        aggregated_discovery=not a.no_aggregated_discovery, openapi=not a.no_openapi,
                        history_size=a.history_size, server_version=a.server_version, verbose=a.verbose)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    srv.start()
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.port)
        os.replace(tmp, a.port_file)
    print("fakeapi listening on %s" % srv.url, file=sys.stderr, flush=True)
    while not done.wait(0.5):
        pass
    srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
