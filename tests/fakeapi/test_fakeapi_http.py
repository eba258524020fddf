#!/usr/bin/env python3
"""API semantics of the fake kube-apiserver over plain HTTP (no kubectl needed): discovery, selectors, paging,
server-side apply ownership, patches, deletion and garbage collection, watch filtering, subresources, the
simulated controllers' scenarios, 401/403, and the CLI (port file, SIGTERM, --state-dir).

Run: python3 tests/fakeapi/test_fakeapi_http.py
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from fakeapi import FakeApiServer  # noqa: E402

APPLY = "application/apply-patch+yaml"
CM = "/api/v1/namespaces/default/configmaps"
DEPLOY = "/apis/apps/v1/namespaces/default/deployments"


def call(base, path, method="GET", body=None, ctype="application/json", headers=None, timeout=5):
    if isinstance(body, str):
        data = body.encode()
    elif body is not None:
        data = json.dumps(body).encode()
    else:
        data = None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers=dict({"Content-Type": ctype}, **(headers or {})))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode()), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), e.headers


def deployment(name, image="ghcr.io/acme/web:1.0", replicas=None, annotations=None, deadline=None):
    spec = {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "app", "image": image}]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    if annotations:
        spec["template"]["metadata"]["annotations"] = annotations
    if deadline is not None:
        spec["progressDeadlineSeconds"] = deadline
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


class Base(unittest.TestCase):
    server_args = {}

    @classmethod
    def setUpClass(cls):
        cls.srv = FakeApiServer(**dict({"controller_delay": 0.02, "tick": 0.2}, **cls.server_args)).start()
        cls.base = cls.srv.url

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def req(self, path, method="GET", body=None, ctype="application/json", **kw):
        return call(self.base, path, method, body, ctype, **kw)

    def ok(self, path, method="GET", body=None, ctype="application/json", want=(200, 201), **kw):
        code, obj, _ = self.req(path, method, body, ctype, **kw)
        self.assertIn(code, want, obj)
        return obj

    def apply(self, path, obj, manager="test", force=False, dry=False):
        q = "?fieldManager=" + manager + ("&force=true" if force else "") + ("&dryRun=All" if dry else "")
        return self.req(path + q, "PATCH", obj, APPLY)

    def eventually(self, fn, timeout=5.0, what="condition"):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            last = fn()
            if last:
                return last
            time.sleep(0.03)
        self.fail("timed out waiting for %s (last: %r)" % (what, last))


class Discovery(Base):
    server_args = {"disabled_crds": ["istio"], "controller": False}

    def test_aggregated_and_legacy(self):
        code, body, h = self.req("/apis", headers={"Accept": "application/json;g=apidiscovery.k8s.io;v=v2;"
                                                             "as=APIGroupDiscoveryList,application/json"})
        self.assertEqual(code, 200)
        self.assertEqual(h["Content-Type"], "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
        self.assertEqual(body["kind"], "APIGroupDiscoveryList")
        groups = {i["metadata"]["name"]: i for i in body["items"]}
        self.assertIn("gateway.envoyproxy.io", groups)
        self.assertNotIn("networking.istio.io", groups)
        deploy = [r for r in groups["apps"]["versions"][0]["resources"] if r["resource"] == "deployments"][0]
        self.assertEqual(deploy["scope"], "Namespaced")
        self.assertEqual({s["subresource"]: s["responseKind"]["kind"] for s in deploy["subresources"]},
                         {"status": "Deployment", "scale": "Scale"})
        legacy = self.ok("/apis")
        self.assertEqual(legacy["kind"], "APIGroupList")
        core = self.ok("/api/v1")
        names = {r["name"]: r for r in core["resources"]}
        self.assertEqual(names["pods/log"]["verbs"], ["get"])
        self.assertEqual(names["namespaces"]["namespaced"], False)
        self.assertEqual(self.ok("/api")["versions"], ["v1"])
        self.assertEqual(self.ok("/version")["gitVersion"], "v1.32.4")

    def test_switched_off_group_is_404(self):
        code, st, _ = self.req("/apis/networking.istio.io/v1/namespaces/default/virtualservices")
        self.assertEqual(code, 404)
        self.assertEqual(st, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                              "message": "the server could not find the requested resource", "reason": "NotFound",
                              "details": {}, "code": 404})
        self.assertEqual(self.req("/apis/security.istio.io/v1")[0], 404)
        self.assertEqual(self.req("/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes")[0], 200)


class Storage(Base):
    server_args = {"controller": False}

    def test_label_and_field_selectors_and_paging(self):
        for name, labels in (("s1", {"app": "a", "tier": "web"}), ("s2", {"app": "b", "tier": "web"}),
                             ("s3", {"app": "c"})):
            self.ok(CM, "POST", {"metadata": {"name": name, "labels": labels}})

        def names(sel, field=None):
            q = "?labelSelector=" + urllib.parse.quote(sel)
            if field:
                q += "&fieldSelector=" + urllib.parse.quote(field)
            return sorted(i["metadata"]["name"] for i in self.ok(CM + q)["items"] if i["metadata"]["name"][0] == "s")

        self.assertEqual(names("app=a"), ["s1"])
        self.assertEqual(names("app==a"), ["s1"])
        self.assertEqual(names("app!=a"), ["s2", "s3"])
        self.assertEqual(names("app in (a,c)"), ["s1", "s3"])
        self.assertEqual(names("app notin (a,c)"), ["s2"])
        self.assertEqual(names("tier"), ["s1", "s2"])
        self.assertEqual(names("!tier"), ["s3"])
        self.assertEqual(names("tier=web,app notin (a)"), ["s2"])
        self.assertEqual(names("", "metadata.name=s3"), ["s3"])
        page = self.ok(CM + "?limit=2&labelSelector=app")
        self.assertEqual(len(page["items"]), 2)
        self.assertTrue(page["metadata"]["continue"])
        rest = self.ok(CM + "?limit=2&labelSelector=app&continue=" + page["metadata"]["continue"])
        self.assertEqual(len(rest["items"]), 1)
        self.assertNotIn("continue", rest["metadata"])
        self.assertNotIn("kind", page["items"][0], "built-in list items carry no kind, like the real server")

    def test_update_conflict_generation_and_merge_patch(self):
        d = self.ok(DEPLOY, "POST", deployment("gen"))
        self.assertEqual(d["metadata"]["generation"], 1)
        stale = dict(d)
        d2 = self.ok(DEPLOY + "/gen", "PATCH", {"metadata": {"labels": {"x": "y"}}},
                     "application/merge-patch+json")
        self.assertEqual(d2["metadata"]["generation"], 1, "metadata changes keep the generation")
        self.assertGreater(int(d2["metadata"]["resourceVersion"]), int(d["metadata"]["resourceVersion"]))
        code, st, _ = self.req(DEPLOY + "/gen", "PUT", stale)
        self.assertEqual(code, 409)
        self.assertEqual(st["reason"], "Conflict")
        self.assertEqual(st["message"], 'Operation cannot be fulfilled on deployments.apps "gen": the object has '
                                        "been modified; please apply your changes to the latest version and try again")
        d3 = self.ok(DEPLOY + "/gen", "PATCH", {"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "ghcr.io/acme/web:2.0"}]}}}}, "application/strategic-merge-patch+json")
        self.assertEqual(d3["metadata"]["generation"], 2)
        self.assertEqual(d3["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent",
                         "strategic merge keeps the other fields of the container")
        code, st, _ = self.req(DEPLOY + "/gen", "PUT", dict(d3, metadata={"name": "gen"}))
        self.assertEqual(code, 422)
        self.assertIn("metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", st["message"])

    def test_status_shapes(self):
        code, st, _ = self.req(DEPLOY + "/missing")
        self.assertEqual((code, st["message"], st["details"]), (404, 'deployments.apps "missing" not found',
                                                                 {"name": "missing", "group": "apps",
                                                                  "kind": "deployments"}))
        self.ok(CM, "POST", {"metadata": {"name": "dup"}})
        code, st, _ = self.req(CM, "POST", {"metadata": {"name": "dup"}})
        self.assertEqual((code, st["reason"], st["message"]), (409, "AlreadyExists", 'configmaps "dup" already exists'))
        code, st, _ = self.req(CM, "POST", {"metadata": {}})
        self.assertEqual(code, 422)
        self.assertEqual(st["message"], 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName '
                                        "is required")
        self.assertEqual(st["details"]["causes"], [{"reason": "FieldValueRequired", "field": "metadata.name",
                                                    "message": "Required value: name or generateName is required"}])
        bad = deployment("bad")
        bad["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
        code, st, _ = self.apply(DEPLOY + "/bad", bad)
        self.assertEqual(code, 422)
        self.assertEqual(st["message"], 'Deployment.apps "bad" is invalid: spec.template.metadata.labels: Invalid '
                                        'value: map[string]string{"app":"other"}: `selector` does not match template '
                                        "`labels`")
        code, st, _ = self.req("/api/v1/namespaces/nope/configmaps", "POST", {"metadata": {"name": "x"}})
        self.assertEqual((code, st["message"]), (404, 'namespaces "nope" not found'))


class ServerSideApply(Base):
    server_args = {"controller": False}

    def cm(self, data, name="own", labels=None):
        meta = {"name": name}
        if labels:
            meta["labels"] = labels
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}

    def test_yaml_body_create_and_managed_fields(self):
        body = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yamlcm\n  labels:\n    app: web  # comment\n"
                "data:\n  script: |\n    echo hi\n    exit 0\n  n: '8080'\n")
        code, obj, _ = self.req(CM + "/yamlcm?fieldManager=yamler", "PATCH", body, APPLY)
        self.assertEqual(code, 201, obj)
        self.assertEqual(obj["data"], {"script": "echo hi\nexit 0\n", "n": "8080"})
        mf = obj["metadata"]["managedFields"]
        self.assertEqual([(m["manager"], m["operation"]) for m in mf], [("yamler", "Apply")])
        self.assertEqual(mf[0]["fieldsV1"], {"f:data": {"f:n": {}, "f:script": {}},
                                             "f:metadata": {"f:labels": {"f:app": {}}}})

    def test_removed_fields_go_unless_someone_else_owns_them(self):
        self.assertEqual(self.apply(CM + "/own", self.cm({"a": "1", "b": "2"}, labels={"x": "1"}), "m1")[0], 201)
        self.assertEqual(self.apply(CM + "/own", self.cm({"b": "2", "c": "3"}), "m2")[0], 200)
        code, o, _ = self.apply(CM + "/own", self.cm({"a": "1"}), "m1")
        self.assertEqual(o["data"], {"a": "1", "b": "2", "c": "3"}, "b is still owned by m2")
        self.assertNotIn("labels", o["metadata"], "the label only m1 owned is gone")
        code, o, _ = self.apply(CM + "/own", self.cm({"c": "3"}), "m2")
        self.assertEqual(o["data"], {"a": "1", "c": "3"})
        rv = o["metadata"]["resourceVersion"]
        code, o, _ = self.apply(CM + "/own", self.cm({"c": "3"}), "m2")
        self.assertEqual(o["metadata"]["resourceVersion"], rv, "a no-op apply does not write")

    def test_conflicts_force_and_dry_run(self):
        self.apply(CM + "/cf", self.cm({"a": "1", "b": "1"}, "cf"), "alpha")
        self.ok(CM + "/cf?fieldManager=editor", "PATCH", {"data": {"b": "2"}}, "application/merge-patch+json")
        code, st, _ = self.apply(CM + "/cf", self.cm({"a": "9", "b": "9"}, "cf"), "beta")
        self.assertEqual(code, 409)
        self.assertEqual(st["reason"], "Conflict")
        self.assertEqual(st["message"], 'Apply failed with 2 conflicts: conflicts with "alpha":\n- .data.a\n'
                                        'conflicts with "editor" using v1:\n- .data.b')
        self.assertEqual(st["details"], {"causes": [
            {"reason": "FieldManagerConflict", "message": 'conflict with "alpha"', "field": ".data.a"},
            {"reason": "FieldManagerConflict", "message": 'conflict with "editor" using v1', "field": ".data.b"}]})
        code, o, _ = self.apply(CM + "/cf", self.cm({"a": "9", "b": "9"}, "cf"), "beta", force=True, dry=True)
        self.assertEqual((code, o["data"]), (200, {"a": "9", "b": "9"}))
        self.assertEqual(self.ok(CM + "/cf")["data"], {"a": "1", "b": "2"}, "dryRun=All persists nothing")
        code, o, _ = self.apply(CM + "/cf", self.cm({"a": "9"}, "cf"), "beta", force=True)
        self.assertEqual(o["data"], {"a": "9", "b": "2"})
        owners = {m["manager"]: m["fieldsV1"] for m in o["metadata"]["managedFields"]}
        self.assertEqual(owners, {"beta": {"f:data": {"f:a": {}}}, "editor": {"f:data": {"f:b": {}}}},
                         "alpha lost b to the update and a to the forced apply, so it is gone")

    def test_option_errors(self):
        code, st, _ = self.req(CM + "/x", "PATCH", self.cm({}, "x"), APPLY)
        self.assertEqual(code, 422)
        self.assertIn("fieldManager: Required value: is required for apply patch", st["message"])
        code, st, _ = self.req(CM + "/x?fieldManager=a&force=true", "PATCH", {"data": {}},
                               "application/merge-patch+json")
        self.assertEqual(code, 422)
        self.assertIn("force: Forbidden: may not be specified for non-apply patch", st["message"])
        obj = self.cm({}, "x")
        obj["metadata"]["managedFields"] = [{"manager": "a"}]
        self.assertEqual(self.apply(CM + "/x", obj)[1]["message"], "metadata.managedFields must be nil")
        obj = dict(self.cm({}, "x"), apiVersion="v2")
        self.assertEqual(self.apply(CM + "/x", obj)[0], 400)
        obj = self.cm({})
        del obj["metadata"]["name"]
        code, st, _ = self.apply(CM + "/x", obj)
        self.assertEqual((code, st["reason"]), (422, "Invalid"))

    def test_keyed_lists_merge_by_key(self):
        d = deployment("keyed")
        d["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
        self.assertEqual(self.apply(DEPLOY + "/keyed", d, "a")[0], 201)
        side = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "keyed"},
                "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "envoy:1"}]}}}}
        code, o, _ = self.apply(DEPLOY + "/keyed", side, "b")
        self.assertEqual(code, 200, o)
        self.assertEqual([c["name"] for c in o["spec"]["template"]["spec"]["containers"]], ["app", "sidecar"])
        self.assertEqual(o["spec"]["template"]["spec"]["containers"][0]["ports"],
                         [{"containerPort": 80, "protocol": "TCP"}])
        code, o, _ = self.apply(DEPLOY + "/keyed", {"apiVersion": "apps/v1", "kind": "Deployment",
                                                    "metadata": {"name": "keyed"}}, "b")
        self.assertEqual([c["name"] for c in o["spec"]["template"]["spec"]["containers"]], ["app"])


class DeletionAndWatch(Base):
    def wait_rs(self, app):
        return self.eventually(lambda: self.ok("/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3D"
                                               + app)["items"], what="replica set of " + app)

    def test_background_foreground_orphan(self):
        for name in ("bg", "fg", "or"):
            self.ok(DEPLOY, "POST", deployment(name))
            self.wait_rs(name)
            self.eventually(lambda: self.ok("/api/v1/namespaces/default/pods?labelSelector=app%3D" + name)["items"])
        st = self.ok(DEPLOY + "/bg", "DELETE", {"kind": "DeleteOptions", "apiVersion": "v1",
                                                "propagationPolicy": "Background"})
        self.assertEqual((st["kind"], st["status"], st["details"]["kind"]), ("Status", "Success", "deployments"))
        self.eventually(lambda: not self.ok("/api/v1/namespaces/default/pods?labelSelector=app%3Dbg")["items"],
                        what="pods of bg collected")
        code, obj, _ = self.req(DEPLOY + "/fg", "DELETE", {"propagationPolicy": "Foreground"})
        self.assertIn(code, (200, 202))
        self.assertIn("foregroundDeletion", obj["metadata"].get("finalizers", []))
        self.assertTrue(obj["metadata"].get("deletionTimestamp"))
        self.eventually(lambda: self.req(DEPLOY + "/fg")[0] == 404, what="foreground delete to finish")
        self.assertEqual(self.ok("/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dfg")["items"], [])
        self.ok(DEPLOY + "/or?propagationPolicy=Orphan", "DELETE")
        time.sleep(0.2)
        rs = self.wait_rs("or")[0]
        self.assertNotIn("ownerReferences", rs["metadata"])

    def test_finalizers_hold_deletion(self):
        self.ok(CM, "POST", {"metadata": {"name": "held", "finalizers": ["example.com/keep"]}})
        code, obj, _ = self.req(CM + "/held", "DELETE")
        self.assertEqual(code, 202)
        self.assertTrue(obj["metadata"]["deletionTimestamp"])
        self.assertEqual(self.req(CM + "/held")[0], 200)
        self.ok(CM + "/held", "PATCH", {"metadata": {"finalizers": None}}, "application/merge-patch+json")
        self.assertEqual(self.req(CM + "/held")[0], 404)

    def test_namespace_deletion_removes_contents(self):
        self.ok("/api/v1/namespaces", "POST", {"metadata": {"name": "gone"}})
        self.ok("/api/v1/namespaces/gone/configmaps", "POST", {"metadata": {"name": "c"}})
        self.assertEqual(self.ok("/api/v1/namespaces/gone/serviceaccounts/default")["metadata"]["name"], "default")
        ns = self.ok("/api/v1/namespaces/gone", "DELETE", want=(200, 202))
        self.assertEqual(ns["status"]["phase"], "Terminating")
        self.eventually(lambda: self.req("/api/v1/namespaces/gone")[0] == 404, what="namespace gone")
        self.assertEqual(self.req("/api/v1/namespaces/gone/configmaps/c")[0], 404)

    def test_watch_follows_label_selector_transitions_and_initial_events(self):
        self.ok(CM, "POST", {"metadata": {"name": "wl", "labels": {"w": "yes"}}})
        rv = self.ok(CM)["metadata"]["resourceVersion"]

        def changes():
            time.sleep(0.2)
            self.ok(CM + "/wl", "PATCH", {"metadata": {"labels": {"w": "no"}}}, "application/merge-patch+json")
            self.ok(CM + "/wl", "PATCH", {"metadata": {"labels": {"w": "yes"}}}, "application/merge-patch+json")

        t = threading.Thread(target=changes)
        t.start()
        events = self.watch("labelSelector=w%3Dyes&timeoutSeconds=1&resourceVersion=" + rv)
        t.join()
        self.assertEqual([e["type"] for e in events], ["DELETED", "ADDED"])
        events = self.watch("labelSelector=w%3Dyes&timeoutSeconds=1&sendInitialEvents=true&allowWatchBookmarks=true"
                            "&resourceVersionMatch=NotOlderThan")
        self.assertEqual([e["type"] for e in events], ["ADDED", "BOOKMARK"])
        self.assertEqual(events[1]["object"]["metadata"]["annotations"], {"k8s.io/initial-events-end": "true"})

    def watch(self, query):
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=5)
        try:
            conn.request("GET", CM + "?watch=true&" + query)
            resp = conn.getresponse()
            return [json.loads(line) for line in resp.read().splitlines() if line.strip()]
        finally:
            conn.close()


class Subresources(Base):
    def test_scale_status_and_hpa(self):
        self.ok(DEPLOY, "POST", deployment("sc", replicas=1))
        scale = self.ok(DEPLOY + "/sc/scale")
        self.assertEqual((scale["kind"], scale["spec"]["replicas"], scale["status"]["selector"]),
                         ("Scale", 1, "app=sc"))
        self.ok(DEPLOY + "/sc/scale", "PATCH", {"spec": {"replicas": 2}}, "application/merge-patch+json")
        self.eventually(lambda: self.ok(DEPLOY + "/sc").get("status", {}).get("readyReplicas") == 2,
                        what="2 ready replicas")
        d = self.ok(DEPLOY + "/sc")
        code, d2, _ = self.req(DEPLOY + "/sc/status", "PUT",
                               dict(d, spec=dict(d["spec"], replicas=7), status=dict(d["status"], replicas=99)))
        self.assertEqual(code, 200)
        self.assertEqual((d2["spec"]["replicas"], d2["status"]["replicas"]), (2, 99), "status PUT touches status only")
        self.ok("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers", "POST", {
            "metadata": {"name": "sc"}, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                                                    "name": "sc"}, "minReplicas": 3, "maxReplicas": 5}})
        self.eventually(lambda: self.ok(DEPLOY + "/sc")["spec"]["replicas"] == 3, what="HPA to raise replicas")
        hpa = self.eventually(lambda: self.ok("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/sc")
                              .get("status", {}).get("conditions") and
                              self.ok("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/sc"))
        self.assertEqual(hpa["status"]["desiredReplicas"], 3)


class ServiceProxy(Base):
    def test_proxy_needs_a_ready_endpoint(self):
        self.ok("/api/v1/namespaces/default/services", "POST", {
            "metadata": {"name": "px"}, "spec": {"selector": {"app": "px"}, "ports": [{"name": "http", "port": 80}]}})
        code, st, _ = self.req("/api/v1/namespaces/default/services/px:http/proxy/v1/x")
        self.assertEqual((code, st["reason"], st["message"]),
                         (503, "ServiceUnavailable", 'no endpoints available for service "px:http"'))
        self.ok(DEPLOY, "POST", deployment("px"))
        self.eventually(lambda: self.req("/api/v1/namespaces/default/services/px:http/proxy/")[0] == 200,
                        what="an endpoint")
        echo = self.ok("/api/v1/namespaces/default/services/px:http/proxy/v1/predict?x=1", "POST", {"in": 1},
                       headers={"Authorization": "Bearer tok", "X-User": "me"})
        self.assertEqual((echo["method"], echo["path"], echo["query"], echo["port"]), ("POST", "/v1/predict", "x=1",
                                                                                       "http"))
        self.assertEqual(json.loads(echo["body"]), {"in": 1})
        self.assertEqual(echo["headers"]["X-User"], "me")
        self.assertNotIn("Authorization", echo["headers"], "kube-apiserver does not forward the caller's credentials")
        self.assertTrue(echo["pod"].startswith("px-"))
        self.assertEqual(self.req("/api/v1/namespaces/default/services/none/proxy/")[0], 404)


class Scenarios(Base):
    def pods(self, app):
        return self.ok("/api/v1/namespaces/default/pods?labelSelector=app%3D" + app)["items"]

    def started(self, app):
        return self.eventually(lambda: [p for p in self.pods(app) if p.get("status", {}).get("conditions")],
                               what="pod of %s started" % app)[0]

    def events(self, name):
        return [e for e in self.ok("/api/v1/namespaces/default/events")["items"]
                if e["involvedObject"]["name"] == name]

    def test_crashloop(self):
        self.ok(DEPLOY, "POST", deployment("cl", image="ghcr.io/acme/crashloop:1", deadline=1))
        pod = self.started("cl")
        cs = pod["status"]["containerStatuses"][0]
        self.assertEqual(cs["state"]["waiting"]["reason"], "CrashLoopBackOff")
        self.assertEqual(cs["lastState"]["terminated"]["exitCode"], 1)
        name = pod["metadata"]["name"]
        self.eventually(lambda: self.ok("/api/v1/namespaces/default/pods/" + name)["status"]["containerStatuses"][0]
                        ["restartCount"] >= 2, what="restartCount to climb")
        logs = self.ok("/api/v1/namespaces/default/pods/%s/log?previous=true" % name)
        self.assertIn("Error: failed to load configuration", logs)
        self.assertTrue(any(e["reason"] == "BackOff" for e in self.events(name)))
        cond = self.eventually(lambda: [c for c in self.ok(DEPLOY + "/cl").get("status", {}).get("conditions", [])
                                        if c["reason"] == "ProgressDeadlineExceeded"], timeout=6,
                               what="progressDeadlineSeconds=1 to pass")
        self.assertEqual(cond[0]["status"], "False")

    def test_imagepull(self):
        self.ok(DEPLOY, "POST", deployment("ip", image="registry.example.com/team/imagepull:9"))
        pod = self.started("ip")
        w = pod["status"]["containerStatuses"][0]["state"]["waiting"]
        self.assertEqual(w["reason"], "ErrImagePull")
        self.assertIn('failed to pull and unpack image "registry.example.com/team/imagepull:9"', w["message"])
        name = pod["metadata"]["name"]
        self.eventually(lambda: self.ok("/api/v1/namespaces/default/pods/" + name)["status"]["containerStatuses"][0]
                        ["state"]["waiting"]["reason"] == "ImagePullBackOff", what="ImagePullBackOff")
        code, st, _ = self.req("/api/v1/namespaces/default/pods/%s/log" % name)
        self.assertEqual((code, st["reason"]), (400, "BadRequest"))
        self.assertEqual(st["message"], 'container "app" in pod "%s" is waiting to start: trying and failing to pull '
                                        "image" % name)

    def test_unschedulable_and_probefail(self):
        self.ok(DEPLOY, "POST", deployment("us", annotations={"fakeapi.test/scenario": "unschedulable"}))
        self.ok(DEPLOY, "POST", deployment("pf", image="ghcr.io/acme/probefail:1"))
        pod = self.started("us")
        self.assertEqual(pod["status"]["phase"], "Pending")
        self.assertEqual([(c["type"], c["status"], c["reason"]) for c in pod["status"]["conditions"]],
                         [("PodScheduled", "False", "Unschedulable")])
        self.assertTrue(any(e["reason"] == "FailedScheduling" and e["type"] == "Warning"
                            for e in self.events(pod["metadata"]["name"])))
        pod = self.started("pf")
        self.assertEqual(pod["status"]["phase"], "Running")
        ready = [c for c in pod["status"]["conditions"] if c["type"] == "Ready"][0]
        self.assertEqual(ready["status"], "False")
        unhealthy = [e for e in self.events(pod["metadata"]["name"]) if e["reason"] == "Unhealthy"]
        self.assertTrue(unhealthy and unhealthy[0]["message"].startswith("Readiness probe failed: "))
        d = self.ok(DEPLOY + "/pf")
        self.assertEqual(d["status"].get("availableReplicas", 0), 0)


class AuthStatus(Base):
    server_args = {"tokens": ["good:bob"], "controller": False}

    def test_401_and_403(self):
        code, st, _ = self.req("/api/v1/namespaces")
        self.assertEqual(st, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                              "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
        self.assertEqual(self.req("/version")[0], 200, "/version stays public")
        self.assertEqual(self.req("/version", headers={"Authorization": "Bearer bad"})[0], 401)
        auth = {"Authorization": "Bearer good"}
        self.assertEqual(self.req("/api/v1/namespaces", headers=auth)[0], 200)
        self.ok("/__fake/deny", "POST", {"user": "bob", "verb": "patch", "resource": "deployments"})
        code, st, _ = self.req(DEPLOY + "/web?fieldManager=x", "PATCH", deployment("web"), APPLY, headers=auth)
        self.assertEqual(code, 403)
        self.assertEqual(st["message"], 'deployments.apps "web" is forbidden: User "bob" cannot patch resource '
                                        '"deployments" in API group "apps" in the namespace "default"')
        self.assertEqual(st["details"], {"name": "web", "group": "apps", "kind": "deployments"})


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="fakeapi-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, *args):
        port_file = os.path.join(self.tmp, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "fakeapi.py"), "--port", "0", "--port-file",
                              port_file] + list(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(p.stderr.close)
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
        deadline = time.time() + 10
        while not os.path.exists(port_file):
            self.assertIsNone(p.poll(), "server exited early")
            self.assertLess(time.time(), deadline, "no port file")
            time.sleep(0.05)
        with open(port_file) as f:
            return p, "http://127.0.0.1:%d" % int(f.read())

    def stop(self, p, sig=signal.SIGTERM):
        p.send_signal(sig)
        self.assertEqual(p.wait(timeout=10), 0)

    def test_port_file_sigterm_and_state_dir(self):
        state = os.path.join(self.tmp, "state")
        p, base = self.start("--state-dir", state, "--no-controller", "--latency-ms", "1")
        self.assertEqual(call(base, "/version")[1]["gitVersion"], "v1.32.4")
        self.assertEqual(call(base, CM, "POST", {"metadata": {"name": "kept"}})[0], 201)
        self.stop(p)
        p, base = self.start("--state-dir", state, "--no-controller")
        self.assertEqual(call(base, CM + "/kept")[0], 200)
        self.stop(p, signal.SIGINT)

    def test_no_crd_flag(self):
        p, base = self.start("--no-crd", "envoy-gateway", "--no-controller")
        self.assertEqual(call(base, "/apis/gateway.envoyproxy.io/v1alpha1")[0], 404)
        self.assertEqual(call(base, "/apis/networking.istio.io/v1")[0], 200)
        self.stop(p)


if __name__ == "__main__":
    unittest.main(verbosity=2)
