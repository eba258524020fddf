"""Small helpers of the fake kube-apiserver: time, copies, Status errors, selectors, a YAML subset.

Standard library only.
"""
import datetime
import json
import re
import uuid


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_uid():
    return str(uuid.uuid4())


def clone(obj):
    """Deep copy of a JSON value (faster than copy.deepcopy for plain data)."""
    return json.loads(json.dumps(obj))


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"))


# --------------------------------------------------------------------------- Status errors

class ApiError(Exception):
    """An error answered as a metav1.Status object."""

    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self):
        s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
             "message": self.message, "reason": self.reason}
        if self.details is not None:
            s["details"] = self.details
        s["code"] = self.code
        return s


def qualified(res):
    """'deployments.apps' / 'pods' as in apiserver messages."""
    return res.plural + ("." + res.group if res.group else "")


def _details(res, name, kind=None):
    d = {}
    if name is not None:
        d["name"] = name
    if res.group:
        d["group"] = res.group
    d["kind"] = kind or res.plural
    return d


def not_found(res, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (qualified(res), name), _details(res, name))


def not_found_path():
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def namespace_not_found(ns):
    return ApiError(404, "NotFound", 'namespaces "%s" not found' % ns, {"name": ns, "kind": "namespaces"})


def already_exists(res, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (qualified(res), name), _details(res, name))


def conflict_modified(res, name):
    return ApiError(409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                    "please apply your changes to the latest version and try again" % (qualified(res), name),
                    _details(res, name))


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def gone(message):
    return ApiError(410, "Expired", message)


def invalid(kind, group, name, causes):
    """422 Invalid like apimachinery's errors.NewInvalid. causes: [(type, field, detail)].

    type is one of Required, Invalid, Forbidden, NotSupported, Duplicate; detail is the text after it.
    """
    reasons = {"Required": "FieldValueRequired", "Invalid": "FieldValueInvalid",
               "Forbidden": "FieldValueForbidden", "NotSupported": "FieldValueNotSupported",
               "Duplicate": "FieldValueDuplicate"}
    labels = {"Required": "Required value", "Invalid": "Invalid value", "Forbidden": "Forbidden",
              "NotSupported": "Unsupported value", "Duplicate": "Duplicate value"}
    cs, texts = [], []
    for typ, field, detail in causes:
        msg = labels[typ] + (": " + detail if detail else "")
        cs.append({"reason": reasons[typ], "message": msg, "field": field})
        texts.append("%s: %s" % (field, msg))
    gk = kind + ("." + group if group else "")
    body = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    details = {"name": name}
    if group:
        details["group"] = group
    details["kind"] = kind
    details["causes"] = cs
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (gk, name, body), details)


def go_quote(s):
    return json.dumps(s)


def go_map_str(m):
    """Go's %#v of a map[string]string: map[string]string{"a":"b"}."""
    items = ", ".join("%s:%s" % (json.dumps(k), json.dumps(v)) for k, v in sorted((m or {}).items()))
    return "map[string]string{%s}" % items


# --------------------------------------------------------------------------- selectors

_REQ_SPLIT = re.compile(r",(?![^()]*\))")


def parse_label_selector(text):
    """Parse a label selector into [(key, op, values)]; op in =, !=, in, notin, exists, !exists."""
    reqs = []
    if not text or not text.strip():
        return reqs
    for part in _REQ_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^([A-Za-z0-9._/-]+)\s+(in|notin)\s*\(([^)]*)\)$", part)
        if m:
            vals = [v.strip() for v in m.group(3).split(",") if v.strip() != ""]
            reqs.append((m.group(1), m.group(2), vals))
            continue
        m = re.match(r"^([A-Za-z0-9._/-]+)\s*(==|!=|=)\s*([A-Za-z0-9._-]*)$", part)
        if m:
            op = "!=" if m.group(2) == "!=" else "="
            reqs.append((m.group(1), op, [m.group(3)]))
            continue
        m = re.match(r"^!\s*([A-Za-z0-9._/-]+)$", part)
        if m:
            reqs.append((m.group(1), "!exists", []))
            continue
        m = re.match(r"^([A-Za-z0-9._/-]+)$", part)
        if m:
            reqs.append((m.group(1), "exists", []))
            continue
        raise bad_request("unable to parse requirement: %s" % part)
    return reqs


