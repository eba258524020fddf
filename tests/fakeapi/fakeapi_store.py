"""Object store and API semantics of the fake kube-apiserver.

One lock guards everything; resourceVersion is a global counter; every write appends to an event history
that watches read from (a bounded window, so old resourceVersions expire with 410).
"""
import json
import random
import threading

import fakeapi_patch as patches
import fakeapi_ssa as ssa
from fakeapi_resources import apply_defaults, crd_object, validate
from fakeapi_util import (ApiError, already_exists, bad_request, clone, conflict_modified, fields_match,
                          invalid, labels_match, namespace_not_found, new_uid, not_found, now_rfc3339)

SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"]


def rand_suffix(n=5):
    return "".join(random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))


def _spec_part(obj):
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


class Cluster:
    def __init__(self, registry, history_size=10000, auto_namespaces=False):
        self.reg = registry
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.objs = {r.key: {} for r in registry.resources}
        self.rv = 1000
        self.history = []  # dicts: rv, key, ns, name, type, obj, old
        self.hist_base = 0  # absolute index of history[0]
        self.oldest_rv = self.rv  # events after this rv are in the window
        self.history_size = history_size
        self.auto_namespaces = auto_namespaces
        self.hooks = []
        self.gc_queue = []
        self.gc_cond = threading.Condition(self.lock)
        self.closed = False
        self._ip = 1
        self._node_port = 30000
        self.changed = threading.Event()  # for state persistence
        self._bootstrap()

    # ------------------------------------------------------------------ plumbing

    def _bootstrap(self):
        with self.lock:
            self._bootstrap_locked()

    def _bootstrap_locked(self):
        ns = self.reg.get("", "namespaces")
        for n in SYSTEM_NAMESPACES:
            self._create_internal(ns, None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}},
                                  "kube-apiserver")
        crd = self.reg.by_key.get(("apiextensions.k8s.io", "customresourcedefinitions"))
        for r in self.reg.resources:
            if r.crd and crd is not None:
                self._create_internal(crd, None, crd_object(r), "kube-apiserver")
        svc = self.reg.get("", "services")
        self._create_internal(svc, "default", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                     "clusterIP": "10.96.0.1"}}, "kube-apiserver")

    def res_of(self, key):
        return self.reg.get(*key)

    def _store(self, res):
        return self.objs[res.key]

    def _commit(self, res, etype, obj, old):
        """obj is owned by the store from now on (never mutated in place)."""
        self.rv += 1
        meta = obj["metadata"]
        meta["resourceVersion"] = str(self.rv)
        k = (meta.get("namespace"), meta["name"])
        if etype == "DELETED":
            self._store(res).pop(k, None)
        else:
            self._store(res)[k] = obj
        self.history.append({"rv": self.rv, "key": res.key, "ns": k[0], "name": k[1], "type": etype,
                             "obj": obj, "old": old})
        if len(self.history) > self.history_size:
            drop = len(self.history) - self.history_size // 2
            self.oldest_rv = self.history[drop - 1]["rv"]
            del self.history[:drop]
            self.hist_base += drop
        self.cond.notify_all()
        self.changed.set()
        for h in list(self.hooks):
            h(etype, res, obj, old)
        return obj

    def reset(self):
        """Back to a fresh cluster (system namespaces only); resourceVersions keep counting up."""
        with self.lock:
            for store in self.objs.values():
                store.clear()
            self.gc_queue = []
            self._bootstrap()
            self.compact()

    def compact(self):
        """Drops the whole event history: every resourceVersion older than now expires."""
        with self.lock:
            self.hist_base += len(self.history)
            self.history = []
            self.oldest_rv = self.rv
            self.cond.notify_all()

    def _check_ns(self, res, ns, creating=True):
        if not res.namespaced:
            return
        nsobj = self._store(self.reg.get("", "namespaces")).get((None, ns))
        if nsobj is None:
            if self.auto_namespaces and creating:
                self._create_internal(self.reg.get("", "namespaces"), None,
                                      {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
                                      "kube-apiserver")
                return
            raise namespace_not_found(ns)
        if creating and (nsobj.get("metadata") or {}).get("deletionTimestamp"):
            raise ApiError(403, "Forbidden",
                           '%s "%s" is forbidden: unable to create new content in namespace %s because it is '
                           "being terminated" % (res.plural + ("." + res.group if res.group else ""),
                                                 "", ns),
                           {"name": "", "group": res.group, "kind": res.plural,
                            "causes": [{"reason": "NamespaceTerminating",
                                        "message": "namespace %s is being terminated" % ns,
                                        "field": "metadata.namespace"}]})

    # ------------------------------------------------------------------ reads

    def get(self, res, ns, name):
        with self.lock:
            o = self._store(res).get((ns if res.namespaced else None, name))
            if o is None:
                raise not_found(res, name)
            return clone(o)

    def get_raw(self, res, ns, name):
        with self.lock:
            return self._store(res).get((ns if res.namespaced else None, name))

    def list(self, res, ns=None, label_reqs=(), field_reqs=(), limit=0, cont=None):
        """-> (items, list_rv, continue_token, remaining)"""
        with self.lock:
            objs = sorted(self._store(res).items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))
            rv = str(self.rv)
            start = None
            if cont:
                try:
                    c = json.loads(__import__("base64").urlsafe_b64decode(cont + "==").decode())
                    start, rv = tuple(c["start"]), c["rv"]
                except (ValueError, KeyError, TypeError):
                    raise bad_request("continue key is not valid: illegal base64 data at input byte 0")
            items = []
            for (ons, oname), o in objs:
                if ns is not None and res.namespaced and ons != ns:
                    continue
                if start is not None and (ons or "", oname) <= start:
                    continue
                if not labels_match(label_reqs, (o.get("metadata") or {}).get("labels")):
                    continue
                if not fields_match(field_reqs, o):
                    continue
                items.append(o)
            token, remaining = "", None
            if limit and len(items) > limit:
                remaining = len(items) - limit
                items = items[:limit]
                last = items[-1]["metadata"]
                import base64
                token = base64.urlsafe_b64encode(json.dumps(
                    {"start": [last.get("namespace") or "", last["name"]], "rv": rv}).encode()).decode().rstrip("=")
            return [clone(o) for o in items], rv, token, remaining

    # ------------------------------------------------------------------ writes

    def _prepare_new(self, res, ns, obj):
        if not isinstance(obj, dict):
            raise bad_request("the body of the request was in an unknown format")
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise bad_request("metadata must be an object")
        if res.namespaced:
            if meta.get("namespace") and meta["namespace"] != ns:
                raise bad_request("the namespace of the provided object does not match the namespace sent "
                                  "on the request")
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + rand_suffix()
        obj["apiVersion"], obj["kind"] = res.api_version, res.kind

    def create(self, res, ns, obj, manager, dry_run=False):
        with self.lock:
            return self._create_internal(res, ns, obj, manager, dry_run)

    def _create_internal(self, res, ns, obj, manager, dry_run=False, operation="Update"):
        obj = ssa.drop_nulls(clone(obj)) if isinstance(obj, dict) else obj
        self._prepare_new(res, ns, obj)
        meta = obj["metadata"]
        if meta.get("managedFields") and operation == "Update":
            meta.pop("managedFields")
        for k in ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "generation"):
            meta.pop(k, None)
        if res.has_status and res.kind not in ("Namespace", "CustomResourceDefinition"):
            obj["status"] = {}
        apply_defaults(res, obj)
        validate(res, obj)
        self._check_ns(res, ns)
        if (meta.get("namespace"), meta["name"]) in self._store(res):
            raise already_exists(res, meta["name"])
        self._allocate(res, obj, None)
        meta["uid"] = new_uid()
        meta["creationTimestamp"] = now_rfc3339()
        if res.generation:
            meta["generation"] = 1
        if operation == "Update":
            ssa.track_update(res, None, obj, manager)
        if dry_run:
            return obj
        self._commit(res, "ADDED", obj, None)
        if res.kind == "Namespace":
            sa = self.reg.get("", "serviceaccounts")
            self._create_internal(sa, meta["name"], {"apiVersion": "v1", "kind": "ServiceAccount",
                                                     "metadata": {"name": "default"}}, "kube-controller-manager")
        return clone(obj)

    def _allocate(self, res, obj, old):
        if res.kind != "Service":
            return
        spec = obj.setdefault("spec", {})
        ospec = (old or {}).get("spec") or {}
        if spec.get("type") == "ExternalName":
            return
        if not spec.get("clusterIP"):
            if ospec.get("clusterIP"):
                spec["clusterIP"] = ospec["clusterIP"]
            else:
                self._ip += 1
                spec["clusterIP"] = "10.96.%d.%d" % (self._ip // 250, self._ip % 250 + 2)
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            old_ports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in
                         ospec.get("ports") or []}
            for p in spec.get("ports") or []:
                if not p.get("nodePort"):
                    prev = old_ports.get((p.get("port"), p.get("protocol", "TCP")))
                    if prev:
                        p["nodePort"] = prev
                    else:
                        self._node_port += 1
                        p["nodePort"] = self._node_port

    def _finish_update(self, res, old, new, manager, subresource, dry_run, operation="Update"):
        """Common tail of PUT and non-apply PATCH: immutables, defaults, validation, ownership, commit."""
        new = ssa.drop_nulls(new)
        ometa, nmeta = old["metadata"], new.setdefault("metadata", {})
        if nmeta.get("name") and nmeta["name"] != ometa["name"]:
            raise bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                              % (nmeta["name"], ometa["name"]))
        if res.namespaced and nmeta.get("namespace") and nmeta["namespace"] != ometa.get("namespace"):
            raise bad_request("the namespace of the provided object does not match the namespace sent on the "
                              "request")
        rv = nmeta.get("resourceVersion")
        if rv and rv != ometa.get("resourceVersion"):
            raise conflict_modified(res, ometa["name"])
        for k in ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "generation",
                  "deletionGracePeriodSeconds"):
            if k in ometa:
                nmeta[k] = ometa[k]
            else:
                nmeta.pop(k, None)
        if operation == "Update":
            nmeta["managedFields"] = ometa.get("managedFields")
        new["apiVersion"], new["kind"] = res.api_version, res.kind
        if subresource == "status":
            mf, st = nmeta.get("managedFields"), new.get("status")
            new = clone(old)
            new.pop("status", None)
            if st is not None:
                new["status"] = st
            new["metadata"]["managedFields"] = mf
        else:
            if res.has_status:
                if "status" in old:
                    new["status"] = clone(old["status"])
                else:
                    new.pop("status", None)
            apply_defaults(res, new)
            validate(res, new)
            self._immutable(res, old, new)
            self._allocate(res, new, old)
        if res.generation and _spec_part(old) != _spec_part(new):
            new["metadata"]["generation"] = ometa.get("generation", 1) + 1
        if operation == "Update":
            ssa.track_update(res, old, new, manager, subresource)
        new["metadata"]["resourceVersion"] = ometa.get("resourceVersion")
        if not new["metadata"].get("managedFields"):
            new["metadata"].pop("managedFields", None)
        if ssa.same_object(old, new):
            return clone(old)
        if dry_run:
            return new
        if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers"):
            self._commit(res, "DELETED", new, old)
            self._enqueue_gc(res, new, "Background")
            return clone(new)
        self._commit(res, "MODIFIED", new, old)
        return clone(new)

    def _immutable(self, res, old, new):
        if res.kind in ("Deployment", "ReplicaSet"):
            a, b = (old.get("spec") or {}).get("selector"), (new.get("spec") or {}).get("selector")
            if a != b:
                raise invalid(res.kind, res.group, old["metadata"]["name"],
                              [("Invalid", "spec.selector", "%s: field is immutable" % _go_selector(b))])

    def update(self, res, ns, name, obj, manager, subresource="", dry_run=False):
        with self.lock:
            old = self._store(res).get((ns if res.namespaced else None, name))
            if old is None:
                raise not_found(res, name)
            obj = clone(obj) if isinstance(obj, dict) else obj
            if not isinstance(obj, dict):
                raise bad_request("the body of the request was in an unknown format")
            meta = obj.setdefault("metadata", {})
            if not meta.get("resourceVersion"):
                raise invalid(res.kind, res.group, name, [(
                    "Invalid", "metadata.resourceVersion", "0x0: must be specified for an update")])
            return self._finish_update(res, old, obj, manager, subresource, dry_run)

    def patch(self, res, ns, name, ptype, body, manager, subresource="", dry_run=False, force=False):
        with self.lock:
            key = (ns if res.namespaced else None, name)
            old = self._store(res).get(key)
            if ptype == "apply":
                return self._apply(res, ns, name, old, body, manager, subresource, dry_run, force)
            if old is None:
                raise not_found(res, name)
            if ptype == "merge":
                new = patches.json_merge_patch(clone(old), body)
            elif ptype == "strategic":
                if res.crd:
                    raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown "
                                   "format - accepted media types include: application/json-patch+json, "
                                   "application/merge-patch+json, application/apply-patch+yaml")
                new = patches.strategic_merge_patch(res, clone(old), body)
            elif ptype == "json":
                new = patches.json_patch(old, body)
            else:
                raise ApiError(415, "UnsupportedMediaType", "unsupported patch type")
            if not isinstance(new, dict):
                raise bad_request("patch produced a non-object")
            return self._finish_update(res, old, new, manager, subresource, dry_run)

    def _apply(self, res, ns, name, old, cfg, manager, subresource, dry_run, force):
        if not isinstance(cfg, dict):
            raise bad_request("error decoding YAML: the apply patch must be an object")
        cmeta = cfg.get("metadata") if isinstance(cfg.get("metadata"), dict) else {}
        if cmeta.get("managedFields") is not None:
            raise bad_request("metadata.managedFields must be nil")
        av = cfg.get("apiVersion")
        if av != res.api_version:
            raise bad_request("Incorrect version specified in apply patch. Specified patch version: %s, "
                              "expected: %s" % (av or "", res.api_version))
        if cfg.get("kind") != res.kind:
            raise bad_request("Incorrect kind specified in apply patch. Specified patch kind: %s, expected: %s"
                              % (cfg.get("kind") or "", res.kind))
        if cmeta.get("name") and cmeta["name"] != name:
            raise bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                              % (cmeta["name"], name))
        if res.namespaced and cmeta.get("namespace") and cmeta["namespace"] != ns:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the "
                              "request")
        if old is None:
            if subresource:
                raise not_found(res, name)
            if not cmeta.get("name"):
                raise invalid(res.kind, res.group, "", [("Required", "metadata.name",
                                                         "name or generateName is required")])
            new = ssa.server_side_apply(res, None, cfg, manager, force)
            new["metadata"]["name"] = name
            return self._create_internal(res, ns, new, manager, dry_run, operation="Apply")
        rv = cmeta.get("resourceVersion")
        if rv and rv != old["metadata"].get("resourceVersion"):
            raise conflict_modified(res, name)
        new = ssa.server_side_apply(res, old, cfg, manager, force, subresource)
        return self._finish_update(res, old, new, manager, subresource, dry_run, operation="Apply")

    # ------------------------------------------------------------------ delete and garbage collection

    def delete(self, res, ns, name, propagation=None, dry_run=False, preconditions=None):
        """-> (object, deleted_now)"""
        with self.lock:
            key = (ns if res.namespaced else None, name)
            old = self._store(res).get(key)
            if old is None:
                raise not_found(res, name)
            pre = preconditions or {}
            if pre.get("uid") and pre["uid"] != old["metadata"].get("uid"):
                raise ApiError(409, "Conflict", "Precondition failed: UID in precondition: %s, UID in object meta: %s"
                               % (pre["uid"], old["metadata"].get("uid")),
                               {"name": name, "group": res.group, "kind": res.plural} if res.group else
                               {"name": name, "kind": res.plural})
            if pre.get("resourceVersion") and pre["resourceVersion"] != old["metadata"].get("resourceVersion"):
                raise ApiError(409, "Conflict", "Precondition failed: ResourceVersion in precondition: %s, "
                               "ResourceVersion in object meta: %s" % (pre["resourceVersion"],
                                                                       old["metadata"].get("resourceVersion")),
                               {"name": name, "group": res.group, "kind": res.plural} if res.group else
                               {"name": name, "kind": res.plural})
            if propagation is None:
                propagation = "Background"
            if propagation not in ("Foreground", "Background", "Orphan"):
                raise invalid("DeleteOptions", "meta.k8s.io", "", [(
                    "NotSupported", "propagationPolicy", '"%s": supported values: "Foreground", "Background", '
                    '"Orphan", "nil"' % propagation)])
            if dry_run:
                return clone(old), True
            new = clone(old)
            meta = new["metadata"]
            fins = list(meta.get("finalizers") or [])
            if res.kind == "Namespace":
                if name in ("default", "kube-system", "kube-public"):
                    raise ApiError(403, "Forbidden", 'namespaces "%s" is forbidden: this namespace may not be deleted'
                                   % name, {"name": name, "kind": "namespaces"})
                if meta.get("deletionTimestamp"):
                    return clone(old), False
                meta["deletionTimestamp"] = now_rfc3339()
                new.setdefault("status", {})["phase"] = "Terminating"
                self._commit(res, "MODIFIED", new, old)
                self._enqueue_gc(res, new, "Background")
                return clone(new), False
            if propagation == "Foreground" and self._dependents(new["metadata"]["uid"]):
                if "foregroundDeletion" not in fins:
                    fins.append("foregroundDeletion")
                meta["finalizers"] = fins
            if fins:
                if not meta.get("deletionTimestamp"):
                    meta["deletionTimestamp"] = now_rfc3339()
                    meta["deletionGracePeriodSeconds"] = 0
                    self._commit(res, "MODIFIED", new, old)
                if "foregroundDeletion" in fins:
                    self._enqueue_gc(res, new, "Foreground")
                return clone(new), False
            if propagation == "Orphan":
                self._orphan(new["metadata"]["uid"])
            self._commit(res, "DELETED", new, old)
            if propagation != "Orphan":
                self._enqueue_gc(res, new, "Background")
            return clone(new), True

    def _dependents(self, uid):
        out = []
        for key, objs in self.objs.items():
            for o in objs.values():
                for ref in (o.get("metadata") or {}).get("ownerReferences") or []:
                    if ref.get("uid") == uid:
                        out.append((self.res_of(key), o))
                        break
        return out

    def _orphan(self, uid):
        for res, o in self._dependents(uid):
            n = clone(o)
            n["metadata"]["ownerReferences"] = [r for r in n["metadata"]["ownerReferences"] if r.get("uid") != uid]
            if not n["metadata"]["ownerReferences"]:
                del n["metadata"]["ownerReferences"]
            self._commit(res, "MODIFIED", n, o)

    def _enqueue_gc(self, res, obj, mode):
        self.gc_queue.append((res, obj, mode))
        self.gc_cond.notify_all()

    def gc_loop(self, stop):
        """Garbage collector: deletes dependents of deleted owners, namespace contents, foreground owners."""
        while not stop.is_set():
            with self.lock:
                while not self.gc_queue and not stop.is_set():
                    self.gc_cond.wait(0.5)
                if stop.is_set():
                    return
                res, obj, mode = self.gc_queue.pop(0)
                try:
                    self._gc_one(res, obj, mode)
                except ApiError:
                    pass

    def _gc_one(self, res, obj, mode):
        meta = obj["metadata"]
        if res.kind == "Namespace":
            ns = meta["name"]
            for key, objs in self.objs.items():
                r = self.res_of(key)
                if not r.namespaced:
                    continue
                for (ons, oname) in list(objs):
                    if ons == ns:
                        o = objs.get((ons, oname))
                        if o is not None:
                            self._commit(r, "DELETED", clone(o), o)
                            self._enqueue_gc(r, o, "Background")
            cur = self._store(res).get((None, ns))
            if cur is not None:
                self._commit(res, "DELETED", clone(cur), cur)
            return
        deps = self._dependents(meta["uid"])
        for r, o in deps:
            refs = [x for x in o["metadata"].get("ownerReferences") or [] if x.get("uid") != meta["uid"]]
            live_owner = any(self._uid_exists(x.get("uid")) for x in refs)
            if live_owner:
                n = clone(o)
                n["metadata"]["ownerReferences"] = refs
                self._commit(r, "MODIFIED", n, o)
                continue
            if mode == "Foreground":
                try:
                    self.delete(r, o["metadata"].get("namespace"), o["metadata"]["name"], "Foreground")
                except ApiError:
                    pass
            else:
                cur = self._store(r).get((o["metadata"].get("namespace"), o["metadata"]["name"]))
                if cur is not None and not (cur["metadata"].get("finalizers")):
                    self._commit(r, "DELETED", clone(cur), cur)
                    self._enqueue_gc(r, cur, "Background")
                elif cur is not None:
                    self.delete(r, cur["metadata"].get("namespace"), cur["metadata"]["name"])
        if mode == "Foreground":
            cur = self._store(res).get((meta.get("namespace"), meta["name"]))
            if cur is None or cur["metadata"].get("uid") != meta["uid"]:
                return
            if self._dependents(meta["uid"]):
                # wait for the dependents to go, then look again
                threading.Timer(0.05, self._requeue, (res, cur, mode)).start()
                return
            n = clone(cur)
            n["metadata"]["finalizers"] = [f for f in n["metadata"].get("finalizers") or []
                                           if f != "foregroundDeletion"]
            if n["metadata"]["finalizers"]:
                self._commit(res, "MODIFIED", n, cur)
            else:
                del n["metadata"]["finalizers"]
                self._commit(res, "DELETED", n, cur)

    def _requeue(self, res, obj, mode):
        with self.lock:
            if not self.closed:
                self._enqueue_gc(res, obj, mode)

    def _uid_exists(self, uid):
        for objs in self.objs.values():
            for o in objs.values():
                if o["metadata"].get("uid") == uid:
                    return True
        return False

    # ------------------------------------------------------------------ state persistence

    def snapshot(self):
        with self.lock:
            objs = [o for store in self.objs.values() for o in store.values()]
            return {"rv": self.rv, "ip": self._ip, "nodePort": self._node_port, "objects": clone(objs)}

    def restore(self, state):
        with self.lock:
            for store in self.objs.values():
                store.clear()
            for o in state.get("objects", []):
                res = self.reg.for_kind(o.get("apiVersion", ""), o.get("kind", ""))
                if res is None:
                    continue
                self._store(res)[(o["metadata"].get("namespace"), o["metadata"]["name"])] = o
            self.rv = max(self.rv, int(state.get("rv", 0)))
            self._ip = state.get("ip", self._ip)
            self._node_port = state.get("nodePort", self._node_port)
            self.history = []
            self.oldest_rv = self.rv

    # ------------------------------------------------------------------ events

    def record_event(self, involved, etype, reason, message, component="fakeapi"):
        """Creates or bumps a core/v1 Event about `involved` (count aggregation like the event recorder)."""
        evres = self.reg.get("", "events")
        meta = involved["metadata"]
        ns = meta.get("namespace") or "default"
        with self.lock:
            for o in self._store(evres).values():
                io = o.get("involvedObject") or {}
                if (o["metadata"].get("namespace") == ns and io.get("uid") == meta.get("uid")
                        and o.get("reason") == reason and o.get("message") == message):
                    n = clone(o)
                    n["count"] = n.get("count", 1) + 1
                    n["lastTimestamp"] = now_rfc3339()
                    self._commit(evres, "MODIFIED", n, o)
                    return
            now = now_rfc3339()
            ev = {"apiVersion": "v1", "kind": "Event",
                  "metadata": {"name": "%s.%016x" % (meta["name"], random.getrandbits(64)), "namespace": ns},
                  "involvedObject": {"kind": involved.get("kind"), "namespace": ns, "name": meta["name"],
                                     "uid": meta.get("uid"), "apiVersion": involved.get("apiVersion"),
                                     "resourceVersion": meta.get("resourceVersion")},
                  "reason": reason, "message": message, "source": {"component": component},
                  "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": etype,
                  "eventTime": None, "reportingComponent": component, "reportingInstance": ""}
            if involved.get("kind") == "Pod":
                ev["involvedObject"]["fieldPath"] = "spec.containers{%s}" % (
                    ((involved.get("spec") or {}).get("containers") or [{}])[0].get("name", ""))
            try:
                self._create_internal(evres, ns, ev, "kube-controller-manager")
            except ApiError:
                pass


def _go_selector(sel):
    sel = sel or {}
    ml = sel.get("matchLabels")
    mls = "map[string]string{%s}" % ", ".join('"%s":"%s"' % kv for kv in sorted(ml.items())) if ml else \
        "map[string]string(nil)"
    return "v1.LabelSelector{MatchLabels:%s, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}" % mls


__all__ = ["Cluster", "rand_suffix"]
