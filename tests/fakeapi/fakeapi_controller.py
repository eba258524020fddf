"""Simulated controllers of the fake kube-apiserver: deployments, replica sets, HPA, PDB, LoadBalancer
services and Gateway API status; the pod side (kubelet, scenarios, logs) is in fakeapi_kubelet."""
import heapq
import json
import math
import threading
import time

from fakeapi_kubelet import KubeletMixin, _cond, _ready, scenario_of
from fakeapi_store import rand_suffix
from fakeapi_util import ApiError, clone, labels_match, now_rfc3339, selector_from_label_selector

MGR = "kube-controller-manager"
KUBELET = "kubelet"
REV = "deployment.kubernetes.io/revision"
# Annotations the deployment controller never copies from a Deployment to its ReplicaSets
# (annotationsToSkip in kubernetes pkg/controller/deployment/util).
RS_ANNOTATIONS_SKIPPED = {"kubectl.kubernetes.io/last-applied-configuration", REV,
                          "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
                          "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to"}


def _safe_encode(s):
    alnum = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(alnum[ord(c) % len(alnum)] for c in s)


def pod_template_hash(template, collision_count=0):
    t = clone(template or {})
    labels = (t.get("metadata") or {}).get("labels") or {}
    labels.pop("pod-template-hash", None)
    data = json.dumps(t, sort_keys=True).encode()
    h = 0x811c9dc5
    for b in data + str(collision_count or 0).encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return _safe_encode(str(h))


def _owned_by(obj, uid):
    return any(r.get("uid") == uid and r.get("controller") for r in
               (obj.get("metadata") or {}).get("ownerReferences") or [])