def selector_from_label_selector(sel):
    """metav1.LabelSelector (matchLabels/matchExpressions) -> requirements."""
    reqs = []
    for k, v in sorted(((sel or {}).get("matchLabels") or {}).items()):
        reqs.append((k, "=", [v]))
    for e in (sel or {}).get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}.get(e.get("operator"))
        if op:
            reqs.append((e.get("key"), op, list(e.get("values") or [])))
    return reqs


def labels_match(reqs, labels):
    labels = labels or {}
    for key, op, vals in reqs:
        has = key in labels
        v = labels.get(key)
        if op == "=" and not (has and v == vals[0]):
            return False
        if op == "!=" and has and v == vals[0]:
            return False
        if op == "in" and not (has and v in vals):
            return False
        if op == "notin" and has and v in vals:
            return False
        if op == "exists" and not has:
            return False
        if op == "!exists" and has:
            return False
    return True


def parse_field_selector(text):
    reqs = []
    if not text:
        return reqs
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^([A-Za-z0-9._-]+)\s*(==|!=|=)\s*(.*)$", part)
        if not m:
            raise bad_request('invalid selector: \'%s\'; can\'t understand \'%s\'' % (text, part))
        reqs.append((m.group(1), "!=" if m.group(2) == "!=" else "=", m.group(3)))
    return reqs


def get_path(obj, dotted):
    cur = obj
    for p in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(p)
    return cur


def fields_match(reqs, obj):
    for path, op, want in reqs:
        v = get_path(obj, path)
        s = "" if v is None else (("true" if v else "false") if isinstance(v, bool) else str(v))
        if op == "=" and s != want:
            return False
        if op == "!=" and s == want:
            return False
    return True


# --------------------------------------------------------------------------- YAML subset

class YamlError(ValueError):
    pass


