"""Resource registry of the fake kube-apiserver: kinds, discovery documents, defaulting, validation, tables."""
import hashlib
import json
import re

from fakeapi_util import go_map_str, invalid, now_rfc3339

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

CRD_SETS = {
    "gateway-api": ["gateway.networking.k8s.io"],
    "envoy-gateway": ["gateway.envoyproxy.io"],
    "istio": ["networking.istio.io", "security.istio.io"],
}


class Res:
    def __init__(self, group, version, kind, plural, namespaced=True, short=(), subresources=(),
                 categories=(), crd=None, generation=None, verbs=None):
        self.group, self.version, self.kind, self.plural = group, version, kind, plural
        self.singular = kind.lower()
        self.namespaced = namespaced
        self.short = list(short)
        self.subresources = list(subresources)  # names: status, scale, log
        self.categories = list(categories)
        self.crd = crd
        self.verbs = verbs or ALL_VERBS
        # metadata.generation is kept by apps, policy, networking, autoscaling and all CRDs
        self.generation = generation if generation is not None else (group != "")
        self.has_status = "status" in self.subresources

    @property
    def api_version(self):
        return self.group + "/" + self.version if self.group else self.version

    @property
    def key(self):
        return (self.group, self.plural)

    @property
    def gk(self):
        return self.kind + ("." + self.group if self.group else "")

    def __repr__(self):
        return "Res(%s)" % self.gk


def _all():
    a = ["all"]
    return [
        Res("", "v1", "Namespace", "namespaces", namespaced=False, short=["ns"], subresources=["status"],
            verbs=["create", "delete", "get", "list", "patch", "update", "watch"]),
        Res("", "v1", "Pod", "pods", short=["po"], subresources=["status", "log", "proxy"], categories=a),
        Res("", "v1", "Service", "services", short=["svc"], subresources=["status", "proxy"], categories=a),
        Res("", "v1", "Secret", "secrets"),
        Res("", "v1", "ConfigMap", "configmaps", short=["cm"]),
        Res("", "v1", "Event", "events", short=["ev"]),
        Res("", "v1", "ServiceAccount", "serviceaccounts", short=["sa"]),
        Res("apps", "v1", "Deployment", "deployments", short=["deploy"], subresources=["status", "scale"],
            categories=a),
        Res("apps", "v1", "ReplicaSet", "replicasets", short=["rs"], subresources=["status", "scale"],
            categories=a),
        Res("apps", "v1", "ControllerRevision", "controllerrevisions"),
        Res("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", short=["hpa"],
            subresources=["status"], categories=a),
        Res("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", short=["pdb"],
            subresources=["status"]),
        Res("networking.k8s.io", "v1", "Ingress", "ingresses", short=["ing"], subresources=["status"]),
        Res("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", namespaced=False,
            verbs=["create"], generation=False),
        Res("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", namespaced=False,
            verbs=["create"], generation=False),
        Res("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
            namespaced=False, short=["crd", "crds"], subresources=["status"], categories=["api-extensions"],
            verbs=["get", "list", "watch"]),
        Res("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes", subresources=["status"],
            categories=["gateway-api"], crd="gateway-api"),
        Res("gateway.networking.k8s.io", "v1", "Gateway", "gateways", short=["gtw"], subresources=["status"],
            categories=["gateway-api"], crd="gateway-api"),
        Res("gateway.envoyproxy.io", "v1alpha1", "SecurityPolicy", "securitypolicies", subresources=["status"],
            categories=["envoy-gateway"], crd="envoy-gateway"),
        Res("gateway.envoyproxy.io", "v1alpha1", "BackendTrafficPolicy", "backendtrafficpolicies",
            short=["btp"], subresources=["status"], categories=["envoy-gateway"], crd="envoy-gateway"),
        Res("networking.istio.io", "v1", "VirtualService", "virtualservices", short=["vs"],
            subresources=["status"], categories=["istio-io", "networking-istio-io"], crd="istio"),
        Res("networking.istio.io", "v1", "DestinationRule", "destinationrules", short=["dr"],
            subresources=["status"], categories=["istio-io", "networking-istio-io"], crd="istio"),
        Res("security.istio.io", "v1", "RequestAuthentication", "requestauthentications", short=["ra"],
            subresources=["status"], categories=["istio-io", "security-istio-io"], crd="istio"),
        Res("security.istio.io", "v1", "AuthorizationPolicy", "authorizationpolicies", short=["ap"],
            subresources=["status"], categories=["istio-io", "security-istio-io"], crd="istio"),
    ]


