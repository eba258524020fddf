"""HTTP front of the fake kube-apiserver: TLS, routing, content negotiation, CRUD and subresources.
Watch streams and logs live in fakeapi_stream, the control API and faults in fakeapi_control."""
import http.server
import json
import select
import socket
import ssl
import threading
import time
import urllib.parse
import uuid

from fakeapi_control import (ControlMixin, _access_review_from_protobuf,
                             _openapi_v2_protobuf, _redact_headers)
from fakeapi_resources import to_table
from fakeapi_stream import Drop, StreamMixin
from fakeapi_util import (ApiError, bad_request, dumps, load_yaml_or_json, not_found_path, parse_field_selector,
                          parse_label_selector, YamlError)

PUBLIC_PATHS = ("/version", "/healthz", "/livez", "/readyz")
AGG_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGG_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
PATCH_TYPES = {"application/apply-patch+yaml": "apply", "application/apply-patch+json": "apply",
               "application/merge-patch+json": "merge", "application/strategic-merge-patch+json": "strategic",
               "application/json-patch+json": "json"}
STATUS_REASONS = {400: ("BadRequest", "the server rejected our request for an unknown reason"),
                  401: ("Unauthorized", "Unauthorized"), 403: ("Forbidden", "forbidden"),
                  404: ("NotFound", "the server could not find the requested resource"),
                  409: ("Conflict", "the server reported a conflict"), 410: ("Expired", "the resource has expired"),
                  422: ("Invalid", "the request is invalid"),
                  429: ("TooManyRequests", "Too many requests, please try again later."),
                  500: ("InternalError", "Internal error occurred: fault injected by fakeapi"),
                  503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
                  504: ("Timeout", "the server was unable to return a response in the time allotted, but may "
                                   "still be processing the request")}


class HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, addr, handler, app):
        self.app = app
        self.conns = set()
        self.conns_lock = threading.Lock()
        super().__init__(addr, handler)

    def finish_request(self, request, client_address):
        raw = request
        with self.conns_lock:
            self.conns.add(raw)
        try:
            if self.app.ssl_context is not None:
                raw.settimeout(10)
                try:
                    request = self.app.ssl_context.wrap_socket(raw, server_side=True)
                except (ssl.SSLError, OSError):
                    return
                with self.conns_lock:
                    self.conns.add(request)
            request.settimeout(300)
            self.RequestHandlerClass(request, client_address, self)
        finally:
            with self.conns_lock:
                self.conns.discard(raw)
                self.conns.discard(request)
            if request is not raw:
                try:
                    request.close()
                except OSError:
                    pass

    def handle_error(self, request, client_address):
        pass  # client went away; nothing useful to print

    def close_all(self):
        with self.conns_lock:
            conns = list(self.conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Handler(StreamMixin, ControlMixin, http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakeapi"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.app.verbose:
            super().log_message(fmt, *args)

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def do_PUT(self):
        self._serve()

    def do_PATCH(self):
        self._serve()

    def do_DELETE(self):
        self._serve()

    # ------------------------------------------------------------------ plumbing

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline()
                n = int(line.strip().split(b";")[0] or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, code, body, ctype="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self._answering(code)
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        for w in self.warnings:
            self.send_header("Warning", '299 - %s' % json.dumps(w))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_error(self, err):
        headers = dict(err.headers)
        self._send(err.code, err.status(), headers=headers)

    def _answering(self, code):
        # Logged before the answer leaves: a client reading /__fake/requests right after must see it.
        self.status_code = code
        if self.entry is not None:
            self.entry["status"] = code
            self.entry["user"] = self.user

    def _start_stream(self, ctype):
        self._answering(200)
        self.send_response(200)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _end_stream(self):
        self.wfile.write(b"0\r\n\r\n")

    def _client_gone(self):
        if isinstance(self.connection, ssl.SSLSocket):
            return False
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
            if r:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True
        return False

    # ------------------------------------------------------------------ entry

    def _serve(self):
        app = self.server.app
        self.warnings = []
        self.status_code = 0
        self.entry = None
        self.user, self.groups = None, []
        t0 = time.time()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        self.params = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        body = b""
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        entry = None
        if not path.startswith("/__fake/"):
            entry = {"time": t0, "method": self.command, "path": path, "query": url.query, "params": self.params,
                     "content_type": self.headers.get("Content-Type", ""), "accept": self.headers.get("Accept", ""),
                     "user_agent": self.headers.get("User-Agent", ""),
                     "headers": _redact_headers(dict(self.headers.items())),
                     "body": body[:65536].decode("utf-8", "replace"), "status": None}
            app.requests.add(entry)  # in arrival order; status and user when answered, duration when done
            self.entry = entry
        try:
            if path.startswith("/__fake/"):
                self._control(path, body)
                return
            is_watch = self.params.get("watch") in ("1", "true", "True")
            faults = app.faults.take(self.command, path + ("?" + url.query if url.query else ""), is_watch)
            self.watch_faults = [f for f in faults if f.get("watch_410") or f.get("watch_cut_after_s")]
            if app.latency_ms:
                time.sleep(app.latency_ms / 1000.0)
            for f in faults:
                if f.get("latency_ms"):
                    time.sleep(f["latency_ms"] / 1000.0)
                if f.get("warning"):
                    self.warnings.append(f["warning"])
            for f in faults:
                if f.get("drop_connection"):
                    raise Drop()
                if f.get("status"):
                    code = int(f["status"])
                    reason, msg = STATUS_REASONS.get(code, ("Unknown", "fault injected by fakeapi"))
                    headers, details = {}, None
                    if f.get("retry_after") is not None:
                        headers["Retry-After"] = str(f["retry_after"])
                        details = {"retryAfterSeconds": int(f["retry_after"])}
                    raise ApiError(code, f.get("reason", reason), f.get("message", msg), details, headers)
            self.user, self.groups = app.authenticate(self, path)
            self._route(path, body, is_watch)
        except Drop:
            self.close_connection = True
            self.status_code = -1
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except ApiError as e:
            self._send_error(e)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
            self.close_connection = True
        except Exception as e:  # a bug in the fake: answer 500 like an apiserver panic would
            import traceback
            traceback.print_exc()
            try:
                self._send_error(ApiError(500, "InternalError", "Internal error occurred: %s" % e))
            except OSError:
                pass
        finally:
            if entry is not None:
                entry["status"] = self.status_code
                entry["user"] = self.user
                entry["duration_ms"] = int((time.time() - t0) * 1000)

    # ------------------------------------------------------------------ routing

    def _route(self, path, body, is_watch):
        app = self.server.app
        reg = app.registry
        m = self.command
        accept = self.headers.get("Accept", "") or ""
        if path in ("/healthz", "/livez", "/readyz"):
            return self._send(200, "ok", "text/plain; charset=utf-8")
        if path == "/version":
            return self._send(200, app.version_info())
        if path in ("/api", "/apis") and m == "GET":
            core = path == "/api"
            if "as=APIGroupDiscoveryList" in accept and app.aggregated_discovery:
                if "v=v2;" in accept.replace(" ", "") + ";" or "v=v2," in accept or accept.endswith("v=v2"):
                    return self._send(200, reg.aggregated(core, "v2"), AGG_V2)
                if "v=v2beta1" in accept:
                    return self._send(200, reg.aggregated(core, "v2beta1"), AGG_V2BETA1)
            return self._send(200, reg.api_versions(self.headers.get("Host", "")) if core else reg.api_group_list())
        if path.startswith("/openapi/"):
            return self._openapi(path)
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "api" and parts[1] == "v1":
            group, version, rest = "", "v1", parts[2:]
        elif len(parts) >= 2 and parts[0] == "apis":
            group = parts[1]
            if len(parts) == 2:
                g = reg.api_group(group)
                if g is None or m != "GET":
                    raise not_found_path()
                return self._send(200, g)
            version, rest = parts[2], parts[3:]
        else:
            raise not_found_path()
        if not rest:
            rl = reg.resource_list(group, version)
            if rl is None or m != "GET":
                raise not_found_path()
            return self._send(200, rl)
        ns = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            r = reg.lookup(group, version, rest[2])
            if r is not None and r.namespaced:
                ns, rest = rest[1], rest[2:]
        res = reg.lookup(group, version, rest[0])
        if res is not None and len(rest) >= 3 and rest[2] == "proxy" and "proxy" in res.subresources and ns:
            verb = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}[m]
            app.authorize(self.user, verb, res, ns, rest[1], "proxy")
            return self._proxy(res, ns, rest[1], "/" + "/".join(rest[3:]) + ("/" if path.endswith("/") and
                                                                             len(rest) > 3 else ""), body)
        if res is None or len(rest) > 3:
            raise not_found_path()
        name = rest[1] if len(rest) >= 2 else None
        sub = rest[2] if len(rest) == 3 else ""
        if sub and sub not in res.subresources:
            raise not_found_path()
        if res.namespaced and ns is None and (name is not None or m == "POST"):
            raise not_found_path()
        if not res.namespaced and ns is not None:
            raise not_found_path()
        verb = {"GET": "watch" if is_watch else ("get" if name else "list"), "POST": "create", "PUT": "update",
                "PATCH": "patch", "DELETE": "delete" if name else "deletecollection"}[m]
        if verb not in res.verbs and not (verb == "get" and sub in ("status", "log", "scale")):
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        app.authorize(self.user, verb, res, ns, name, sub)
        if name is None:
            return self._collection(res, ns, body, is_watch, accept)
        if sub == "log":
            return self._logs(res, ns, name)
        if sub == "scale":
            return self._scale(res, ns, name, body)
        return self._object(res, ns, name, sub, body, accept)

    def _openapi(self, path):
        reg = self.server.app.registry
        if not self.server.app.openapi:
            raise not_found_path()
        if path == "/openapi/v2":
            if "protobuf" in (self.headers.get("Accept") or "") and "json" not in (self.headers.get("Accept") or ""):
                return self._send(200, _openapi_v2_protobuf(self.server.app.server_version),
                                  "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
            return self._send(200, reg.openapi_v2())
        if path == "/openapi/v3":
            return self._send(200, reg.openapi_v3_root())
        parts = path.split("/")[3:]
        doc = None
        if parts[:2] == ["api", "v1"] and len(parts) == 2:
            doc = reg.openapi_v3_doc("", "v1")
        elif len(parts) == 3 and parts[0] == "apis":
            doc = reg.openapi_v3_doc(parts[1], parts[2])
        if doc is None:
            raise not_found_path()
        return self._send(200, doc)

    # ------------------------------------------------------------------ helpers

    def _manager(self, apply=False):
        fm = self.params.get("fieldManager")
        if fm:
            if len(fm) > 128:
                raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: '
                               "may not be more than 128 bytes")
            return fm
        if apply:
            raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                           "is required for apply patch",
                           {"group": "meta.k8s.io", "kind": "PatchOptions",
                            "causes": [{"reason": "FieldValueRequired",
                                        "message": "Required value: is required for apply patch",
                                        "field": "fieldManager"}]})
        ua = self.headers.get("User-Agent", "") or "unknown"
        return ua.split("/")[0]

    def _dry_run(self, opts=None):
        vals = [v for k, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query) if k == "dryRun"]
        vals += list((opts or {}).get("dryRun") or [])
        for v in vals:
            if v != "All":
                raise ApiError(422, "Invalid", 'dryRun: Unsupported value: "%s": supported values: "All"' % v)
        return bool(vals)

    def _decode(self, body, allow_yaml=False):
        if not body:
            raise bad_request("the body of the request was in an unknown format - accepted media types include: "
                              "application/json, application/yaml")
        try:
            if allow_yaml:
                return load_yaml_or_json(body)
            return json.loads(body)
        except (ValueError, YamlError) as e:
            if allow_yaml:
                raise bad_request("error decoding YAML: %s" % e)
            raise bad_request("couldn't get version/kind; json parse error: %s" % e)

    def _selectors(self):
        try:
            lr = parse_label_selector(self.params.get("labelSelector", ""))
        except ApiError:
            raise bad_request('unable to parse requirement: found \'%s\'' % self.params.get("labelSelector"))
        return lr, parse_field_selector(self.params.get("fieldSelector", ""))

    def _wants_table(self, accept):
        return "as=Table" in accept

    def _strip_list_item(self, res, o):
        if not res.crd:
            o.pop("apiVersion", None)
            o.pop("kind", None)
        return o

    # ------------------------------------------------------------------ collections

    def _collection(self, res, ns, body, is_watch, accept):
        app = self.server.app
        c = app.cluster
        if self.command == "GET":
            if is_watch:
                return self._watch(res, ns, accept)
            lr, fr = self._selectors()
            limit = int(self.params.get("limit") or 0)
            items, rv, token, remaining = c.list(res, ns, lr, fr, limit, self.params.get("continue"))
            meta = {"resourceVersion": rv}
            if token:
                meta["continue"] = token
                meta["remainingItemCount"] = remaining
            if self._wants_table(accept):
                return self._send(200, to_table(res, items, meta, self.params.get("includeObject", "Metadata")),
                                  "application/json;as=Table;v=v1;g=meta.k8s.io")
            return self._send(200, {"kind": res.kind + "List", "apiVersion": res.api_version, "metadata": meta,
                                    "items": [self._strip_list_item(res, o) for o in items]})
        if self.command == "POST" and res.kind in ("SelfSubjectReview", "SelfSubjectAccessReview"):
            if "protobuf" in self.headers.get("Content-Type", ""):
                return self._review(res, _access_review_from_protobuf(body))
            return self._review(res, self._decode(body))
        if "protobuf" in self.headers.get("Content-Type", ""):
            raise ApiError(415, "UnsupportedMediaType", "fakeapi does not decode protobuf request bodies; "
                           "send application/json")
        if self.command == "POST":
            obj = self._decode(body, allow_yaml="yaml" in self.headers.get("Content-Type", ""))
            if isinstance(obj, dict) and (obj.get("kind") not in (None, res.kind) or
                                          obj.get("apiVersion") not in (None, res.api_version)):
                raise bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                                  % (obj.get("apiVersion"), res.api_version)
                                  if obj.get("apiVersion") != res.api_version else
                                  "the kind in the data (%s) does not match the expected kind (%s)"
                                  % (obj.get("kind"), res.kind))
            out = c.create(res, ns, obj, self._manager(), self._dry_run())
            return self._send(201, out)
        if self.command == "DELETE":
            lr, fr = self._selectors()
            opts = self._delete_opts(body)
            items, _, _, _ = c.list(res, ns, lr, fr)
            for o in items:
                try:
                    c.delete(res, o["metadata"].get("namespace"), o["metadata"]["name"],
                             opts.get("propagationPolicy"), self._dry_run(opts))
                except ApiError:
                    pass
            return self._send(200, {"kind": res.kind + "List", "apiVersion": res.api_version,
                                    "metadata": {"resourceVersion": str(c.rv)},
                                    "items": [self._strip_list_item(res, o) for o in items]})
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def _review(self, res, obj):
        app = self.server.app
        out = {"kind": res.kind, "apiVersion": res.api_version, "metadata": {"creationTimestamp": None}}
        if res.kind == "SelfSubjectReview":
            out["status"] = {"userInfo": {"username": self.user, "groups": self.groups}}
            return self._send(201, out)
        spec = (obj or {}).get("spec") or {}
        ra = spec.get("resourceAttributes") or {}
        out["spec"] = spec
        allowed = True
        r = app.registry.by_key.get((ra.get("group", ""), ra.get("resource", "")))
        if r is not None:
            try:
                app.authorize(self.user, ra.get("verb"), r, ra.get("namespace") or None, ra.get("name") or None,
                              ra.get("subresource", ""))
            except ApiError:
                allowed = False
        out["status"] = {"allowed": allowed}
        if not allowed:
            out["status"]["reason"] = "denied by a fakeapi deny rule"
        return self._send(201, out)

    def _delete_opts(self, body):
        opts = {}
        if body:
            try:
                opts = json.loads(body) or {}
            except ValueError:
                raise bad_request("the body of the request was in an unknown format")
        for k in ("propagationPolicy", "gracePeriodSeconds"):
            if k in self.params:
                opts[k] = self.params[k]
        if self.params.get("orphanDependents") == "true" or opts.get("orphanDependents") is True:
            opts["propagationPolicy"] = "Orphan"
        return opts

    # ------------------------------------------------------------------ single objects

    def _object(self, res, ns, name, sub, body, accept):
        c = self.server.app.cluster
        m = self.command
        if m == "GET":
            o = c.get(res, ns, name)
            if self._wants_table(accept):
                return self._send(200, to_table(res, [o], {"resourceVersion": o["metadata"]["resourceVersion"]},
                                                self.params.get("includeObject", "Metadata")),
                                  "application/json;as=Table;v=v1;g=meta.k8s.io")
            return self._send(200, o)
        if m == "PUT":
            obj = self._decode(body, allow_yaml="yaml" in self.headers.get("Content-Type", ""))
            return self._send(200, c.update(res, ns, name, obj, self._manager(), sub, self._dry_run()))
        if m == "PATCH":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            ptype = PATCH_TYPES.get(ctype)
            if ptype is None:
                raise ApiError(415, "UnsupportedMediaType",
                               '%s is unsupported media type, supported types: ["application/json-patch+json" '
                               '"application/merge-patch+json" "application/strategic-merge-patch+json" '
                               '"application/apply-patch+yaml" "application/apply-patch+cbor"]' % ctype)
            if self.params.get("force") and ptype != "apply":
                raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be '
                               "specified for non-apply patch")
            force = self.params.get("force") in ("true", "1", "True")
            patch = self._decode(body, allow_yaml=(ptype == "apply"))
            existed = c.get_raw(res, ns, name) is not None
            out = c.patch(res, ns, name, ptype, patch, self._manager(ptype == "apply"), sub, self._dry_run(), force)
            return self._send(201 if ptype == "apply" and not existed else 200, out)
        if m == "DELETE":
            opts = self._delete_opts(body)
            obj, now = c.delete(res, ns, name, opts.get("propagationPolicy"), self._dry_run(opts),
                                opts.get("preconditions"))
            if res.kind == "Pod" or not now:
                return self._send(200 if now else 202, obj)
            d = {"name": name}
            if res.group:
                d["group"] = res.group
            d["kind"] = res.plural
            d["uid"] = obj["metadata"].get("uid")
            return self._send(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                    "details": d})
        raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def _proxy(self, res, ns, target, path, body):
        """services/NAME[:PORT]/proxy/PATH and pods/NAME[:PORT]/proxy/PATH: answers as an echo server would,
        from a ready pod behind the service, or 503 like the real proxy when there is none. As in
        kube-apiserver, the caller's Authorization header is consumed by authentication, not forwarded."""
        c = self.server.app.cluster
        parts = target.split(":")
        if len(parts) == 3:
            parts = parts[1:]
        name, port = parts[0], (parts[1] if len(parts) > 1 else "")
        obj = c.get(res, ns, name)
        pod = obj
        if res.kind == "Service":
            from fakeapi_util import selector_from_label_selector
            sel = (obj.get("spec") or {}).get("selector") or {}
            reqs = selector_from_label_selector({"matchLabels": sel})
            pods, _, _, _ = c.list(c.reg.get("", "pods"), ns, reqs) if reqs else ([], 0, 0, 0)
            ready = [p for p in pods if any(x.get("type") == "Ready" and x.get("status") == "True"
                                            for x in (p.get("status") or {}).get("conditions") or [])]
            if not ready:
                raise ApiError(503, "ServiceUnavailable", 'no endpoints available for service "%s"' % target)
            pod = ready[0]
        query = urllib.parse.urlsplit(self.path).query
        echo = {"kind": res.kind, "name": name, "namespace": ns, "port": port, "pod": pod["metadata"]["name"],
                "method": self.command, "path": path, "query": query,
                "headers": {k: v for k, v in self.headers.items() if k.lower() != "authorization"},
                "body": body.decode("utf-8", "replace")}
        return self._send(200, echo)

    def _scale(self, res, ns, name, body):
        c = self.server.app.cluster

        def scale_of(o):
            sel = ((o.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
            return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                    "metadata": {k: o["metadata"][k] for k in ("name", "namespace", "uid", "resourceVersion",
                                                               "creationTimestamp") if k in o["metadata"]},
                    "spec": {"replicas": (o.get("spec") or {}).get("replicas", 0)},
                    "status": {"replicas": (o.get("status") or {}).get("replicas", 0),
                               "selector": ",".join("%s=%s" % kv for kv in sorted(sel.items()))}}

        o = c.get(res, ns, name)
        if self.command == "GET":
            return self._send(200, scale_of(o))
        cur = scale_of(o)
        if self.command == "PUT":
            new = self._decode(body)
        elif self.command == "PATCH":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            patch = self._decode(body, allow_yaml=True)
            from fakeapi_patch import json_merge_patch, json_patch
            new = json_patch(cur, patch) if ctype == "application/json-patch+json" else json_merge_patch(cur, patch)
        else:
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        rv = (new.get("metadata") or {}).get("resourceVersion")
        if self.command == "PUT" and rv and rv != o["metadata"]["resourceVersion"]:
            from fakeapi_util import conflict_modified
            raise conflict_modified(res, name)
        replicas = (new.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            from fakeapi_util import invalid
            raise invalid("Scale", "autoscaling", name, [("Invalid", "spec.replicas",
                                                          "%s: must be greater than or equal to 0" % replicas)])
        out = c.patch(res, ns, name, "merge", {"spec": {"replicas": replicas}}, self._manager(), "scale",
                      self._dry_run())
        return self._send(200, scale_of(out))


__all__ = ["HTTPServer", "Handler", "PUBLIC_PATHS"]