def load_yaml_or_json(text):
    """Parse a request body: JSON first, then a block-YAML subset (maps, lists, scalars, flow JSON-ish)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    s = text.strip()
    if not s:
        return None
    try:
        return json.loads(s)
    except ValueError:
        pass
    docs = [d for d in re.split(r"^---\s*$", text, flags=re.M) if d.strip() and not _only_comments(d)]
    if len(docs) != 1:
        raise YamlError("expected exactly one YAML document, got %d" % len(docs))
    return _MiniYaml(docs[0]).parse()


def _only_comments(d):
    return all(not ln.strip() or ln.strip().startswith("#") for ln in d.splitlines())


def _strip_comment(line):
    out, q = [], None
    for i, ch in enumerate(line):
        if q:
            if ch == q:
                q = None
        elif ch in "'\"":
            q = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        out.append(ch)
    return "".join(out).rstrip()


def _scalar(tok):
    t = tok.strip()
    if t == "" or t in ("~", "null", "Null", "NULL"):
        return None
    if t[0] in "[{":
        return _flow(t)
    if t[0] == '"':
        return json.loads(t)
    if t[0] == "'":
        return t[1:-1].replace("''", "'")
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if re.match(r"^[-+]?[0-9]+$", t):
        return int(t)
    if re.match(r"^0x[0-9a-fA-F]+$", t):
        return int(t, 16)
    if re.match(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", t):
        return float(t)
    return t


def _flow(t):
    pos = [0]

    def ws():
        while pos[0] < len(t) and t[pos[0]] in " \t\n":
            pos[0] += 1

    def value(stop):
        ws()
        c = t[pos[0]]
        if c == "[":
            pos[0] += 1
            out = []
            ws()
            if t[pos[0]] == "]":
                pos[0] += 1
                return out
            while True:
                out.append(value(",]"))
                ws()
                c = t[pos[0]]
                pos[0] += 1
                if c == "]":
                    return out
        if c == "{":
            pos[0] += 1
            out = {}
            ws()
            if t[pos[0]] == "}":
                pos[0] += 1
                return out
            while True:
                k = value(":")
                ws()
                pos[0] += 1  # ':'
                out[k] = value(",}")
                ws()
                c = t[pos[0]]
                pos[0] += 1
                if c == "}":
                    return out
        if c in "'\"":
            q = c
            j = pos[0] + 1
            while True:
                if t[j] == "\\" and q == '"':
                    j += 2
                    continue
                if t[j] == q:
                    if q == "'" and j + 1 < len(t) and t[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            tok = t[pos[0]:j + 1]
            pos[0] = j + 1
            return _scalar(tok)
        j = pos[0]
        while j < len(t) and t[j] not in stop and not (t[j] == ":" and ":" in stop):
            j += 1
        tok = t[pos[0]:j]
        pos[0] = j
        return _scalar(tok)

    try:
        return value("")
    except (IndexError, ValueError) as e:
        raise YamlError("bad flow value %r: %s" % (t, e))


class _MiniYaml:
    def __init__(self, text):
        self.lines = []
        raw = text.splitlines()
        self.raw = raw
        for i, ln in enumerate(raw):
            if "\t" in ln[: len(ln) - len(ln.lstrip())]:
                raise YamlError("tabs are not allowed for indentation (line %d)" % (i + 1))
            s = _strip_comment(ln)
            if s.strip():
                self.lines.append((len(s) - len(s.lstrip(" ")), s.strip(), i))
        self.i = 0

    def parse(self):
        if not self.lines:
            return None
        v = self.block(self.lines[0][0])
        if self.i < len(self.lines):
            raise YamlError("unexpected content at line %d" % (self.lines[self.i][2] + 1))
        return v

    def block(self, indent):
        _, text, _ = self.lines[self.i]
        if text == "-" or text.startswith("- "):
            return self.seq(indent)
        return self.mapping(indent)

    def seq(self, indent):
        out = []
        while self.i < len(self.lines):
            ind, text, ln = self.lines[self.i]
            if ind != indent or not (text == "-" or text.startswith("- ")):
                break
            rest = text[1:].strip()
            if not rest:
                self.i += 1
                out.append(self.block(self.lines[self.i][0]) if self.i < len(self.lines)
                           and self.lines[self.i][0] > indent else None)
                continue
            # compact nested mapping/sequence on the same line as the dash
            sub_indent = indent + (len(text) - len(rest))
            self.lines[self.i] = (sub_indent, rest, ln)
            if self._is_key(rest) or rest == "-" or rest.startswith("- "):
                out.append(self.block(sub_indent))
            else:
                self.i += 1
                out.append(self.scalar_value(rest, sub_indent))
        return out

    @staticmethod
    def _is_key(text):
        if text[0] in "[{":
            return False
        return re.match(r'^("[^"]*"|\'[^\']*\'|[^\s"\'][^:]*?)\s*:(\s|$)', text) is not None

    def mapping(self, indent):
        out = {}
        while self.i < len(self.lines):
            ind, text, ln = self.lines[self.i]
            if ind < indent:
                break
            if ind > indent:
                raise YamlError("bad indentation at line %d" % (ln + 1))
            m = re.match(r'^("[^"]*"|\'[^\']*\'|[^\s"\'][^:]*?)\s*:(?:\s+(.*))?$', text)
            if not m:
                raise YamlError("expected a 'key: value' at line %d" % (ln + 1))
            key = _scalar(m.group(1))
            key = key if isinstance(key, str) else json.dumps(key) if not isinstance(key, (int, float)) else str(key)
            rest = (m.group(2) or "").strip()
            self.i += 1
            if rest == "":
                if self.i < len(self.lines) and (self.lines[self.i][0] > indent or (
                        self.lines[self.i][0] == indent and self.lines[self.i][1].startswith("-"))):
                    out[key] = self.block(self.lines[self.i][0])
                else:
                    out[key] = None
            else:
                out[key] = self.scalar_value(rest, indent)
        return out

    def scalar_value(self, rest, indent):
        if rest[0] in "|>":
            return self.block_scalar(rest, indent)
        return _scalar(rest)

    def block_scalar(self, header, indent):
        # collect raw lines (not comment-stripped) more indented than `indent`
        start_raw = self.lines[self.i - 1][2] + 1
        body, j = [], start_raw
        while j < len(self.raw):
            ln = self.raw[j]
            if ln.strip() and len(ln) - len(ln.lstrip(" ")) <= indent:
                break
            body.append(ln)
            j += 1
        while self.i < len(self.lines) and self.lines[self.i][2] < j:
            self.i += 1
        nonempty = [ln for ln in body if ln.strip()]
        base = min((len(ln) - len(ln.lstrip(" ")) for ln in nonempty), default=0)
        texts = [ln[base:] for ln in body]
        while texts and not texts[-1].strip():
            texts.pop()
        if header[0] == "|":
            s = "\n".join(texts)
        else:
            s = " ".join(t for t in texts)
        return s + ("\n" if "-" not in header else "")