def _owner_ref(obj):
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
            "uid": obj["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def _scaled(value, total, round_up):
    if isinstance(value, str) and value.endswith("%"):
        v = int(value[:-1]) * total / 100.0
        return int(math.ceil(v) if round_up else math.floor(v))
    return int(value or 0)


class Controllers(KubeletMixin):
    def __init__(self, cluster, delay=0.1, tick=1.0):
        self.c = cluster
        self.reg = cluster.reg
        self.delay = delay
        self.tick = tick
        self.queue = []
        self.seq = 0
        self.qcond = threading.Condition()
        self.rollout_start = {}  # (deploy uid, hash) -> monotonic time the new RS appeared
        self.stop_event = threading.Event()
        self.thread = None
        self.R = {k: self.reg.by_key.get(k) for k in [
            ("apps", "deployments"), ("apps", "replicasets"), ("", "pods"), ("", "services"),
            ("autoscaling", "horizontalpodautoscalers"), ("policy", "poddisruptionbudgets"),
            ("gateway.networking.k8s.io", "httproutes"), ("gateway.networking.k8s.io", "gateways")]}
        cluster.hooks.append(self._on_change)

    # ------------------------------------------------------------------ queue

    def start(self):
        self.thread = threading.Thread(target=self._run, name="fakeapi-controllers", daemon=True)
        self.thread.start()

    def stop(self):
        self.stop_event.set()
        with self.qcond:
            self.qcond.notify_all()
        if self.thread:
            self.thread.join(timeout=2)

    def enqueue(self, item, delay=None):
        with self.qcond:
            self.seq += 1
            heapq.heappush(self.queue, (time.monotonic() + (self.delay if delay is None else delay), self.seq, item))
            self.qcond.notify_all()

    def _run(self):
        next_tick = time.monotonic() + self.tick
        while not self.stop_event.is_set():
            with self.qcond:
                now = time.monotonic()
                wait = next_tick - now
                if self.queue:
                    wait = min(wait, self.queue[0][0] - now)
                if wait > 0:
                    self.qcond.wait(wait)
                    continue
                item = None
                if self.queue and self.queue[0][0] <= now:
                    item = heapq.heappop(self.queue)[2]
            try:
                if item is not None:
                    self._handle(item)
                elif time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + self.tick
                    self._on_tick()
            except ApiError:
                pass
            except Exception:  # keep the fake alive; a crash here would hang every rollout test
                import traceback
                traceback.print_exc()

    def _on_change(self, etype, res, obj, old):
        kind = res.kind
        meta = obj["metadata"]
        ns = meta.get("namespace")
        if kind == "Deployment" and etype != "DELETED":
            self.enqueue(("deploy", ns, meta["name"]))
        elif kind == "ReplicaSet":
            owner = self._controller_owner(obj, "Deployment")
            if owner and (etype == "DELETED" or (old and old.get("spec") != obj.get("spec"))):
                self.enqueue(("deploy", ns, owner), 0)
            elif not owner and etype != "DELETED":
                self.enqueue(("rs", ns, meta["name"]), 0)
        elif kind == "Pod":
            if etype == "ADDED" and not (obj.get("status") or {}).get("startTime"):
                self.enqueue(("pod-start", ns, meta["name"]))
            owner = self._controller_owner(obj, "ReplicaSet")
            if owner:
                if etype == "ADDED":
                    return
                self.enqueue(("rs", ns, owner), 0)
        elif kind == "HorizontalPodAutoscaler" and etype != "DELETED":
            self.enqueue(("hpa", ns, meta["name"]))
        elif kind == "PodDisruptionBudget" and etype != "DELETED":
            self.enqueue(("pdb", ns, meta["name"]))
        elif kind == "Service" and etype != "DELETED" and (obj.get("spec") or {}).get("type") == "LoadBalancer":
            self.enqueue(("lb", ns, meta["name"]))
        elif kind in ("HTTPRoute", "Gateway") and etype != "DELETED" and (not old or old.get("spec") != obj.get("spec")):
            self.enqueue(("route", ns, meta["name"], kind))

    @staticmethod
    def _controller_owner(obj, kind):
        for r in (obj.get("metadata") or {}).get("ownerReferences") or []:
            if r.get("controller") and r.get("kind") == kind:
                return r.get("name")
        return None

    def _handle(self, item):
        what, ns, name = item[0], item[1], item[2]
        if what == "deploy":
            self.sync_deployment(ns, name)
        elif what == "rs":
            rs = self.c.get_raw(self.R[("apps", "replicasets")], ns, name)
            if rs is not None:
                self.sync_rs(rs)
                owner = self._controller_owner(rs, "Deployment")
                if owner:
                    self.sync_deployment(ns, owner)
        elif what == "pod-start":
            self.start_pod(ns, name)
        elif what == "hpa":
            self.sync_hpa(ns, name)
        elif what == "pdb":
            self.sync_pdb(ns, name)
        elif what == "lb":
            self.sync_lb(ns, name)
        elif what == "route":
            self.sync_route(ns, name, item[3])

    # ------------------------------------------------------------------ helpers for writes

    def _status(self, res, obj, status, manager=MGR):
        if (obj.get("status") or {}) == status:
            return obj
        return self.c.patch(res, obj["metadata"].get("namespace"), obj["metadata"]["name"], "merge",
                            {"status": _nullify(obj.get("status") or {}, status)}, manager, subresource="status")

    def _merge(self, res, obj, patch, manager=MGR):
        return self.c.patch(res, obj["metadata"].get("namespace"), obj["metadata"]["name"], "merge", patch, manager)

    def _owned(self, res, ns, uid):
        with self.c.lock:
            return [o for (ons, _), o in self.c.objs[res.key].items() if ons == ns and _owned_by(o, uid)]

    # ------------------------------------------------------------------ deployments

    def sync_deployment(self, ns, name):
        dres, rsres = self.R[("apps", "deployments")], self.R[("apps", "replicasets")]
        d = self.c.get_raw(dres, ns, name)
        if d is None or d["metadata"].get("deletionTimestamp"):
            return
        spec = d.get("spec") or {}
        uid = d["metadata"]["uid"]
        replicas = spec.get("replicas", 1)
        tpl = spec.get("template") or {}
        rss = self._owned(rsres, ns, uid)
        if spec.get("paused"):
            st = dict(d.get("status") or {}, observedGeneration=d["metadata"].get("generation", 1))
            st["conditions"] = _set_cond(st.get("conditions"), _cond(
                "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused"), upd=True)
            self._status(dres, d, st)
            return
        h = pod_template_hash(tpl, (d.get("status") or {}).get("collisionCount"))
        revs = {o["metadata"]["name"]: int((o["metadata"].get("annotations") or {}).get(REV, "0") or 0) for o in rss}
        max_rev = max(revs.values() or [0])
        new_rs = next((o for o in rss if (o["metadata"].get("labels") or {}).get("pod-template-hash") == h), None)
        created = False
        if new_rs is None:
            new_rs = self._create_rs(d, tpl, h, max_rev + 1, replicas)
            created = True
            self.rollout_start[(uid, h)] = time.monotonic()
            self.c.record_event(d, "Normal", "ScalingReplicaSet", "Scaled up replica set %s from 0 to %d"
                                % (new_rs["metadata"]["name"], replicas), "deployment-controller")
        elif revs.get(new_rs["metadata"]["name"], 0) < max_rev:
            old_rev = revs[new_rs["metadata"]["name"]]
            ann = dict(new_rs["metadata"].get("annotations") or {})
            hist = [x for x in (ann.get("deployment.kubernetes.io/revision-history") or "").split(",") if x]
            ann[REV] = str(max_rev + 1)
            ann["deployment.kubernetes.io/revision-history"] = ",".join(hist + [str(old_rev)])
            new_rs = self._merge(rsres, new_rs, {"metadata": {"annotations": ann}})
            self.rollout_start[(uid, h)] = time.monotonic()
        if not created:
            # The current ReplicaSet keeps the Deployment's annotations in step, as
            # SetNewReplicaSetAnnotations does on every sync (a change without a new template too).
            copied = {k: v for k, v in (d["metadata"].get("annotations") or {}).items()
                      if k not in RS_ANNOTATIONS_SKIPPED}
            have = new_rs["metadata"].get("annotations") or {}
            if any(have.get(k) != v for k, v in copied.items()):
                new_rs = self._merge(rsres, new_rs, {"metadata": {"annotations": copied}})
        # scale the new replica set
        surge = _scaled(((spec.get("strategy") or {}).get("rollingUpdate") or {}).get("maxSurge", "25%"), replicas, True)
        ann = {"deployment.kubernetes.io/desired-replicas": str(replicas),
               "deployment.kubernetes.io/max-replicas": str(replicas + surge)}
        rs_ann = new_rs["metadata"].get("annotations") or {}
        had = (new_rs.get("spec") or {}).get("replicas")
        if had != replicas or any(rs_ann.get(k) != v for k, v in ann.items()):
            new_rs = self._merge(rsres, new_rs, {"spec": {"replicas": replicas}, "metadata": {"annotations": ann}})
            if had != replicas and not created:
                self.c.record_event(d, "Normal", "ScalingReplicaSet", "Scaled %s replica set %s from %d to %d"
                                    % ("up" if replicas > (had or 0) else "down", new_rs["metadata"]["name"],
                                       had or 0, replicas), "deployment-controller")
        new_rs = self.sync_rs(new_rs) or new_rs
        new_avail = (new_rs.get("status") or {}).get("availableReplicas", 0)
        recreate = (spec.get("strategy") or {}).get("type") == "Recreate"
        olds = [o for o in self._owned(rsres, ns, uid) if o["metadata"]["uid"] != new_rs["metadata"]["uid"]]
        for o in olds:
            have = (o.get("spec") or {}).get("replicas", 0)
            if have and (recreate or new_avail >= replicas):
                self._merge(rsres, o, {"spec": {"replicas": 0}})
                self.c.record_event(d, "Normal", "ScalingReplicaSet", "Scaled down replica set %s from %d to 0"
                                    % (o["metadata"]["name"], have), "deployment-controller")
            self.sync_rs(self.c.get_raw(rsres, ns, o["metadata"]["name"]) or o)
        # revision annotation on the deployment
        rev = (new_rs["metadata"].get("annotations") or {}).get(REV)
        if (d["metadata"].get("annotations") or {}).get(REV) != rev:
            d = self._merge(dres, d, {"metadata": {"annotations": {REV: rev}}})
        self._cleanup_history(d, ns, uid, new_rs)
        self._deployment_status(d, new_rs, created)

    def _create_rs(self, d, tpl, h, revision, replicas):
        rsres = self.R[("apps", "replicasets")]
        labels = dict((tpl.get("metadata") or {}).get("labels") or {}, **{"pod-template-hash": h})
        t = clone(tpl)
        t.setdefault("metadata", {})["labels"] = labels
        sel = clone((d.get("spec") or {}).get("selector") or {})
        sel.setdefault("matchLabels", {})["pod-template-hash"] = h
        ann = dict(d["metadata"].get("annotations") or {})
        for k in list(ann):
            if k.startswith("kubectl.kubernetes.io/last-applied") or k == REV:
                del ann[k]
        ann[REV] = str(revision)
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": "%s-%s" % (d["metadata"]["name"], h), "namespace": d["metadata"]["namespace"],
                           "labels": labels, "annotations": ann, "ownerReferences": [_owner_ref(d)]},
              "spec": {"replicas": replicas, "selector": sel, "template": t}}
        return self.c.create(rsres, d["metadata"]["namespace"], rs, MGR)

    def _cleanup_history(self, d, ns, uid, new_rs):
        limit = (d.get("spec") or {}).get("revisionHistoryLimit", 10)
        rsres = self.R[("apps", "replicasets")]
        olds = [o for o in self._owned(rsres, ns, uid) if o["metadata"]["uid"] != new_rs["metadata"]["uid"]
                and not (o.get("spec") or {}).get("replicas") and not (o.get("status") or {}).get("replicas")]
        olds.sort(key=lambda o: int((o["metadata"].get("annotations") or {}).get(REV, "0") or 0))
        for o in olds[:max(0, len(olds) - limit)]:
            try:
                self.c.delete(rsres, ns, o["metadata"]["name"])
            except ApiError:
                pass

    def _deployment_status(self, d, new_rs, created):
        dres, rsres = self.R[("apps", "deployments")], self.R[("apps", "replicasets")]
        d = self.c.get_raw(dres, d["metadata"]["namespace"], d["metadata"]["name"]) or d
        spec = d.get("spec") or {}
        replicas = spec.get("replicas", 1)
        uid = d["metadata"]["uid"]
        rss = self._owned(rsres, d["metadata"]["namespace"], uid)
        tot = lambda f: sum((o.get("status") or {}).get(f, 0) for o in rss)
        new_rs = next((o for o in rss if o["metadata"]["uid"] == new_rs["metadata"]["uid"]), new_rs)
        nst = new_rs.get("status") or {}
        st = {"observedGeneration": d["metadata"].get("generation", 1), "replicas": tot("replicas"),
              "updatedReplicas": nst.get("replicas", 0), "readyReplicas": tot("readyReplicas"),
              "availableReplicas": tot("availableReplicas")}
        st["unavailableReplicas"] = max(replicas - st["availableReplicas"], 0)
        for k in ("readyReplicas", "availableReplicas", "unavailableReplicas", "updatedReplicas", "replicas"):
            if not st[k]:
                del st[k]
        old = d.get("status") or {}
        conds = old.get("conditions")
        max_unavail = _scaled(((spec.get("strategy") or {}).get("rollingUpdate") or {}).get("maxUnavailable", "25%"),
                              replicas, False)
        if (spec.get("strategy") or {}).get("type") == "Recreate":
            max_unavail = replicas
        available = st.get("availableReplicas", 0) >= replicas - max_unavail
        conds = _set_cond(conds, _cond("Available", "True", "MinimumReplicasAvailable",
                                       "Deployment has minimum availability.") if available else
                          _cond("Available", "False", "MinimumReplicasUnavailable",
                                "Deployment does not have minimum availability."), upd=True)
        rsname = new_rs["metadata"]["name"]
        complete = (st.get("updatedReplicas", 0) == replicas and st.get("replicas", 0) == replicas
                    and st.get("availableReplicas", 0) == replicas)
        scen = scenario_of(spec.get("template"))
        h = (new_rs["metadata"].get("labels") or {}).get("pod-template-hash")
        started = self.rollout_start.get((uid, h))
        deadline = spec.get("progressDeadlineSeconds", 600)
        prog = _get_cond(conds, "Progressing")
        if complete:
            pc = _cond("Progressing", "True", "NewReplicaSetAvailable",
                       'ReplicaSet "%s" has successfully progressed.' % rsname)
        elif prog and prog.get("reason") == "ProgressDeadlineExceeded" and rsname in (prog.get("message") or ""):
            pc = prog
        elif (scen == "deadline" and not created) or (
                started is not None and time.monotonic() - started > deadline):
            pc = _cond("Progressing", "False", "ProgressDeadlineExceeded",
                       'ReplicaSet "%s" has timed out progressing.' % rsname)
        elif created:
            pc = _cond("Progressing", "True", "NewReplicaSetCreated", 'Created new replica set "%s"' % rsname)
        else:
            pc = _cond("Progressing", "True", "ReplicaSetUpdated", 'ReplicaSet "%s" is progressing.' % rsname)
        conds = _set_cond(conds, pc, upd=True)
        st["conditions"] = conds
        if old.get("collisionCount") is not None:
            st["collisionCount"] = old["collisionCount"]
        if _strip_times(old) != _strip_times(st):
            self._status(dres, d, st)
        if not complete and pc.get("reason") != "ProgressDeadlineExceeded" and started is not None:
            remaining = deadline - (time.monotonic() - started)
            if remaining < 3600:
                self.enqueue(("deploy", d["metadata"]["namespace"], d["metadata"]["name"]), max(remaining, 0) + 0.01)
        if scen == "deadline" and created:
            self.enqueue(("deploy", d["metadata"]["namespace"], d["metadata"]["name"]))

    # ------------------------------------------------------------------ replica sets and pods

    def sync_rs(self, rs):
        rsres, pres = self.R[("apps", "replicasets")], self.R[("", "pods")]
        rs = self.c.get_raw(rsres, rs["metadata"]["namespace"], rs["metadata"]["name"])
        if rs is None or rs["metadata"].get("deletionTimestamp"):
            return None
        ns = rs["metadata"]["namespace"]
        want = (rs.get("spec") or {}).get("replicas", 1)
        pods = [p for p in self._owned(pres, ns, rs["metadata"]["uid"]) if not p["metadata"].get("deletionTimestamp")]
        tpl = (rs.get("spec") or {}).get("template") or {}
        for _ in range(want - len(pods)):
            p = self._create_pod(rs, tpl)
            pods.append(p)
            self.c.record_event(rs, "Normal", "SuccessfulCreate", "Created pod: %s" % p["metadata"]["name"],
                                "replicaset-controller")
        if len(pods) > want:
            pods.sort(key=lambda p: (_ready(p), p["metadata"]["name"]))
            for p in pods[:len(pods) - want]:
                try:
                    self.c.delete(pres, ns, p["metadata"]["name"])
                    self.c.record_event(rs, "Normal", "SuccessfulDelete", "Deleted pod: %s" % p["metadata"]["name"],
                                        "replicaset-controller")
                except ApiError:
                    pass
            pods = pods[len(pods) - want:]
        ready = sum(1 for p in pods if _ready(p))
        st = {"replicas": len(pods), "fullyLabeledReplicas": len(pods), "readyReplicas": ready,
              "availableReplicas": ready, "observedGeneration": rs["metadata"].get("generation", 1)}
        for k in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
            if not st[k]:
                del st[k]
        return self._status(rsres, rs, st)

    def _create_pod(self, rs, tpl):
        pres = self.R[("", "pods")]
        t = clone(tpl)
        meta = t.get("metadata") or {}
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "%s-%s" % (rs["metadata"]["name"], rand_suffix()),
                            "namespace": rs["metadata"]["namespace"], "labels": meta.get("labels") or {},
                            "ownerReferences": [_owner_ref(rs)]},
               "spec": t.get("spec") or {}}
        if meta.get("annotations"):
            pod["metadata"]["annotations"] = meta["annotations"]
        return self.c.create(pres, rs["metadata"]["namespace"], pod, MGR)

    # ------------------------------------------------------------------ periodic work

    def _on_tick(self):
        pres = self.R[("", "pods")]
        with self.c.lock:
            pods = [p for p in self.c.objs[pres.key].values() if (p.get("status") or {}).get("startTime")
                    and not p["metadata"].get("deletionTimestamp")]
        self.tick_pods(pods)
        for key, kind in ((("policy", "poddisruptionbudgets"), "pdb"),
                          (("autoscaling", "horizontalpodautoscalers"), "hpa")):
            res = self.R.get(key)
            if res is None:
                continue
            with self.c.lock:
                names = [(ns, n) for (ns, n) in self.c.objs[res.key]]
            for ns, n in names:
                (self.sync_pdb if kind == "pdb" else self.sync_hpa)(ns, n)

    # ------------------------------------------------------------------ small controllers

    def sync_hpa(self, ns, name):
        hres, dres = self.R[("autoscaling", "horizontalpodautoscalers")], self.R[("apps", "deployments")]
        h = self.c.get_raw(hres, ns, name)
        if h is None:
            return
        spec = h.get("spec") or {}
        ref = spec.get("scaleTargetRef") or {}
        mn, mx = spec.get("minReplicas", 1), spec.get("maxReplicas", 1)
        d = self.c.get_raw(dres, ns, ref.get("name")) if ref.get("kind") == "Deployment" else None
        now = now_rfc3339()
        if d is None:
            st = {"currentReplicas": 0, "desiredReplicas": 0, "conditions": [
                _cond("AbleToScale", "False", "FailedGetScale",
                      'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "%s" '
                      "not found" % ref.get("name"), now)]}
        else:
            cur = (d.get("spec") or {}).get("replicas", 1)
            # A target scaled to 0 switches the HPA off (ScalingDisabled), as in kube-controller-manager.
            want = cur if cur == 0 and mn != 0 else min(max(cur, mn), mx)
            if want != cur:
                self.c.patch(dres, ns, ref.get("name"), "merge", {"spec": {"replicas": want}}, MGR,
                             subresource="scale")
            st = {"currentReplicas": (d.get("status") or {}).get("replicas", cur), "desiredReplicas": want,
                  "currentMetrics": None, "conditions": [
                      _cond("AbleToScale", "True", "ReadyForNewScale",
                            "recommended size matches current size", now),
                      _cond("ScalingActive", "True", "ValidMetricFound",
                            "the HPA was able to successfully calculate a replica count from cpu resource "
                            "utilization (percentage of request)", now),
                      _cond("ScalingLimited", "False" if mn < want < mx else "True",
                            "DesiredWithinRange" if mn < want < mx else "TooFewReplicas",
                            "the desired count is within the acceptable range" if mn < want < mx else
                            "the desired replica count is less than the minimum replica count", now)]}
            del st["currentMetrics"]
            if cur == 0 and mn != 0:
                st["conditions"][1] = _cond("ScalingActive", "False", "ScalingDisabled",
                                            "scaling is disabled since the replica count of the target is zero", now)
        old = h.get("status") or {}
        st["conditions"] = [_keep_time(old.get("conditions"), c) for c in st["conditions"]]
        if old != st:
            self._status(hres, h, st)

    def sync_pdb(self, ns, name):
        pres, podres = self.R[("policy", "poddisruptionbudgets")], self.R[("", "pods")]
        p = self.c.get_raw(pres, ns, name)
        if p is None:
            return
        spec = p.get("spec") or {}
        reqs = selector_from_label_selector(spec.get("selector"))
        with self.c.lock:
            pods = [o for (ons, _), o in self.c.objs[podres.key].items()
                    if ons == ns and reqs and labels_match(reqs, o["metadata"].get("labels"))]
        expected = len(pods)
        healthy = sum(1 for o in pods if _ready(o))
        if "minAvailable" in spec:
            desired = _scaled(spec["minAvailable"], expected, True)
        elif "maxUnavailable" in spec:
            desired = max(expected - _scaled(spec["maxUnavailable"], expected, True), 0)
        else:
            desired = expected
        allowed = max(healthy - desired, 0)
        st = {"observedGeneration": p["metadata"].get("generation", 1), "disruptionsAllowed": allowed,
              "currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": expected,
              "conditions": [_cond("DisruptionAllowed", "True" if allowed else "False",
                                   "SufficientPods" if allowed else "InsufficientPods", "")]}
        st["conditions"][0]["message"] = ""
        st["conditions"][0]["observedGeneration"] = st["observedGeneration"]
        old = p.get("status") or {}
        st["conditions"] = [_keep_time(old.get("conditions"), c) for c in st["conditions"]]
        if old != st:
            self._status(pres, p, st)

    def sync_lb(self, ns, name):
        sres = self.R[("", "services")]
        s = self.c.get_raw(sres, ns, name)
        if s is None or (s.get("spec") or {}).get("type") != "LoadBalancer":
            return
        if ((s.get("status") or {}).get("loadBalancer") or {}).get("ingress"):
            return
        n = sum(map(ord, ns + name)) % 200 + 10
        self._status(sres, s, {"loadBalancer": {"ingress": [{"ip": "172.18.255.%d" % n, "ipMode": "VIP"}]}},
                     "cloud-controller-manager")

    def sync_route(self, ns, name, kind):
        res = self.R.get(("gateway.networking.k8s.io", kind.lower() + "s"))
        if res is None:
            return
        o = self.c.get_raw(res, ns, name)
        if o is None:
            return
        now = now_rfc3339()
        gen = o["metadata"].get("generation", 1)
        if kind == "HTTPRoute":
            parents = []
            for ref in (o.get("spec") or {}).get("parentRefs") or []:
                pr = dict({"group": "gateway.networking.k8s.io", "kind": "Gateway"}, **ref)
                parents.append({"parentRef": pr, "controllerName": "gateway.envoyproxy.io/gatewayclass-controller",
                                "conditions": [
                                    dict(_cond("Accepted", "True", "Accepted", "Route is accepted", now),
                                         observedGeneration=gen),
                                    dict(_cond("ResolvedRefs", "True", "ResolvedRefs",
                                               "Resolved all the Object references for the Route", now),
                                         observedGeneration=gen)]})
            st = {"parents": parents}
        else:
            st = {"addresses": [{"type": "IPAddress", "value": "172.18.255.200"}], "conditions": [
                dict(_cond("Accepted", "True", "Accepted", "The Gateway has been scheduled by Envoy Gateway", now),
                     observedGeneration=gen),
                dict(_cond("Programmed", "True", "Programmed", "Address assigned to the Gateway, 1/1 envoy "
                           "replicas available", now), observedGeneration=gen)]}
        self._status(res, o, st, "envoy-gateway")


