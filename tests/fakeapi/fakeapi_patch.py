"""The non-apply patch types of the fake kube-apiserver: JSON merge patch (RFC 7386), the strategic merge
patch subset kubectl uses (rollout restart, set image, scale, edit) and JSON patch (RFC 6902, rollout undo)."""
from fakeapi_util import ApiError, bad_request, clone


def json_merge_patch(target, patch):
    if not isinstance(patch, dict):
        return clone(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = json_merge_patch(out.get(k), v)
    return out


_SMP_KEYS = {"containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
             "volumes": "name", "volumeMounts": "mountPath", "imagePullSecrets": "name", "ports": None,
             "conditions": "type", "ownerReferences": "uid", "hostAliases": "ip", "tolerations": None,
             "volumeDevices": "devicePath"}


def strategic_merge_patch(res, target, patch, fpath=()):
    """The strategic merge patch subset kubectl uses (rollout restart, set image, scale, edit)."""
    if not isinstance(patch, dict):
        return clone(patch)
    if patch.get("$patch") == "replace":
        return {k: clone(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k.startswith("$setElementOrder/") or k in ("$retainKeys", "$patch"):
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            name = k.split("/", 1)[1]
            if isinstance(out.get(name), list):
                out[name] = [x for x in out[name] if x not in (v or [])]
            continue
        if v is None:
            out.pop(k, None)
            continue
        cur = out.get(k)
        if isinstance(v, list) and isinstance(cur, list) and k in _SMP_KEYS:
            key = _SMP_KEYS[k]
            if key is None:
                key = "port" if res.kind == "Service" and fpath == ("spec",) else "containerPort"
                if k == "tolerations":
                    out[k] = clone(v)
                    continue
            out[k] = _smp_list(res, cur, v, key, fpath + (k,))
        elif isinstance(v, dict):
            out[k] = strategic_merge_patch(res, cur, v, fpath + (k,))
        else:
            out[k] = clone(v)
    return out


def _smp_list(res, cur, patch, key, fpath):
    out = list(cur)
    if patch and isinstance(patch[0], dict) and patch[0].get("$patch") == "replace":
        return [clone(x) for x in patch[1:]]
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            out.append(clone(item))
            continue
        idx = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == item[key]), -1)
        if item.get("$patch") == "delete":
            if idx >= 0:
                del out[idx]
            continue
        if idx >= 0:
            out[idx] = strategic_merge_patch(res, out[idx], item, fpath)
        else:
            out.append(strategic_merge_patch(res, {}, item, fpath))
    return out


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request("invalid JSON pointer %r" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(target, ops):
    if not isinstance(ops, list):
        raise bad_request("json patch must be a list of operations")
    doc = clone(target)

    def parent_of(parts, create=False):
        cur = doc
        for p in parts[:-1]:
            if isinstance(cur, list):
                cur = cur[int(p)]
            elif isinstance(cur, dict) and p in cur:
                cur = cur[p]
            else:
                raise ApiError(422, "Invalid", "jsonpatch %s operation does not apply: doc is missing path: %s"
                               % (op.get("op"), op.get("path")))
        return cur

    for op in ops:
        kind, parts = op.get("op"), _pointer(op.get("path", ""))
        if kind == "test":
            found = doc
            for p in parts:
                found = found[int(p)] if isinstance(found, list) else (found or {}).get(p)
            if found != op.get("value"):
                raise ApiError(422, "Invalid", "testing value %s failed" % op.get("path"))
            continue
        if kind in ("move", "copy"):
            src = _pointer(op.get("from", ""))
            par = parent_of(src)
            val = par[int(src[-1])] if isinstance(par, list) else par[src[-1]]
            if kind == "move":
                if isinstance(par, list):
                    del par[int(src[-1])]
                else:
                    del par[src[-1]]
            kind, op = "add", dict(op, value=clone(val))
        if not parts:
            if kind in ("add", "replace"):
                doc = clone(op.get("value"))
                continue
            raise bad_request("cannot remove the document root")
        par = parent_of(parts)
        last = parts[-1]
        if isinstance(par, list):
            i = len(par) if last == "-" else int(last)
            if kind == "add":
                par.insert(i, clone(op.get("value")))
            elif kind == "replace":
                par[i] = clone(op.get("value"))
            elif kind == "remove":
                del par[i]
        elif isinstance(par, dict):
            if kind in ("replace", "remove") and last not in par:
                raise ApiError(422, "Invalid", "jsonpatch %s operation does not apply: doc is missing key: %s"
                               % (kind, op.get("path")))
            if kind in ("add", "replace"):
                par[last] = clone(op.get("value"))
            elif kind == "remove":
                del par[last]
        else:
            raise ApiError(422, "Invalid", "jsonpatch %s operation does not apply: doc is missing path: %s"
                           % (kind, op.get("path")))
    return doc
