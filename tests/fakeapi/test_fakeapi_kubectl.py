#!/usr/bin/env python3
"""The fake kube-apiserver is faithful enough for the real kubectl.

Runs the preinstalled kubectl (any `kubectl` on PATH) against tests/fakeapi on 127.0.0.1 with a throwaway
kubeconfig and HOME (never ~/.kube). The kubectl classes skip, with a message, only when kubectl is absent;
the direct HTTP checks of watch expiry and fault injection always run.

Run: python3 tests/fakeapi/test_fakeapi_kubectl.py   (exit status non-zero on failure)
"""
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import certs  # noqa: E402
from fakeapi import FakeApiServer  # noqa: E402

KUBECTL = shutil.which("kubectl")
NO_KUBECTL = "kubectl not found on PATH: skipping the kubectl-against-fakeapi tests"
CMD_TIMEOUT = 25

APP = """\
apiVersion: v1
kind: Secret
metadata: {name: web-secret, namespace: demo}
stringData: {token: s3cr3t}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels: {app: web}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: ghcr.io/acme/web:1.0
        ports:
        - {name: http, containerPort: 8787}
        env:
        - {name: MODEL_NAME, value: "%(model)s"}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8787}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: demo}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: demo}
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: web}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: demo}
spec:
  parentRefs: [{name: eg, namespace: infra}]
  hostnames: [web.services.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: web, port: 80}]
"""

OTHER = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: ghcr.io/acme/web:2.0
"""

DEADLINE = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck, namespace: demo}
spec:
  selector:
    matchLabels: {app: stuck}
  template:
    metadata:
      labels: {app: stuck}
      annotations: {fakeapi.test/scenario: deadline}
    spec:
      containers: [{name: app, image: "ghcr.io/acme/web:1.0"}]
"""


def http_json(url, method="GET", body=None, ctype="application/json", headers=None, timeout=5, context=None):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=dict({"Content-Type": ctype},
                                                                             **(headers or {})))
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as r:
            return r.status, json.loads(r.read() or b"null"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), dict(e.headers)


class KubectlCase(unittest.TestCase):
    """A server, a temp HOME and kubeconfig per class; kubectl() runs the real binary against them."""
    server_args = {}

    @classmethod
    def setUpClass(cls):
        if not KUBECTL:
            raise unittest.SkipTest(NO_KUBECTL)
        cls.tmp = tempfile.mkdtemp(prefix="fakeapi-kubectl-")
        cls.srv = None
        try:
            cls.prepare()
            cls.srv = FakeApiServer(controller_delay=0.05, tick=0.3, **cls.server_args).start()
            cls.kubeconfig = cls.write_kubeconfigs()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def prepare(cls):
        pass

    @classmethod
    def write_kubeconfigs(cls):
        return cls.srv.write_kubeconfig(os.path.join(cls.tmp, "kubeconfig"), namespace="demo")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "srv", None) is not None:
            cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def kubectl(self, *args, kubeconfig=None, stdin=None, timeout=CMD_TIMEOUT):
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBECONFIG")}
        env["HOME"] = os.path.join(self.tmp, "home")
        os.makedirs(env["HOME"], exist_ok=True)
        return subprocess.run([KUBECTL, "--kubeconfig", kubeconfig or self.kubeconfig] + list(args), input=stdin,
                              capture_output=True, text=True, timeout=timeout, env=env)

    def ok(self, *args, **kw):
        p = self.kubectl(*args, **kw)
        self.assertEqual(p.returncode, 0, "kubectl %s failed:\n%s%s" % (" ".join(args), p.stdout, p.stderr))
        return p.stdout

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def get_json(self, *args):
        return json.loads(self.ok("get", "-o", "json", *args))