# --------------------------------------------------------------------------- module helpers

def _get_cond(conds, ctype):
    return next((c for c in conds or [] if c.get("type") == ctype), None)


def _set_cond(conds, new, upd=False):
    conds = [dict(c) for c in conds or []]
    now = new["lastTransitionTime"]
    for i, c in enumerate(conds):
        if c.get("type") == new["type"]:
            n = dict(new)
            if c.get("status") == new["status"]:
                n["lastTransitionTime"] = c.get("lastTransitionTime", now)
                if upd and c.get("reason") == new.get("reason") and c.get("message") == new.get("message"):
                    n["lastUpdateTime"] = c.get("lastUpdateTime", now)
            if upd:
                n.setdefault("lastUpdateTime", now)
                n = {k: n[k] for k in ("type", "status", "lastUpdateTime", "lastTransitionTime", "reason", "message")
                     if k in n}
            conds[i] = n
            return conds
    n = dict(new)
    if upd:
        n["lastUpdateTime"] = now
        n = {k: n[k] for k in ("type", "status", "lastUpdateTime", "lastTransitionTime", "reason", "message") if k in n}
    conds.append(n)
    return conds


def _keep_time(old_conds, c):
    o = _get_cond(old_conds, c["type"])
    if o and o.get("status") == c.get("status"):
        return dict(c, lastTransitionTime=o.get("lastTransitionTime", c.get("lastTransitionTime")))
    return c


def _strip_times(st):
    st = clone(st)
    for c in st.get("conditions") or []:
        c.pop("lastUpdateTime", None)
        c.pop("lastTransitionTime", None)
    return st


def _nullify(old, new):
    """A merge patch that turns `old` into `new` (keys missing in new become null)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    out = {}
    for k in old:
        if k not in new:
            out[k] = None
    for k, v in new.items():
        out[k] = _nullify(old.get(k), v) if isinstance(v, dict) and isinstance(old.get(k), dict) else v
    return out
