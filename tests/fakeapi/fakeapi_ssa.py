"""Field ownership and patches of the fake kube-apiserver.

Server-side apply after structured-merge-diff (field sets, managedFields in FieldsV1 form, merge, prune,
conflicts), and the other patch types: JSON merge patch, strategic merge patch (the simple cases kubectl
uses) and JSON patch. Values are plain JSON (dict/list/scalars).

A path is a tuple of elements: ('f', name) | ('k', canonical-json-of-key-fields) | ('v', json-value) | ('i', n).
"""
import json

from fakeapi_util import ApiError, clone, now_rfc3339


def _j(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"))


# --------------------------------------------------------------------------- schema knowledge

_POD_KEYED = [
    (("containers", "ports"), ["containerPort", "protocol"], {"protocol": "TCP"}),
    (("initContainers", "ports"), ["containerPort", "protocol"], {"protocol": "TCP"}),
    (("ephemeralContainers", "ports"), ["containerPort", "protocol"], {"protocol": "TCP"}),
    (("containers",), ["name"], {}),
    (("initContainers",), ["name"], {}),
    (("ephemeralContainers",), ["name"], {}),
    (("env",), ["name"], {}),
    (("volumeMounts",), ["mountPath"], {}),
    (("volumeDevices",), ["devicePath"], {}),
    (("volumes",), ["name"], {}),
    (("imagePullSecrets",), ["name"], {}),
    (("hostAliases",), ["ip"], {}),
    (("topologySpreadConstraints",), ["topologyKey", "whenUnsatisfiable"], {}),
    (("resourceClaims",), ["name"], {}),
]


class Schema:
    """Answers, for a kind and a path of field names, how lists and maps merge."""

    def __init__(self, res):
        self.res = res
        self._lt = {}
        self._mk = {}

    def list_type(self, fpath):
        """('map', keys, defaults) | ('set',) | ('atomic',)"""
        r = self._lt.get(fpath)
        if r is None:
            r = self._lt[fpath] = self._list_type(fpath)
        return r

    def _list_type(self, fpath):
        if fpath == ("metadata", "finalizers"):
            return ("set",)
        if fpath == ("metadata", "ownerReferences"):
            return ("map", ["uid"], {})
        res = self.res
        if res.crd:
            if res.kind == "Gateway" and fpath == ("spec", "listeners"):
                return ("map", ["name"], {})
            return ("atomic",)
        if res.kind == "Service" and fpath == ("spec", "ports"):
            return ("map", ["port", "protocol"], {"protocol": "TCP"})
        if len(fpath) >= 2 and fpath[0] == "status" and fpath[-1] == "conditions":
            return ("map", ["type"], {})
        for suffix, keys, defaults in _POD_KEYED:
            if fpath[-len(suffix):] == suffix:
                return ("map", keys, defaults)
        return ("atomic",)

    def map_kind(self, fpath):
        """'atomic' | 'map' (free keys) | 'struct' (declared fields)."""
        r = self._mk.get(fpath)
        if r is None:
            r = self._mk[fpath] = self._map_kind(fpath)
        return r

    def _map_kind(self, fpath):
        if not fpath:
            return "struct"
        last = fpath[-1]
        kind = self.res.kind
        if fpath == ("spec", "selector") and kind in ("Deployment", "ReplicaSet", "PodDisruptionBudget",
                                                      "Service", "StatefulSet", "DaemonSet"):
            return "atomic"
        if last in ("labelSelector", "namespaceSelector", "nodeSelector") and not self.res.crd:
            return "atomic"
        if len(fpath) >= 2 and fpath[-2] == "metadata" and last in ("labels", "annotations"):
            return "map"
        if len(fpath) == 1 and kind in ("ConfigMap", "Secret") and last in ("data", "binaryData", "stringData"):
            return "map"
        if len(fpath) >= 2 and fpath[-2] == "resources" and last in ("limits", "requests"):
            return "map"
        return "struct"

    def item_key(self, fpath, item):
        lt = self.list_type(fpath)
        if lt[0] == "map" and isinstance(item, dict):
            return ("k", _j({k: item.get(k, lt[2].get(k)) for k in lt[1] if item.get(k, lt[2].get(k)) is not None}))
        return ("v", _j(item))


# --------------------------------------------------------------------------- field sets

STRIP_META = ("name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink",
              "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds")


def strip_for_fields(res, obj, subresource):
    """The part of an object that field ownership covers (like fieldmanager's stripMeta + reset fields)."""
    o = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
    if subresource == "status":
        o = {k: v for k, v in o.items() if k == "status"}
    else:
        if res.has_status:
            o.pop("status", None)
        if isinstance(o.get("metadata"), dict):
            o["metadata"] = {k: v for k, v in o["metadata"].items() if k not in STRIP_META}
    return o


def field_set(schema, value, mode="apply"):
    """All owned paths of value. mode 'apply' follows ToFieldSet; 'update' also includes the nodes of
    free-key maps and granular lists, as a Compare of an Update reports them (they print as '.')."""
    out = set()

    def walk(v, path, fpath):
        if isinstance(v, dict):
            mk = schema.map_kind(fpath)
            if mk == "atomic":
                out.add(path)
                return
            if mode == "update" and mk == "map" and path:
                out.add(path)
            for k, cv in v.items():
                cp, cf = path + (("f", k),), fpath + (k,)
                walk(cv, cp, cf)
                if cv is None or (isinstance(cv, dict) and not cv) or mk == "map":
                    out.add(cp)
        elif isinstance(v, list):
            lt = schema.list_type(fpath)
            if lt[0] == "atomic" or not v:
                out.add(path)
                return
            if mode == "update":
                out.add(path)
            for item in v:
                ip = path + (schema.item_key(fpath, item),)
                out.add(ip)
                if lt[0] == "map":
                    walk(item, ip, fpath)
        else:
            if path:
                out.add(path)

    walk(value, (), ())
    out.discard((("f", "metadata"),))  # stripMeta: the metadata node itself is never owned
    return out


def _list_item_index(schema, lst, fpath, pe):
    for i, item in enumerate(lst):
        if schema.item_key(fpath, item) == pe:
            return i
    return -1


def resolve(schema, value, path):
    """(found, value) at path."""
    cur, fpath = value, ()
    for pe in path:
        if pe[0] == "f":
            if not isinstance(cur, dict) or pe[1] not in cur:
                return False, None
            cur, fpath = cur[pe[1]], fpath + (pe[1],)
        else:
            if not isinstance(cur, list):
                return False, None
            i = _list_item_index(schema, cur, fpath, pe) if pe[0] in ("k", "v") else pe[1]
            if i < 0 or i >= len(cur):
                return False, None
            cur = cur[i]
    return True, cur


def remove_path(schema, value, path):
    """Removes the node at path; returns True when something was removed."""
    if not path:
        return False
    found, parent = resolve(schema, value, path[:-1])
    if not found:
        return False
    pe = path[-1]
    fpath = tuple(p[1] for p in path[:-1] if p[0] == "f")
    if pe[0] == "f" and isinstance(parent, dict) and pe[1] in parent:
        del parent[pe[1]]
        return True
    if pe[0] in ("k", "v") and isinstance(parent, list):
        i = _list_item_index(schema, parent, fpath, pe)
        if i >= 0:
            del parent[i]
            return True
    return False


def changes(schema, old, new):
    """(changed, removed) paths between two stripped objects, in 'update' mode."""
    on, nn = field_set(schema, old, "update"), field_set(schema, new, "update")
    changed = set()
    for p in nn:
        if p not in on:
            changed.add(p)
            continue
        _, nv = resolve(schema, new, p)
        if isinstance(nv, (dict, list)) and nv:
            # a node with children: it changed only if it became atomic/leaf content that differs
            if _is_leafish(schema, p, nv):
                _, ov = resolve(schema, old, p)
                if ov != nv:
                    changed.add(p)
            continue
        _, ov = resolve(schema, old, p)
        if ov != nv:
            changed.add(p)
    return changed, on - nn


def _is_leafish(schema, path, v):
    fpath = tuple(p[1] for p in path if p[0] == "f")
    if isinstance(v, dict):
        return schema.map_kind(fpath) == "atomic"
    if isinstance(v, list):
        return schema.list_type(fpath)[0] == "atomic"
    return True


# --------------------------------------------------------------------------- FieldsV1 encoding

def _pe_str(pe):
    return {"f": "f:", "k": "k:", "v": "v:", "i": "i:"}[pe[0]] + str(pe[1])


def _pe_sort(s):
    return ({".": 0, "f": 1, "k": 2, "v": 3, "i": 4}[s[0]], s)


def encode_fields(paths):
    tree = {}
    members = set()
    for p in paths:
        node = tree
        for pe in p:
            node = node.setdefault(_pe_str(pe), {})
        members.add(p)

    def ser(node, path):
        out = {}
        if node and path in members:
            out["."] = {}
        for key in sorted(node, key=_pe_sort):
            out[key] = ser(node[key], path + (_parse_pe(key),))
        return out

    return ser(tree, ())


def _parse_pe(s):
    t, v = s[0], s[2:]
    if t == "f":
        return ("f", v)
    if t == "k":
        return ("k", _j(json.loads(v)))
    if t == "v":
        return ("v", _j(json.loads(v)))
    if t == "i":
        return ("i", int(v))
    raise ValueError("bad path element %r" % s)


def decode_fields(fields):
    out = set()

    def walk(node, path):
        for k, sub in (node or {}).items():
            if k == ".":
                out.add(path)
                continue
            p = path + (_parse_pe(k),)
            if not sub:
                out.add(p)
            else:
                walk(sub, p)

    walk(fields, ())
    return out


def path_str(path):
    s = ""
    for pe in path:
        if pe[0] == "f":
            s += "." + pe[1]
        elif pe[0] == "k":
            d = json.loads(pe[1])
            s += "[" + ",".join("%s=%s" % (k, json.dumps(d[k])) for k in sorted(d)) + "]"
        elif pe[0] == "v":
            s += "[=" + pe[1] + "]"
        else:
            s += "[%d]" % pe[1]
    return s


class Managers:
    """managedFields of one object, decoded."""

    def __init__(self, entries):
        self.entries = []
        for e in entries or []:
            e = dict(e)
            e["set"] = decode_fields(e.pop("fieldsV1", {}))
            e.pop("fieldsType", None)
            self.entries.append(e)

    @staticmethod
    def ident(e):
        return (e["manager"], e["operation"], e.get("subresource", ""),
                "" if e["operation"] == "Apply" else e.get("apiVersion", ""))

    def find(self, manager, operation, subresource, api_version):
        want = (manager, operation, subresource or "", "" if operation == "Apply" else api_version)
        for e in self.entries:
            if self.ident(e) == want:
                return e
        return None

    def others_union(self, skip):
        u = set()
        for e in self.entries:
            if e is not skip:
                u |= e["set"]
        return u

    def encode(self):
        out = []
        for e in self.entries:
            if not e["set"]:
                continue
            d = {"manager": e["manager"], "operation": e["operation"], "apiVersion": e.get("apiVersion"),
                 "time": e.get("time"), "fieldsType": "FieldsV1", "fieldsV1": encode_fields(e["set"])}
            if e.get("subresource"):
                d["subresource"] = e["subresource"]
            out.append(d)
        out.sort(key=lambda d: (d["operation"], d.get("time") or "", d["manager"], d.get("apiVersion") or "",
                                d.get("subresource") or ""))
        return out

    def signature(self):
        return sorted((self.ident(e), tuple(sorted(map(str, e["set"])))) for e in self.entries if e["set"])


def manager_label(e):
    s = json.dumps(e["manager"])
    if e.get("subresource"):
        s += " with subresource %s" % json.dumps(e["subresource"])
    if e["operation"] == "Update":
        s += " using %s" % e.get("apiVersion")
    return s


def conflict_error(conflicts):
    """conflicts: [(entry, path)] -> the 409 Status of an apply conflict."""
    conflicts = sorted(conflicts, key=lambda c: (manager_label(c[0]), path_str(c[1])))
    causes = [{"reason": "FieldManagerConflict", "message": "conflict with %s" % manager_label(e),
               "field": path_str(p)} for e, p in conflicts]
    if len(conflicts) == 1:
        e, p = conflicts[0]
        msg = "Apply failed with 1 conflict: conflict with %s: %s" % (manager_label(e), path_str(p))
    else:
        by = {}
        for e, p in conflicts:
            by.setdefault(manager_label(e), []).append(path_str(p))
        lines = []
        for m in sorted(by):
            lines.append("conflicts with %s:" % m)
            lines += ["- %s" % p for p in by[m]]
        msg = "Apply failed with %d conflicts: %s" % (len(conflicts), "\n".join(lines))
    return ApiError(409, "Conflict", msg, {"causes": causes})


# --------------------------------------------------------------------------- apply merge

def merge(schema, live, cfg, fpath=()):
    if isinstance(cfg, dict) and isinstance(live, dict) and schema.map_kind(fpath) != "atomic":
        out = dict(live)
        for k, v in cfg.items():
            out[k] = merge(schema, live[k], v, fpath + (k,)) if k in live else clone(v)
        return out
    if isinstance(cfg, list) and isinstance(live, list):
        lt = schema.list_type(fpath)
        if lt[0] == "atomic":
            return clone(cfg)
        ck = [schema.item_key(fpath, it) for it in cfg]
        cmap = dict(zip(ck, cfg))
        out, emitted, ci = [], set(), 0

        def emit_cfg_until(key):
            nonlocal ci
            while ci < len(ck):
                k = ck[ci]
                ci += 1
                if k not in emitted:
                    emitted.add(k)
                    lv = lmap.get(k)
                    out.append(merge(schema, lv, cmap[k], fpath) if lv is not None and lt[0] == "map"
                               else clone(cmap[k]))
                if k == key:
                    return

        lmap = {schema.item_key(fpath, it): it for it in live}
        for it in live:
            k = schema.item_key(fpath, it)
            if k in cmap:
                if k not in emitted:
                    emit_cfg_until(k)
            else:
                out.append(it)
        emit_cfg_until(None)
        return out
    return clone(cfg)


def drop_nulls(v):
    if isinstance(v, dict):
        return {k: drop_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [drop_nulls(x) for x in v]
    return v


def _concrete(schema, value, path):
    """[(path element, dict key or list index)] locating path in value, or None."""
    out, cur, fpath = [], value, ()
    for pe in path:
        if pe[0] == "f":
            if not isinstance(cur, dict) or pe[1] not in cur:
                return None
            out.append((pe, pe[1]))
            cur, fpath = cur[pe[1]], fpath + (pe[1],)
        else:
            if not isinstance(cur, list):
                return None
            i = _list_item_index(schema, cur, fpath, pe) if pe[0] in ("k", "v") else pe[1]
            if i < 0 or i >= len(cur):
                return None
            out.append((pe, i))
            cur = cur[i]
    return out


def _at(value, keys):
    for k in keys:
        value = value[k]
    return value


def prune(schema, obj, removed, owned):
    """Removes the paths in `removed` from obj, then the containers left empty by it unless owned.

    Locations are resolved before anything moves and removed deepest and highest-index first, so list
    indices stay valid."""
    locs = [c for c in (_concrete(schema, obj, p) for p in removed) if c]
    locs.sort(key=lambda c: tuple(k for _, k in c), reverse=True)
    for c in locs:
        keys = [k for _, k in c]
        try:
            parent = _at(obj, keys[:-1])
            del parent[keys[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        for depth in range(len(c) - 1, 0, -1):
            if tuple(pe for pe, _ in c[:depth]) in owned:
                break
            try:
                v = _at(obj, keys[:depth])
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(v, (dict, list)) and not v:
                del _at(obj, keys[:depth - 1])[keys[depth - 1]]
            else:
                break


def server_side_apply(res, live, cfg, manager, force, subresource=""):
    """Returns (new_object, managers) or raises the 409 conflict. live is None when creating.

    new_object has metadata.managedFields set (encoded); the caller persists or discards it."""
    schema = Schema(res)
    live = clone(live) if live is not None else {"apiVersion": res.api_version, "kind": res.kind, "metadata": {}}
    mgrs = Managers((live.get("metadata") or {}).get("managedFields"))
    cfg_body = strip_for_fields(res, cfg, subresource)
    new_set = field_set(schema, cfg_body, "apply")

    live_body = strip_for_fields(res, live, subresource)
    merged_body = merge(schema, live_body, cfg_body)
    me = mgrs.find(manager, "Apply", subresource, res.api_version)
    last_set = me["set"] if me else set()
    others = mgrs.others_union(me)
    removed = last_set - new_set - others
    prune(schema, merged_body, removed, new_set | others)
    merged_body = drop_nulls(merged_body)

    changed, _ = changes(schema, live_body, merged_body)
    conflicts = []
    for e in mgrs.entries:
        if e is me:
            continue
        for p in e["set"] & changed:
            conflicts.append((e, p))
    if conflicts and not force:
        raise conflict_error(conflicts)
    for e, p in conflicts:
        e["set"].discard(p)
    if me is None:
        me = {"manager": manager, "operation": "Apply", "apiVersion": res.api_version}
        if subresource:
            me["subresource"] = subresource
        mgrs.entries.append(me)
    me["set"] = new_set
    me["apiVersion"] = res.api_version

    new = clone(live)
    if subresource == "status":
        new.pop("status", None)
        if "status" in merged_body:
            new["status"] = merged_body["status"]
    else:
        for k in list(new):
            if k not in ("apiVersion", "kind", "metadata") and not (k == "status" and res.has_status):
                del new[k]
        for k, v in merged_body.items():
            if k != "metadata":
                new[k] = v
        meta = {k: v for k, v in (live.get("metadata") or {}).items() if k in STRIP_META}
        meta.update(merged_body.get("metadata") or {})
        new["metadata"] = meta
    me["time"] = now_rfc3339()
    new.setdefault("metadata", {})["managedFields"] = mgrs.encode()
    return new


def same_object(a, b):
    """Equal apart from managedFields timestamps (a write of b over a would be a no-op)."""
    if a is None or b is None:
        return False
    ma, mb = dict(a.get("metadata") or {}), dict(b.get("metadata") or {})
    fa, fb = ma.pop("managedFields", None), mb.pop("managedFields", None)
    if dict(a, metadata=ma) != dict(b, metadata=mb):
        return False
    return Managers(fa).signature() == Managers(fb).signature()


def track_update(res, old, new, manager, subresource="", operation="Update"):
    """Updates new.metadata.managedFields after a non-apply write (PUT, PATCH, create)."""
    schema = Schema(res)
    mgrs = Managers((old or {}).get("metadata", {}).get("managedFields") if old else None)
    ob = strip_for_fields(res, old or {"metadata": {}}, subresource)
    nb = strip_for_fields(res, new, subresource)
    changed, removed = changes(schema, ob, nb)
    me = mgrs.find(manager, operation, subresource, res.api_version)
    for e in mgrs.entries:
        if e is not me:
            e["set"] -= changed
    if changed or me is not None:
        if me is None:
            me = {"manager": manager, "operation": operation, "apiVersion": res.api_version, "set": set()}
            if subresource:
                me["subresource"] = subresource
            mgrs.entries.append(me)
        me["set"] = (me["set"] - removed) | changed
        if changed:
            me["time"] = now_rfc3339()
    new.setdefault("metadata", {})["managedFields"] = mgrs.encode()
    if not new["metadata"]["managedFields"]:
        del new["metadata"]["managedFields"]
    return new