def crd_object(r):
    """The CustomResourceDefinition a real cluster would hold for a CRD-backed resource (read-only here)."""
    names = {"plural": r.plural, "singular": r.singular, "kind": r.kind, "listKind": r.kind + "List"}
    if r.short:
        names["shortNames"] = r.short
    if r.categories:
        names["categories"] = r.categories
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "%s.%s" % (r.plural, r.group)},
            "spec": {"group": r.group, "names": names, "scope": "Namespaced" if r.namespaced else "Cluster",
                     "versions": [{"name": r.version, "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": {"type": "object",
                                                                  "x-kubernetes-preserve-unknown-fields": True}},
                                   "subresources": {"status": {}}}]},
            "status": {"acceptedNames": names, "storedVersions": [r.version], "conditions": [
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                 "message": "no conflicts found", "lastTransitionTime": now_rfc3339()},
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                 "message": "the initial names have been accepted", "lastTransitionTime": now_rfc3339()}]}}


class Registry:
    def __init__(self, disabled_crds=()):
        for d in disabled_crds:
            if d not in CRD_SETS:
                raise ValueError("unknown CRD set %r (known: %s)" % (d, ", ".join(sorted(CRD_SETS))))
        self.resources = [r for r in _all() if r.crd not in set(disabled_crds)]
        self.by_path = {(r.group, r.version, r.plural): r for r in self.resources}
        self.by_key = {r.key: r for r in self.resources}
        self.by_gvk = {(r.group, r.version, r.kind): r for r in self.resources}

    def lookup(self, group, version, plural):
        return self.by_path.get((group, version, plural))

    def get(self, group, plural):
        return self.by_key[(group, plural)]

    def for_kind(self, api_version, kind):
        group, _, version = api_version.rpartition("/")
        return self.by_gvk.get((group, version, kind))

    def groups(self):
        """[(group, version, [Res])] in a stable order (core first)."""
        out = {}
        for r in self.resources:
            out.setdefault((r.group, r.version), []).append(r)
        return [(g, v, rs) for (g, v), rs in out.items()]

    # ------------------------------------------------------------------ discovery documents

    def api_versions(self, host):
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]}

    def api_group(self, group):
        vs = [{"groupVersion": group + "/" + v, "version": v} for g, v, _ in self.groups() if g == group]
        if not vs:
            return None
        return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": vs, "preferredVersion": vs[0]}

    def api_group_list(self):
        groups = []
        for g, v, _ in self.groups():
            if g:
                gv = {"groupVersion": g + "/" + v, "version": v}
                groups.append({"name": g, "versions": [gv], "preferredVersion": gv})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def resource_list(self, group, version):
        rs = [r for g, v, lst in self.groups() if g == group and v == version for r in lst]
        if not rs:
            return None
        out = []
        for r in rs:
            e = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
                 "verbs": r.verbs}
            if r.short:
                e["shortNames"] = r.short
            if r.categories:
                e["categories"] = r.categories
            e["storageVersionHash"] = _svh(r)
            out.append(e)
            for sub in r.subresources:
                s = {"name": r.plural + "/" + sub, "singularName": "", "namespaced": r.namespaced,
                     "kind": r.kind, "verbs": ["get", "patch", "update"]}
                if sub == "scale":
                    s.update(group="autoscaling", version="v1", kind="Scale")
                if sub == "log":
                    s["verbs"] = ["get"]
                if sub == "proxy":
                    s.update(kind=r.kind + "ProxyOptions", verbs=["create", "delete", "get", "patch", "update"])
                out.append(s)
        return {"kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": group + "/" + version if group else version, "resources": out}

    def aggregated(self, core, version="v2"):
        items = []
        for g, v, rs in self.groups():
            if (g == "") != core:
                continue
            resources = []
            for r in rs:
                e = {"resource": r.plural,
                     "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
                     "scope": "Namespaced" if r.namespaced else "Cluster",
                     "singularResource": r.singular, "verbs": r.verbs}
                if r.short:
                    e["shortNames"] = r.short
                if r.categories:
                    e["categories"] = r.categories
                subs = []
                for sub in r.subresources:
                    kind = {"group": r.group, "version": r.version, "kind": r.kind}
                    verbs = ["get", "patch", "update"]
                    if sub == "scale":
                        kind = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
                    if sub == "log":
                        verbs = ["get"]
                    if sub == "proxy":
                        kind = {"group": "", "version": "v1", "kind": r.kind + "ProxyOptions"}
                        verbs = ["create", "delete", "get", "patch", "update"]
                    subs.append({"subresource": sub, "responseKind": kind, "verbs": verbs})
                if subs:
                    e["subresources"] = subs
                resources.append(e)
            meta = {"creationTimestamp": None}
            if g:
                meta = {"name": g, "creationTimestamp": None}
            items.append({"metadata": meta, "versions": [{"version": v, "resources": resources,
                                                          "freshness": "Current"}]})
        return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/" + version,
                "metadata": {}, "items": items}

    # ------------------------------------------------------------------ OpenAPI v3 (minimal)

    def openapi_v3_root(self):
        paths = {}
        for g, v, _ in self.groups():
            p = ("apis/%s/%s" % (g, v)) if g else "api/v1"
            paths[p] = {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (p, _hash(p))}
        return {"paths": paths}

    def openapi_v3_doc(self, group, version):
        """A small but real-shaped document: paths with the PATCH parameters kubectl looks for
        (fieldValidation), and schemas that accept anything (x-kubernetes-preserve-unknown-fields)."""
        rs = [r for g, v, lst in self.groups() if g == group and v == version for r in lst]
        if not rs:
            return None
        prefix = "/apis/%s/%s" % (group, version) if group else "/api/v1"
        params = [{"name": n, "in": "query", "schema": {"type": "string"}, "uniqueItems": True}
                  for n in ("dryRun", "fieldManager", "fieldValidation", "force")]
        paths, schemas = {}, {}
        for r in rs:
            sname = "io.k8s.fake.%s.%s.%s" % (r.group or "core", r.version, r.kind)
            ref = {"$ref": "#/components/schemas/" + sname}
            gvk = [{"group": r.group, "version": r.version, "kind": r.kind}]
            schemas[sname] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                              "x-kubernetes-group-version-kind": gvk,
                              "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                                             "metadata": {"type": "object",
                                                          "x-kubernetes-preserve-unknown-fields": True}}}
            ns = "/namespaces/{namespace}" if r.namespaced else ""
            op = {"x-kubernetes-group-version-kind": gvk[0], "responses": {"200": {"description": "OK", "content": {
                "application/json": {"schema": ref}}}}}
            item = {"get": dict(op, operationId="read" + r.kind),
                    "put": dict(op, operationId="replace" + r.kind, parameters=params),
                    "patch": dict(op, operationId="patch" + r.kind, parameters=params),
                    "delete": dict(op, operationId="delete" + r.kind)}
            paths["%s%s/%s/{name}" % (prefix, ns, r.plural)] = item
            paths["%s%s/%s" % (prefix, ns, r.plural)] = {"post": dict(op, operationId="create" + r.kind,
                                                                     parameters=params)}
        return {"openapi": "3.0.0", "info": {"title": "Kubernetes (fakeapi)", "version": "v1.32.4"},
                "paths": paths, "components": {"schemas": schemas}}

    def openapi_v2(self):
        defs = {}
        for r in self.resources:
            defs["io.k8s.fake.%s.%s.%s" % (r.group or "core", r.version, r.kind)] = {
                "type": "object",
                "x-kubernetes-group-version-kind": [{"group": r.group, "version": r.version, "kind": r.kind}]}
        return {"swagger": "2.0", "info": {"title": "Kubernetes (fakeapi)", "version": "v1.32.4"},
                "paths": {}, "definitions": defs}