class KubectlWorkflow(KubectlCase):
    """One story, in order: apply, get, re-apply, conflict, force, diff, rollout, logs, delete."""

    @classmethod
    def write_kubeconfigs(cls):
        code, _, _ = http_json(cls.srv.url + "/api/v1/namespaces", "POST",
                               {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}})
        assert code == 201, code
        return super().write_kubeconfigs()

    def app(self, model="small"):
        return self.write("app-%s.yaml" % model, APP % {"model": model})

    def test_01_apply_server_side_creates_every_kind(self):
        out = self.ok("apply", "--server-side", "-f", self.app())
        for line in ("secret/web-secret serverside-applied", "deployment.apps/web serverside-applied",
                     "service/web serverside-applied", "horizontalpodautoscaler.autoscaling/web serverside-applied",
                     "poddisruptionbudget.policy/web serverside-applied",
                     "httproute.gateway.networking.k8s.io/web serverside-applied"):
            self.assertIn(line, out)
        req = [r for r in self.srv.requests.list() if r["method"] == "PATCH" and r["path"].endswith("/deployments/web")]
        self.assertEqual(req[-1]["content_type"], "application/apply-patch+yaml")
        self.assertEqual(req[-1]["params"]["fieldManager"], "kubectl")

    def test_02_get_json_shows_what_the_server_added(self):
        d = self.get_json("deployment", "web", "--show-managed-fields")
        meta = d["metadata"]
        self.assertEqual(meta["generation"], 1)
        self.assertRegex(meta["uid"], r"^[0-9a-f-]{36}$")
        self.assertRegex(meta["creationTimestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(d["spec"]["replicas"], 1)  # defaulted, owned by nobody
        self.assertEqual(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%")
        apply = [m for m in meta["managedFields"] if m["manager"] == "kubectl"][0]
        self.assertEqual(apply["operation"], "Apply")
        c = apply["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"app"}']
        self.assertIn('k:{"containerPort":8787,"protocol":"TCP"}', c["f:ports"])
        self.assertEqual(c["."], {})
        self.assertNotIn("f:replicas", apply["fieldsV1"]["f:spec"])
        s = self.get_json("secret", "web-secret")
        self.assertEqual(s["data"], {"token": "czNjcjN0"})
        self.assertNotIn("stringData", s)
        svc = self.get_json("service", "web")
        self.assertRegex(svc["spec"]["clusterIP"], r"^10\.96\.")
        route = self.get_json("httproute", "web")
        self.assertEqual(route["spec"]["hostnames"], ["web.services.example.com"])

    def test_03_reapply_without_changes_writes_nothing(self):
        before = {o["metadata"]["name"] + o["kind"]: o["metadata"]["resourceVersion"]
                  for o in self.get_json("secret,service,hpa,pdb,httproute")["items"]}
        self.ok("apply", "--server-side", "-f", self.app())
        after = {o["metadata"]["name"] + o["kind"]: o["metadata"]["resourceVersion"]
                 for o in self.get_json("secret,service,hpa,pdb,httproute")["items"]}
        self.assertEqual(before, after)

    def test_04_conflicting_field_manager_gets_409(self):
        p = self.kubectl("apply", "--server-side", "--field-manager", "other", "-f", self.write("other.yaml", OTHER))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn('Apply failed with 1 conflict: conflict with "kubectl": '
                      '.spec.template.spec.containers[name="app"].image', p.stderr)
        self.assertIn("--force-conflicts", p.stderr)
        self.assertEqual(self.get_json("deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"],
                         "ghcr.io/acme/web:1.0")

    def test_05_force_conflicts_moves_ownership(self):
        self.ok("apply", "--server-side", "--field-manager", "other", "--force-conflicts", "-f",
                self.write("other.yaml", OTHER))
        d = self.get_json("deployment", "web", "--show-managed-fields")
        self.assertEqual(d["spec"]["template"]["spec"]["containers"][0]["image"], "ghcr.io/acme/web:2.0")
        self.assertEqual(d["metadata"]["generation"], 2)
        owners = {m["manager"]: m["fieldsV1"] for m in d["metadata"]["managedFields"]}
        mine = owners["kubectl"]["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"app"}']
        self.assertNotIn("f:image", mine)
        theirs = owners["other"]["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"app"}']
        self.assertIn("f:image", theirs)
        # co-ownership: the same value from both managers is no conflict
        self.ok("apply", "--server-side", "-f", self.write("co.yaml", APP.replace("web:1.0", "web:2.0")
                                                               % {"model": "small"}))

    def test_06_diff_server_side(self):
        app2 = self.write("app-2.yaml", APP.replace("web:1.0", "web:2.0") % {"model": "small"})
        self.wait_rollout("web")
        p = self.kubectl("diff", "--server-side", "-f", app2)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout, "")
        p = self.kubectl("diff", "--server-side", "-f", self.write("app-3.yaml", APP.replace("web:1.0", "web:2.0")
                                                                    % {"model": "large"}))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn('-          value: small', p.stdout)
        self.assertIn('+          value: large', p.stdout)
        self.assertIn("-  generation: 2", p.stdout)
        self.assertIn("+  generation: 3", p.stdout)
        dry = [r for r in self.srv.requests.list() if r["params"].get("dryRun") == "All"]
        self.assertTrue(dry, "kubectl diff --server-side sends dryRun=All")
        self.assertEqual(self.get_json("deployment", "web")["metadata"]["generation"], 2, "dry run wrote")

    def wait_rollout(self, name):
        out = self.ok("rollout", "status", "deployment/" + name, "--timeout=15s")
        self.assertIn('deployment "%s" successfully rolled out' % name, out)

    def test_07_rollout_status_healthy(self):
        self.wait_rollout("web")
        d = self.get_json("deployment", "web")
        self.assertEqual(d["status"]["observedGeneration"], d["metadata"]["generation"])
        cond = {c["type"]: c for c in d["status"]["conditions"]}
        self.assertEqual(cond["Progressing"]["reason"], "NewReplicaSetAvailable")
        self.assertEqual(cond["Available"]["status"], "True")
        pods = self.get_json("pods", "-l", "app=web")["items"]
        self.assertEqual(len(pods), 1)
        self.assertEqual(pods[0]["status"]["phase"], "Running")

    def test_08_rollout_restart(self):
        before = {rs["metadata"]["name"] for rs in self.get_json("rs", "-l", "app=web")["items"]}
        out = self.ok("rollout", "restart", "deployment/web")
        self.assertIn("deployment.apps/web restarted", out)
        self.wait_rollout("web")
        d = self.get_json("deployment", "web")
        self.assertIn("kubectl.kubernetes.io/restartedAt", d["spec"]["template"]["metadata"]["annotations"])
        rss = {rs["metadata"]["name"]: rs for rs in self.get_json("rs", "-l", "app=web")["items"]}
        new = set(rss) - before
        self.assertEqual(len(new), 1)
        self.assertEqual(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
                         rss[new.pop()]["metadata"]["annotations"]["deployment.kubernetes.io/revision"])

    def test_09_rollout_undo(self):
        rev = int(self.get_json("deployment", "web")["metadata"]["annotations"]["deployment.kubernetes.io/revision"])
        out = self.ok("rollout", "undo", "deployment/web")
        self.assertIn("deployment.apps/web rolled back", out)
        self.wait_rollout("web")
        d = self.get_json("deployment", "web")
        self.assertNotIn("kubectl.kubernetes.io/restartedAt",
                         d["spec"]["template"]["metadata"].get("annotations") or {})
        self.assertEqual(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], str(rev + 1))
        active = [rs for rs in self.get_json("rs", "-l", "app=web")["items"] if rs["spec"]["replicas"]]
        self.assertEqual(len(active), 1)
        self.assertEqual(active[0]["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"],
                         str(rev - 1), "the old ReplicaSet is reused, not recreated")
        p = self.kubectl("rollout", "undo", "deployment/web", "--to-revision=99")
        self.assertEqual(p.returncode, 1)
        self.assertIn("unable to find specified revision 99 in history", p.stderr)

    def test_10_logs(self):
        out = self.ok("logs", "deployment/web")
        self.assertIn("listening on 0.0.0.0:8787", out)
        pod = self.get_json("pods", "-l", "app=web")["items"][0]["metadata"]["name"]
        out = self.ok("logs", pod, "--tail=1")
        self.assertEqual(len(out.splitlines()), 1)

    def test_11_rollout_status_deadline_fails(self):
        self.ok("apply", "--server-side", "-f", self.write("stuck.yaml", DEADLINE))
        p = self.kubectl("rollout", "status", "deployment/stuck", "--timeout=15s")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn('error: deployment "stuck" exceeded its progress deadline', p.stderr)
        cond = {c["type"]: c for c in self.get_json("deployment", "stuck")["status"]["conditions"]}
        self.assertEqual((cond["Progressing"]["status"], cond["Progressing"]["reason"]),
                         ("False", "ProgressDeadlineExceeded"))

    def test_12_get_watch_sees_events(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBECONFIG")}
        env["HOME"] = os.path.join(self.tmp, "home")
        w = subprocess.Popen([KUBECTL, "--kubeconfig", self.kubeconfig, "get", "configmaps", "-w",
                              "--output-watch-events", "--request-timeout=2s"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
        try:
            deadline = time.time() + 10
            while time.time() < deadline and not any(r["params"].get("watch") == "true" and "/configmaps" in r["path"]
                                                     for r in self.srv.requests.list()):
                time.sleep(0.05)
            code, _, _ = http_json(self.srv.url + "/api/v1/namespaces/demo/configmaps", "POST",
                                   {"metadata": {"name": "watched"}, "data": {"k": "v"}})
            self.assertEqual(code, 201)
            http_json(self.srv.url + "/api/v1/namespaces/demo/configmaps/watched", "DELETE")
            out, err = w.communicate(timeout=CMD_TIMEOUT)
        finally:
            if w.poll() is None:
                w.kill()
                w.communicate()
        self.assertRegex(out, r"ADDED\s+watched")
        self.assertRegex(out, r"DELETED\s+watched")

    def test_13_client_go_retries_429_with_retry_after(self):
        self.srv.faults.add({"status": 429, "retry_after": 1, "count": 1, "path_regex": "/namespaces/demo/secrets$"})
        t0 = time.time()
        out = self.ok("get", "secrets")
        self.assertIn("web-secret", out)
        self.assertGreaterEqual(time.time() - t0, 0.9, "kubectl should have waited for Retry-After")
        codes = [r["status"] for r in self.srv.requests.list() if r["path"] == "/api/v1/namespaces/demo/secrets"]
        self.assertEqual(codes[-2:], [429, 200])

    def test_14_applyset_prune(self):
        cms = "".join("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: demo}\ndata: {k: v}\n"
                      % n for n in ("set-a", "set-b"))
        both, one = self.write("set2.yaml", cms), self.write("set1.yaml", cms.rsplit("---", 1)[0])
        args = ["apply", "-n", "demo", "--server-side", "--prune", "--applyset=myset", "-f"]
        env_before = os.environ.get("KUBECTL_APPLYSET")
        os.environ["KUBECTL_APPLYSET"] = "true"
        try:
            self.ok(*args + [both])
            out = self.ok(*args + [one])
        finally:
            if env_before is None:
                del os.environ["KUBECTL_APPLYSET"]
            else:
                os.environ["KUBECTL_APPLYSET"] = env_before
        self.assertIn("configmap/set-b pruned", out)
        parent = self.get_json("secret", "myset")
        set_id = parent["metadata"]["labels"]["applyset.kubernetes.io/id"]
        self.assertEqual(parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"], "ConfigMap")
        left = self.get_json("configmaps", "-l", "applyset.kubernetes.io/part-of=" + set_id)["items"]
        self.assertEqual([c["metadata"]["name"] for c in left], ["set-a"])

    def test_15_delete_then_not_found_and_garbage_collected(self):
        out = self.ok("delete", "-f", self.app())
        self.assertIn('deployment.apps "web" deleted', out)
        self.assertIn('httproute.gateway.networking.k8s.io "web" deleted', out)
        p = self.kubectl("get", "deployment", "web")
        self.assertEqual(p.returncode, 1)
        self.assertIn('Error from server (NotFound): deployments.apps "web" not found', p.stderr)
        deadline = time.time() + 5
        while time.time() < deadline:
            left = self.get_json("rs,pods", "-l", "app=web")["items"]
            if not left:
                break
            time.sleep(0.1)
        self.assertEqual(left, [], "ReplicaSets and Pods of the deleted Deployment are garbage-collected")


class KubectlMissingCRD(KubectlCase):
    server_args = {"disabled_crds": ["gateway-api"], "auto_namespaces": True}

    def test_apply_of_a_switched_off_crd_kind_fails(self):
        p = self.kubectl("apply", "--server-side", "-f", self.write("app.yaml", APP % {"model": "x"}))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn('error: resource mapping not found for name: "web" namespace: "demo" from', p.stderr)
        self.assertIn('no matches for kind "HTTPRoute" in version "gateway.networking.k8s.io/v1"', p.stderr)
        self.assertIn("ensure CRDs are installed first", p.stderr)
        self.assertIn("deployment.apps/web serverside-applied", p.stdout, "the other objects are still applied")
        p = self.kubectl("get", "httproutes")
        self.assertEqual(p.returncode, 1)
        self.assertIn('the server doesn\'t have a resource type "httproutes"', p.stderr)
        crds = self.get_json("crd")["items"]
        names = {c["metadata"]["name"] for c in crds}
        self.assertIn("virtualservices.networking.istio.io", names)
        self.assertNotIn("httproutes.gateway.networking.k8s.io", names)


class KubectlTLSAuth(KubectlCase):
    """TLS with client-certificate verification and bearer tokens; 401 for a wrong token."""
    TOKEN = "fake-token-123"

    @classmethod
    def prepare(cls):
        cls.pki = certs.make_pki(os.path.join(cls.tmp, "pki"))
        cls.server_args = {"cert": cls.pki["server_cert"], "key": cls.pki["server_key"],
                           "client_ca": cls.pki["ca"], "tokens": [cls.TOKEN + ":alice"], "auto_namespaces": True}

    @classmethod
    def write_kubeconfigs(cls):
        p = cls.pki
        cls.kc_token = cls.srv.write_kubeconfig(os.path.join(cls.tmp, "kc-token"), token=cls.TOKEN, ca=p["ca"])
        cls.kc_bad = cls.srv.write_kubeconfig(os.path.join(cls.tmp, "kc-bad"), token="wrong", ca=p["ca"])
        return cls.srv.write_kubeconfig(os.path.join(cls.tmp, "kc-cert"), ca=p["ca"], client_cert=p["client_cert"],
                                        client_key=p["client_key"], namespace="demo")

    def test_client_certificate(self):
        self.assertTrue(self.srv.url.startswith("https://127.0.0.1:"))
        out = self.ok("apply", "--server-side", "-f", self.write("app.yaml", APP % {"model": "tls"}))
        self.assertIn("deployment.apps/web serverside-applied", out)
        self.assertIn("web", self.ok("get", "deployments"))
        users = {r["user"] for r in self.srv.requests.list() if r["path"].startswith("/apis/apps/")}
        self.assertEqual(users, {"test-user"})
        self.assertIn("test-user", self.ok("auth", "whoami"))

    def test_bearer_token(self):
        out = self.ok("get", "namespace", "default", kubeconfig=self.kc_token)
        self.assertIn("default", out)
        self.assertIn("alice", self.ok("auth", "whoami", kubeconfig=self.kc_token))
        logged = [r for r in self.srv.requests.list() if r["user"] == "alice"]
        self.assertTrue(logged)
        for r in logged:
            self.assertEqual(r["headers"].get("Authorization"), "Bearer <redacted>")
            self.assertNotIn(self.TOKEN, json.dumps(r))

    def test_wrong_token_is_401(self):
        p = self.kubectl("get", "pods", kubeconfig=self.kc_bad)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Unauthorized", p.stderr)
        self.assertIn(401, [r["status"] for r in self.srv.requests.list()])


class DirectHTTP(unittest.TestCase):
    """Watch expiry (410) and the fault-injection control API, with plain HTTP."""

    @classmethod
    def setUpClass(cls):
        cls.srv = FakeApiServer(controller=False).start()
        cls.base = cls.srv.url

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def setUp(self):
        http_json(self.base + "/__fake/reset", "POST", {})

    def make_cm(self, name):
        code, obj, _ = http_json(self.base + "/api/v1/namespaces/default/configmaps", "POST",
                                 {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
        self.assertEqual(code, 201, obj)
        return obj

    def watch_lines(self, query, max_lines=10, timeout=5):
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=timeout)
        try:
            conn.request("GET", "/api/v1/namespaces/default/configmaps?watch=1&" + query)
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.getheader("Transfer-Encoding"), "chunked")
            lines = []
            while len(lines) < max_lines:
                line = resp.readline()
                if not line:
                    break
                lines.append(json.loads(line))
            return lines
        finally:
            conn.close()

    def test_watch_streams_events_until_timeout(self):
        rv = self.make_cm("w-a")["metadata"]["resourceVersion"]
        threading_timer = __import__("threading").Timer(0.3, self.make_cm, ("w-b",))
        threading_timer.start()
        t0 = time.time()
        lines = self.watch_lines("resourceVersion=%s&timeoutSeconds=1" % rv)
        threading_timer.join()
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in lines], [("ADDED", "w-b")])
        self.assertLess(time.time() - t0, 3, "timeoutSeconds=1 ends the stream")

    def test_watch_too_old_resource_version_is_410_expired(self):
        rv = self.make_cm("old-1")["metadata"]["resourceVersion"]
        self.make_cm("old-2")
        code, _, _ = http_json(self.base + "/__fake/compact", "POST", {})
        self.assertEqual(code, 200)
        lines = self.watch_lines("resourceVersion=%s&timeoutSeconds=5" % rv)
        self.assertEqual(len(lines), 1, lines)
        ev = lines[0]
        self.assertEqual(ev["type"], "ERROR")
        st = ev["object"]
        self.assertEqual((st["kind"], st["status"], st["reason"], st["code"]), ("Status", "Failure", "Expired", 410))
        self.assertRegex(st["message"], r"^too old resource version: %s \(\d+\)$" % rv)

    def test_fault_watch_410(self):
        rv = self.make_cm("f410")["metadata"]["resourceVersion"]
        http_json(self.base + "/__fake/faults", "POST", {"watch_410": True, "count": 1})
        lines = self.watch_lines("resourceVersion=%s&timeoutSeconds=5" % rv)
        self.assertEqual(lines[0]["type"], "ERROR")
        self.assertEqual(lines[0]["object"]["code"], 410)
        self.assertEqual(self.watch_lines("resourceVersion=%s&timeoutSeconds=1" % rv), [], "count=1 is used up")

    def test_fault_watch_cut(self):
        http_json(self.base + "/__fake/faults", "POST", {"watch_cut_after_s": 0.3})
        t0 = time.time()
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=5)
        try:
            conn.request("GET", "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=10")
            resp = conn.getresponse()
            with self.assertRaises((http.client.IncompleteRead, ConnectionError, http.client.HTTPException)):
                resp.read()
        finally:
            conn.close()
        self.assertLess(time.time() - t0, 3)

    def test_fault_status_with_retry_after_and_count(self):
        code, faults, _ = http_json(self.base + "/__fake/faults", "POST",
                                    {"status": 429, "retry_after": 2, "count": 2, "path_regex": "/configmaps$"})
        self.assertEqual(code, 200)
        self.assertEqual(len(faults["faults"]), 1)
        url = self.base + "/api/v1/namespaces/default/configmaps"
        for _ in range(2):
            code, body, headers = http_json(url)
            self.assertEqual(code, 429)
            self.assertEqual(headers.get("Retry-After"), "2")
            self.assertEqual((body["kind"], body["reason"], body["details"]["retryAfterSeconds"]),
                             ("Status", "TooManyRequests", 2))
        self.assertEqual(http_json(url)[0], 200)
        self.assertEqual(http_json(self.base + "/api/v1/namespaces/default/secrets")[0], 200)

    def test_fault_latency_and_drop_connection(self):
        http_json(self.base + "/__fake/faults", "POST", {"latency_ms": 300, "count": 1, "path_regex": "/secrets"})
        t0 = time.time()
        self.assertEqual(http_json(self.base + "/api/v1/namespaces/default/secrets")[0], 200)
        self.assertGreaterEqual(time.time() - t0, 0.3)
        http_json(self.base + "/__fake/faults", "POST", {"drop_connection": True, "count": 1, "method": "GET"})
        with self.assertRaises((urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout)):
            http_json(self.base + "/api/v1/namespaces/default/secrets")
        self.assertEqual(http_json(self.base + "/api/v1/namespaces/default/secrets")[0], 200)

    def test_request_log_and_reset(self):
        http_json(self.base + "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb",
                  headers={"Authorization": "Bearer very-secret"})
        code, log, _ = http_json(self.base + "/__fake/requests")
        self.assertEqual(code, 200)
        r = log["requests"][-1]
        self.assertEqual((r["method"], r["path"], r["params"]["labelSelector"], r["status"]),
                         ("GET", "/api/v1/namespaces/default/pods", "app=web", 200))
        self.assertEqual(r["headers"]["Authorization"], "Bearer <redacted>")
        self.assertNotIn("very-secret", json.dumps(log))
        http_json(self.base + "/__fake/faults", "POST", {"status": 500})
        http_json(self.base + "/__fake/reset", "POST", {})
        self.assertEqual(http_json(self.base + "/__fake/faults")[1], {"faults": []})
        self.assertEqual(http_json(self.base + "/__fake/requests")[1], {"requests": []})
        self.assertEqual(http_json(self.base + "/api/v1/namespaces")[0], 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
