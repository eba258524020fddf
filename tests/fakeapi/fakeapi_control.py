"""Test-only parts of the fake kube-apiserver: fault injection, the request log, the /__fake control API,
auth error Status objects, and the few protobuf bits kubectl needs (OpenAPI v2 stub, access reviews)."""
import json
import re
import threading

from fakeapi_util import ApiError, bad_request, qualified


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, spec):
        specs = spec.get("faults") if isinstance(spec, dict) and "faults" in spec else spec
        specs = specs if isinstance(specs, list) else [specs]
        with self.lock:
            for s in specs:
                if not isinstance(s, dict):
                    raise bad_request("a fault must be an object")
                if s.get("path_regex"):
                    re.compile(s["path_regex"])
                self.items.append(dict(s, hits=0))
        return self.list()

    def list(self):
        with self.lock:
            return [dict(f) for f in self.items]

    def clear(self):
        with self.lock:
            self.items = []

    def take(self, method, target, is_watch):
        """The faults that apply to this request (their counts are consumed)."""
        out = []
        with self.lock:
            for f in self.items:
                if f.get("method") and f["method"].upper() != method:
                    continue
                path, _, query = target.partition("?")
                if f.get("path_regex") and not re.search(f["path_regex"], path):
                    continue
                if f.get("query_regex") and not re.search(f["query_regex"], query):
                    continue
                watch_only = f.get("watch_410") or f.get("watch_cut_after_s")
                if watch_only and not is_watch and not (f.get("status") or f.get("drop_connection")
                                                        or f.get("latency_ms")):
                    continue
                if f.get("watch") is not None and bool(f["watch"]) != is_watch:
                    continue
                if f.get("count") is not None and f["hits"] >= f["count"]:
                    continue
                f["hits"] += 1
                out.append(dict(f))
            self.items = [f for f in self.items if f.get("count") is None or f["hits"] < f["count"]]
        return out


class RequestLog:
    def __init__(self, limit=20000):
        self.lock = threading.Lock()
        self.items = []
        self.limit = limit

    def add(self, entry):
        with self.lock:
            self.items.append(entry)
            if len(self.items) > self.limit:
                del self.items[: len(self.items) - self.limit]

    def list(self):
        with self.lock:
            return [dict(e) for e in self.items]

    def clear(self):
        with self.lock:
            self.items = []


def _redact_headers(headers):
    out = {}
    for k, v in headers.items():
        if k.lower() in ("authorization", "proxy-authorization"):
            scheme = v.split(" ", 1)[0] if v else ""
            v = scheme + " <redacted>" if scheme else "<redacted>"
        out[k] = v
    return out


class ControlMixin:
    # ------------------------------------------------------------------ control API

    def _control(self, path, body):
        app = self.server.app
        m = self.command
        data = {}
        if body:
            try:
                data = json.loads(body)
            except ValueError:
                return self._send(400, {"error": "body must be JSON"})
        try:
            if path == "/__fake/faults" and m == "POST":
                return self._send(200, {"faults": app.faults.add(data)})
            if path == "/__fake/faults" and m == "GET":
                return self._send(200, {"faults": app.faults.list()})
            if path == "/__fake/faults" and m == "DELETE":
                app.faults.clear()
                return self._send(200, {"faults": []})
            if path == "/__fake/reset" and m == "POST":
                app.reset(state=bool(data.get("state")))
                return self._send(200, {"ok": True})
            if path == "/__fake/requests" and m == "GET":
                items = app.requests.list()
                since = self.params.get("since")
                if since:
                    items = items[int(since):]
                return self._send(200, {"requests": items})
            if path == "/__fake/requests" and m == "DELETE":
                app.requests.clear()
                return self._send(200, {"requests": []})
            if path == "/__fake/compact" and m == "POST":
                app.cluster.compact()
                return self._send(200, {"resourceVersion": str(app.cluster.rv)})
            if path == "/__fake/deny" and m == "POST":
                rules = data if isinstance(data, list) else [data]
                app.deny_rules.extend(rules)
                return self._send(200, {"deny": app.deny_rules})
            if path == "/__fake/config" and m == "POST":
                return self._send(200, app.configure(data))
            if path == "/__fake/state" and m == "GET":
                return self._send(200, app.cluster.snapshot())
        except ApiError as e:
            return self._send(400, {"error": e.message})
        except (re.error, ValueError, TypeError) as e:
            return self._send(400, {"error": str(e)})
        return self._send(404, {"error": "unknown control endpoint %s %s" % (m, path)})


def _pb_bytes(field, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    out, n = bytearray(), len(payload)
    for v in ((field << 3) | 2, n):
        while True:
            b = v & 0x7F
            v >>= 7
            out.append(b | (0x80 if v else 0))
            if not v:
                break
    return bytes(out) + payload


def _openapi_v2_protobuf(version):
    """A minimal gnostic openapi_v2.Document (swagger, info, empty paths and definitions): kubectl falls back
    to OpenAPI v2 only for kinds the v3 documents lack, and then skips validating them."""
    info = _pb_bytes(1, "Kubernetes (fakeapi)") + _pb_bytes(2, "v" + version)
    return _pb_bytes(1, "2.0") + _pb_bytes(2, info) + _pb_bytes(8, b"") + _pb_bytes(9, b"")


def _pb_fields(data):
    """Minimal protobuf wire decoding: {field: [values]} (length-delimited values stay bytes)."""
    out, i = {}, 0

    def varint():
        nonlocal i
        shift = v = 0
        while True:
            b = data[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return v

    while i < len(data):
        key = varint()
        field, wt = key >> 3, key & 7
        if wt == 0:
            val = varint()
        elif wt == 2:
            n = varint()
            val = data[i:i + n]
            i += n
        elif wt == 1:
            val, i = data[i:i + 8], i + 8
        elif wt == 5:
            val, i = data[i:i + 4], i + 4
        else:
            raise ValueError("unsupported protobuf wire type %d" % wt)
        out.setdefault(field, []).append(val)
    return out


def _access_review_from_protobuf(body):
    """The spec.resourceAttributes of a protobuf SelfSubjectAccessReview (kubectl auth can-i sends those)."""
    try:
        if body[:4] != b"k8s\x00":
            return {}
        raw = _pb_fields(body[4:]).get(2, [b""])[0]
        spec = _pb_fields(raw).get(2, [b""])[0]
        ra = _pb_fields(spec).get(1, [b""])[0]
        names = {1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"}
        attrs = {names[k]: v[0].decode() for k, v in _pb_fields(ra).items() if k in names}
        return {"spec": {"resourceAttributes": attrs}} if attrs else {}
    except (IndexError, ValueError, UnicodeDecodeError):
        raise bad_request("could not decode the protobuf body")


def forbidden(user, verb, res, ns, name, sub):
    resource = res.plural + ("/" + sub if sub else "")
    subject = '%s "%s"' % (qualified(res), name) if name else qualified(res)
    where = ' in the namespace "%s"' % ns if ns else " at the cluster scope"
    msg = '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s"%s' % (
        subject, user, verb, resource, res.group, where)
    d = {}
    if name:
        d["name"] = name
    if res.group:
        d["group"] = res.group
    d["kind"] = res.plural
    return ApiError(403, "Forbidden", msg, d)


def unauthorized():
    return ApiError(401, "Unauthorized", "Unauthorized")