def _hash(s):
    return hashlib.sha512(s.encode()).hexdigest()[:128].upper()


def _svh(r):
    import base64
    return base64.b64encode(hashlib.sha256(r.gk.encode()).digest()[:8]).decode()


# --------------------------------------------------------------------------- defaulting

def _default_container(c):
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    if "imagePullPolicy" not in c:
        img = c.get("image") or ""
        last = img.rsplit("/", 1)[-1]
        tagged = ":" in last and not last.endswith(":latest")
        c["imagePullPolicy"] = "IfNotPresent" if (tagged or "@" in img) else "Always"
    c.setdefault("resources", {})
    for p in c.get("ports") or []:
        if isinstance(p, dict):
            p.setdefault("protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        pr = c.get(probe)
        if isinstance(pr, dict):
            pr.setdefault("timeoutSeconds", 1)
            pr.setdefault("periodSeconds", 10)
            pr.setdefault("successThreshold", 1)
            pr.setdefault("failureThreshold", 3)
            if isinstance(pr.get("httpGet"), dict):
                pr["httpGet"].setdefault("scheme", "HTTP")
    for e in c.get("env") or []:
        vf = e.get("valueFrom") if isinstance(e, dict) else None
        if isinstance(vf, dict) and isinstance(vf.get("fieldRef"), dict):
            vf["fieldRef"].setdefault("apiVersion", "v1")


def default_pod_spec(spec):
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                _default_container(c)
    for v in spec.get("volumes") or []:
        if isinstance(v, dict):
            for src in ("secret", "configMap"):
                if isinstance(v.get(src), dict):
                    v[src].setdefault("defaultMode", 420)


def apply_defaults(res, obj, store_hooks=None):
    """Mutates obj with the defaults kube-apiserver would set for the kinds tests use."""
    kind = res.kind
    spec = obj.get("spec")
    if kind in ("Deployment", "ReplicaSet") and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("revisionHistoryLimit", 10)
        if kind == "Deployment":
            spec.setdefault("progressDeadlineSeconds", 600)
            st = spec.setdefault("strategy", {})
            if isinstance(st, dict):
                st.setdefault("type", "RollingUpdate")
                if st["type"] == "RollingUpdate":
                    ru = st.setdefault("rollingUpdate", {})
                    ru.setdefault("maxUnavailable", "25%")
                    ru.setdefault("maxSurge", "25%")
        tpl = spec.get("template")
        if isinstance(tpl, dict) and isinstance(tpl.get("spec"), dict):
            default_pod_spec(tpl["spec"])
    elif kind == "Pod" and isinstance(spec, dict):
        default_pod_spec(spec)
        spec.setdefault("enableServiceLinks", True)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
        spec.setdefault("priority", 0)
    elif kind == "Service" and isinstance(spec, dict):
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        spec.setdefault("internalTrafficPolicy", "Cluster")
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("ipFamilies", ["IPv4"])
        for p in spec.get("ports") or []:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")
                p.setdefault("targetPort", p.get("port"))
        if spec["type"] in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
        if spec["type"] == "LoadBalancer":
            spec.setdefault("allocateLoadBalancerNodePorts", True)
    elif kind == "HorizontalPodAutoscaler" and isinstance(spec, dict):
        spec.setdefault("minReplicas", 1)
    elif kind == "Secret":
        obj.setdefault("type", "Opaque")
        sd = obj.pop("stringData", None)
        if isinstance(sd, dict):
            import base64
            data = obj.setdefault("data", {})
            for k, v in sd.items():
                data[k] = base64.b64encode(str(v).encode()).decode()
    elif kind == "Namespace":
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        st = obj.setdefault("status", {})
        st.setdefault("phase", "Active")
        labels = obj["metadata"].setdefault("labels", {})
        labels.setdefault("kubernetes.io/metadata.name", obj["metadata"].get("name"))


# --------------------------------------------------------------------------- validation

_DNS1123_SUB = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUB_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
            "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
_LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
              "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
              "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
_LABEL_NAME_KINDS = {"Service", "Namespace"}


def validate(res, obj):
    """Raises 422 for the mistakes tests make on purpose (names, selectors, containers, ports)."""
    meta = obj.get("metadata") or {}
    name = meta.get("name") or ""
    causes = []
    if not name:
        causes.append(("Required", "metadata.name", "name or generateName is required"))
    elif res.kind in _LABEL_NAME_KINDS:
        if len(name) > 63 or not _DNS1123_LABEL.match(name):
            msg = _LABEL_MSG if len(name) <= 63 else "must be no more than 63 characters"
            causes.append(("Invalid", "metadata.name", "%s: %s" % (json.dumps(name), msg)))
    elif len(name) > 253 or not _DNS1123_SUB.match(name):
        causes.append(("Invalid", "metadata.name", "%s: %s" % (json.dumps(name), _SUB_MSG)))
    for k, v in (meta.get("labels") or {}).items():
        if not isinstance(v, str):
            causes.append(("Invalid", "metadata.labels", "%s: must be a string" % json.dumps(v)))
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if res.kind in ("Deployment", "ReplicaSet"):
        if spec is None:
            spec = {}
        sel = spec.get("selector")
        tpl = spec.get("template") or {}
        tlabels = (tpl.get("metadata") or {}).get("labels") or {}
        if not sel:
            causes.append(("Required", "spec.selector", ""))
        else:
            from fakeapi_util import labels_match, selector_from_label_selector
            reqs = selector_from_label_selector(sel)
            if not reqs:
                causes.append(("Invalid", "spec.selector", "v1.LabelSelector{MatchLabels:map[string]string(nil), "
                               "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid "
                               "for deployment"))
            elif not labels_match(reqs, tlabels):
                causes.append(("Invalid", "spec.template.metadata.labels",
                               "%s: `selector` does not match template `labels`" % go_map_str(tlabels)))
        causes += _pod_spec_causes(tpl.get("spec") or {}, "spec.template.spec")
        r = spec.get("replicas")
        if r is not None and (not isinstance(r, int) or r < 0):
            causes.append(("Invalid", "spec.replicas", "%s: must be greater than or equal to 0" % r))
    elif res.kind == "Pod":
        causes += _pod_spec_causes(spec or {}, "spec")
    elif res.kind == "Service" and spec is not None:
        for i, p in enumerate(spec.get("ports") or []):
            port = p.get("port") if isinstance(p, dict) else None
            if port is None:
                causes.append(("Required", "spec.ports[%d].port" % i, ""))
            elif not isinstance(port, int) or not 1 <= port <= 65535:
                causes.append(("Invalid", "spec.ports[%d].port" % i,
                               "%s: must be between 1 and 65535, inclusive" % port))
    elif res.kind == "HorizontalPodAutoscaler" and spec is not None:
        mx, mn = spec.get("maxReplicas"), spec.get("minReplicas", 1)
        if not mx:
            causes.append(("Invalid", "spec.maxReplicas", "%s: must be greater than or equal to 1" % (mx or 0)))
        elif isinstance(mn, int) and mx < mn:
            causes.append(("Invalid", "spec.maxReplicas",
                           "%d: must be greater than or equal to `minReplicas`" % mx))
    if causes:
        raise invalid(res.kind, res.group, name, causes)


def _pod_spec_causes(ps, prefix):
    causes = []
    cs = ps.get("containers")
    if not cs:
        causes.append(("Required", prefix + ".containers", ""))
        return causes
    seen = set()
    for i, c in enumerate(cs):
        p = "%s.containers[%d]" % (prefix, i)
        if not isinstance(c, dict):
            continue
        n = c.get("name")
        if not n:
            causes.append(("Required", p + ".name", ""))
        elif not _DNS1123_LABEL.match(n):
            causes.append(("Invalid", p + ".name", "%s: %s" % (json.dumps(n), _LABEL_MSG)))
        elif n in seen:
            causes.append(("Duplicate", p + ".name", json.dumps(n)))
        seen.add(n)
        if not c.get("image"):
            causes.append(("Required", p + ".image", ""))
        for j, port in enumerate(c.get("ports") or []):
            cp = port.get("containerPort") if isinstance(port, dict) else None
            if not isinstance(cp, int) or not 1 <= cp <= 65535:
                causes.append(("Invalid" if cp is not None else "Required", "%s.ports[%d].containerPort" % (p, j),
                               ("%s: must be between 1 and 65535, inclusive" % cp) if cp is not None else ""))
    return causes


# --------------------------------------------------------------------------- tables (kubectl get)

def _age(ts):
    import datetime
    if not ts:
        return "<unknown>"
    try:
        t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return "<unknown>"
    s = int((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())
    if s < 120:
        return "%ds" % max(s, 0)
    if s < 7200:
        return "%dm" % (s // 60)
    if s < 172800:
        return "%dh" % (s // 3600)
    return "%dd" % (s // 86400)


def _col(name, typ="string", fmt="", prio=0, desc=""):
    return {"name": name, "type": typ, "format": fmt, "description": desc or name, "priority": prio}


def _pod_cells(o):
    st = o.get("status") or {}
    cs = st.get("containerStatuses") or []
    total = len((o.get("spec") or {}).get("containers") or [])
    ready = sum(1 for c in cs if c.get("ready"))
    restarts = sum(c.get("restartCount", 0) for c in cs)
    reason = st.get("reason") or st.get("phase") or "Unknown"
    for c in cs:
        w = (c.get("state") or {}).get("waiting")
        if w and w.get("reason"):
            reason = w["reason"]
    if (o.get("metadata") or {}).get("deletionTimestamp"):
        reason = "Terminating"
    return ["%d/%d" % (ready, total), reason, restarts]


def table_columns(res):
    name = _col("Name", fmt="name", desc="Name must be unique within a namespace.")
    age = _col("Age", desc="CreationTimestamp is a timestamp representing the server time when this object "
                           "was created.")
    k = res.kind
    if k == "Pod":
        return [name, _col("Ready"), _col("Status"), _col("Restarts", "string"), age]
    if k == "Deployment":
        return [name, _col("Ready"), _col("Up-to-date", "integer"), _col("Available", "integer"), age]
    if k == "ReplicaSet":
        return [name, _col("Desired", "integer"), _col("Current", "integer"), _col("Ready", "integer"), age]
    if k == "Service":
        return [name, _col("Type"), _col("Cluster-IP"), _col("External-IP"), _col("Port(s)"), age]
    if k == "Namespace":
        return [name, _col("Status"), age]
    if k in ("Secret",):
        return [name, _col("Type"), _col("Data", "integer"), age]
    if k == "ConfigMap":
        return [name, _col("Data", "integer"), age]
    if k == "HorizontalPodAutoscaler":
        return [name, _col("Reference"), _col("Targets"), _col("MinPods", "integer"), _col("MaxPods", "integer"),
                _col("Replicas", "integer"), age]
    if k == "Event":
        return [_col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"), _col("Message")]
    return [name, age]


def table_row_cells(res, o):
    meta = o.get("metadata") or {}
    name, age = meta.get("name"), _age(meta.get("creationTimestamp"))
    spec, st = o.get("spec") or {}, o.get("status") or {}
    k = res.kind
    if k == "Pod":
        return [name] + _pod_cells(o) + [age]
    if k == "Deployment":
        return [name, "%d/%d" % (st.get("readyReplicas", 0), spec.get("replicas", 0)),
                st.get("updatedReplicas", 0), st.get("availableReplicas", 0), age]
    if k == "ReplicaSet":
        return [name, spec.get("replicas", 0), st.get("replicas", 0), st.get("readyReplicas", 0), age]
    if k == "Service":
        ports = ",".join("%s/%s" % (p.get("port"), p.get("protocol", "TCP")) for p in spec.get("ports") or [])
        lb = ",".join(i.get("ip") or i.get("hostname") or "" for i in
                      ((st.get("loadBalancer") or {}).get("ingress") or []))
        ext = lb or ("<pending>" if spec.get("type") == "LoadBalancer" else "<none>")
        return [name, spec.get("type", "ClusterIP"), spec.get("clusterIP", "<none>"), ext, ports or "<none>", age]
    if k == "Namespace":
        return [name, st.get("phase", "Active"), age]
    if k == "Secret":
        return [name, o.get("type", "Opaque"), len(o.get("data") or {}), age]
    if k == "ConfigMap":
        return [name, len(o.get("data") or {}) + len(o.get("binaryData") or {}), age]
    if k == "HorizontalPodAutoscaler":
        ref = spec.get("scaleTargetRef") or {}
        return [name, "%s/%s" % (ref.get("kind"), ref.get("name")), "<unknown>",
                spec.get("minReplicas", 1), spec.get("maxReplicas", 0), st.get("currentReplicas", 0), age]
    if k == "Event":
        io = o.get("involvedObject") or {}
        return [_age(o.get("lastTimestamp") or meta.get("creationTimestamp")), o.get("type", ""),
                o.get("reason", ""), "%s/%s" % ((io.get("kind") or "").lower(), io.get("name")), o.get("message", "")]
    return [name, age]


def to_table(res, objs, list_meta, include_object="Metadata", with_columns=True):
    rows = []
    for o in objs:
        row = {"cells": table_row_cells(res, o)}
        if include_object == "Object":
            row["object"] = o
        elif include_object != "None":
            m = dict(o.get("metadata") or {})
            m.pop("managedFields", None)
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": m}
        rows.append(row)
    t = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta}
    t["columnDefinitions"] = table_columns(res) if with_columns else None
    t["rows"] = rows
    return t


def timestamp():
    return now_rfc3339()


__all__ = ["Registry", "Res", "CRD_SETS", "apply_defaults", "validate", "to_table"]
