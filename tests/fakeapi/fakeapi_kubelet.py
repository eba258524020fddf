"""The fake kubelet and scheduler: moves pods to the state their scenario asks for, ticks crash loops,
image-pull back-offs and failing probes, records their Events and serves their logs.

Scenario of a pod template: annotation `fakeapi.test/scenario`, else a scenario name appearing as a word
of the first container's image (`ghcr.io/acme/crashloop:1`, `app:imagepull`), else `healthy`.
"""
import hashlib
import random
import re

from fakeapi_util import bad_request, clone, now_rfc3339

SCENARIOS = ("healthy", "crashloop", "imagepull", "deadline", "unschedulable", "probefail")
SCENARIO_ANNOTATION = "fakeapi.test/scenario"
LOG_ANNOTATION = "fakeapi.test/log"
KUBELET = "kubelet"



def scenario_of(template):
    meta = (template or {}).get("metadata") or {}
    s = (meta.get("annotations") or {}).get(SCENARIO_ANNOTATION)
    if s in SCENARIOS:
        return s
    cs = ((template or {}).get("spec") or {}).get("containers") or []
    if cs:
        words = set(re.split(r"[/:@._-]+", str(cs[0].get("image") or "")))
        for sc in SCENARIOS[1:]:
            if sc in words:
                return sc
    return "healthy"


def full_image(image):
    image = image or ""
    first = image.split("/", 1)[0]
    if "/" not in image:
        image = "docker.io/library/" + image
    elif "." not in first and ":" not in first and first != "localhost":
        image = "docker.io/" + image
    last = image.rsplit("/", 1)[-1]
    if ":" not in last and "@" not in image:
        image += ":latest"
    return image


def _cond(ctype, status, reason=None, message=None, now=None, probe_times=False):
    c = {"type": ctype, "status": status}
    if probe_times:
        c["lastProbeTime"] = None
    c["lastTransitionTime"] = now or now_rfc3339()
    if reason:
        c["reason"] = reason
    if message:
        c["message"] = message
    return c


def _ready(pod):
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


class KubeletMixin:
    """Mixed into Controllers: needs self.c (the Cluster), self.R, self._status and self._merge."""

    def start_pod(self, ns, name):
        """The fake kubelet: moves a new pod to the state its scenario asks for."""
        pres = self.R[("", "pods")]
        pod = self.c.get_raw(pres, ns, name)
        if pod is None or (pod.get("status") or {}).get("startTime") or pod["metadata"].get("deletionTimestamp"):
            return
        scen = scenario_of({"metadata": pod["metadata"], "spec": pod.get("spec")})
        now = now_rfc3339()
        spec = pod.get("spec") or {}
        if scen == "unschedulable":
            msg = ("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
                   "1 No preemption victims found for incoming pod.")
            self._status(pres, pod, {"phase": "Pending", "conditions": [
                _cond("PodScheduled", "False", "Unschedulable", msg, now, True)], "qosClass": _qos(spec)},
                "kube-scheduler")
            self.c.record_event(pod, "Warning", "FailedScheduling", msg, "default-scheduler")
            return
        pod = self._merge(pres, pod, {"spec": {"nodeName": "fake-node"}}, "kube-scheduler") \
            if not spec.get("nodeName") else pod
        self.c.record_event(pod, "Normal", "Scheduled", "Successfully assigned %s/%s to fake-node" % (ns, name),
                            "default-scheduler")
        ip = "10.244.%d.%d" % (random.randint(0, 3), random.randint(2, 250))
        containers = spec.get("containers") or []
        statuses = []
        all_ready = scen == "healthy"
        for c in containers:
            img = full_image(c.get("image"))
            cs = {"name": c.get("name"), "image": c.get("image"), "imageID": "", "ready": False,
                  "restartCount": 0, "started": False, "state": {}, "lastState": {}}
            cid = "containerd://" + hashlib.sha256((name + c.get("name", "")).encode()).hexdigest()
            if scen in ("healthy", "probefail", "crashloop"):
                cs["imageID"] = "%s@sha256:%s" % (img.rsplit(":", 1)[0], hashlib.sha256(img.encode()).hexdigest())
                cs["containerID"] = cid
            if scen == "healthy":
                cs.update(ready=True, started=True, state={"running": {"startedAt": now}})
            elif scen == "probefail":
                cs.update(started=True, state={"running": {"startedAt": now}})
            elif scen == "crashloop":
                cs.update(restartCount=1, state={"waiting": {
                    "reason": "CrashLoopBackOff",
                    "message": "back-off 10s restarting failed container=%s pod=%s_%s(%s)" % (
                        c.get("name"), name, ns, pod["metadata"]["uid"])}},
                    lastState={"terminated": {"exitCode": 1, "reason": "Error", "startedAt": now,
                                              "finishedAt": now, "containerID": cid}})
            elif scen == "imagepull":
                cs["state"] = {"waiting": {"reason": "ErrImagePull", "message": _pull_error(img)}}
            elif scen == "deadline":
                cs["state"] = {"waiting": {"reason": "ContainerCreating"}}
            statuses.append(cs)
        names = ",".join(c.get("name") for c in containers)
        unready = "containers with unready status: [%s]" % names.replace(",", " ")
        ready_c = _cond("Ready", "True", now=now, probe_times=True) if all_ready else \
            _cond("Ready", "False", "ContainersNotReady", unready, now, True)
        cready_c = dict(ready_c, type="ContainersReady")
        phase = "Running" if scen in ("healthy", "probefail", "crashloop") else "Pending"
        st = {"phase": phase, "conditions": [
            _cond("PodReadyToStartContainers", "True" if phase == "Running" else "False", now=now, probe_times=True),
            _cond("Initialized", "True", now=now, probe_times=True), ready_c, cready_c,
            _cond("PodScheduled", "True", now=now, probe_times=True)],
            "hostIP": "10.0.0.10", "hostIPs": [{"ip": "10.0.0.10"}], "podIP": ip, "podIPs": [{"ip": ip}],
            "startTime": now, "containerStatuses": statuses, "qosClass": _qos(spec)}
        self._status(pres, pod, st, KUBELET)
        self._pod_events(pod, scen, containers)

    def _pod_events(self, pod, scen, containers):
        for c in containers:
            img = c.get("image")
            if scen == "imagepull":
                self.c.record_event(pod, "Normal", "Pulling", 'Pulling image "%s"' % img, "kubelet")
                self.c.record_event(pod, "Warning", "Failed", 'Failed to pull image "%s": %s'
                                    % (img, _pull_error(full_image(img))), "kubelet")
                self.c.record_event(pod, "Warning", "Failed", "Error: ErrImagePull", "kubelet")
                continue
            if scen in ("deadline",):
                continue
            self.c.record_event(pod, "Normal", "Pulled", 'Container image "%s" already present on machine' % img,
                                "kubelet")
            self.c.record_event(pod, "Normal", "Created", "Created container %s" % c.get("name"), "kubelet")
            self.c.record_event(pod, "Normal", "Started", "Started container %s" % c.get("name"), "kubelet")
            if scen == "probefail":
                self.c.record_event(pod, "Warning", "Unhealthy", _probe_msg(c), "kubelet")
            if scen == "crashloop":
                self.c.record_event(pod, "Warning", "BackOff", "Back-off restarting failed container %s in pod "
                                    "%s_%s(%s)" % (c.get("name"), pod["metadata"]["name"],
                                                   pod["metadata"]["namespace"], pod["metadata"]["uid"]), "kubelet")

    def tick_pods(self, pods):
        pres = self.R[("", "pods")]
        for p in pods:
            scen = scenario_of({"metadata": p["metadata"], "spec": p.get("spec")})
            if scen == "crashloop":
                st = clone(p["status"])
                for cs in st.get("containerStatuses") or []:
                    cs["restartCount"] = cs.get("restartCount", 0) + 1
                    back = min(10 * 2 ** min(cs["restartCount"] - 1, 5), 300)
                    back_s = "%ds" % back if back < 60 else "%dm%ds" % (back // 60, back % 60)
                    cs["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                               "message": "back-off %s restarting failed container=%s pod=%s_%s(%s)"
                                               % (back_s, cs["name"], p["metadata"]["name"],
                                                  p["metadata"]["namespace"], p["metadata"]["uid"])}}
                    self.c.record_event(p, "Warning", "BackOff", "Back-off restarting failed container %s in pod "
                                        "%s_%s(%s)" % (cs["name"], p["metadata"]["name"], p["metadata"]["namespace"],
                                                       p["metadata"]["uid"]), "kubelet")
                self._status(pres, p, st, KUBELET)
            elif scen == "imagepull":
                st = clone(p["status"])
                for cs in st.get("containerStatuses") or []:
                    img = full_image(cs.get("image"))
                    w = (cs.get("state") or {}).get("waiting") or {}
                    if w.get("reason") == "ErrImagePull":
                        cs["state"] = {"waiting": {"reason": "ImagePullBackOff",
                                                   "message": 'Back-off pulling image "%s"' % cs.get("image")}}
                        self.c.record_event(p, "Normal", "BackOff", 'Back-off pulling image "%s"' % cs.get("image"),
                                            "kubelet")
                        self.c.record_event(p, "Warning", "Failed", "Error: ImagePullBackOff", "kubelet")
                    else:
                        cs["state"] = {"waiting": {"reason": "ErrImagePull", "message": _pull_error(img)}}
                self._status(pres, p, st, KUBELET)
            elif scen == "probefail":
                for c in (p.get("spec") or {}).get("containers") or []:
                    self.c.record_event(p, "Warning", "Unhealthy", _probe_msg(c), "kubelet")


def _qos(spec):
    cs = spec.get("containers") or []
    if not any((c.get("resources") or {}).get("requests") or (c.get("resources") or {}).get("limits") for c in cs):
        return "BestEffort"
    return "Burstable"


def _pull_error(img):
    return ('failed to pull and unpack image "%s": failed to resolve reference "%s": pull access denied, repository '
            "does not exist or may require authorization: server message: insufficient_scope: authorization failed"
            % (img, img))


def _probe_msg(c):
    rp = c.get("readinessProbe") or {}
    if rp.get("httpGet"):
        return "Readiness probe failed: HTTP probe failed with statuscode: 503"
    if rp.get("tcpSocket"):
        return "Readiness probe failed: dial tcp 10.244.0.5:%s: connect: connection refused" % \
            rp["tcpSocket"].get("port")
    return "Readiness probe failed: HTTP probe failed with statuscode: 503"


# --------------------------------------------------------------------------- pod logs

def pod_log_lines(pod, container, previous=False):
    """-> list of log lines, or raises ApiError(400) like the kubelet would."""
    meta = pod["metadata"]
    name = meta["name"]
    spec = pod.get("spec") or {}
    cs = next((c for c in spec.get("containers") or [] if c.get("name") == container), None)
    if cs is None:
        raise bad_request('container %s is not valid for pod %s' % (container, name))
    st = next((s for s in (pod.get("status") or {}).get("containerStatuses") or [] if s.get("name") == container),
              None)
    scen = scenario_of({"metadata": meta, "spec": spec})
    if previous and (st is None or not st.get("restartCount")):
        raise bad_request('previous terminated container "%s" in pod "%s" not found' % (container, name))
    if st is None or (st.get("state") or {}).get("waiting") and not st.get("lastState"):
        if not spec.get("nodeName") and st is None:
            raise bad_request('container "%s" in pod "%s" is waiting to start: ContainerCreating' % (container, name))
        w = ((st or {}).get("state") or {}).get("waiting") or {}
        reason = w.get("reason") or "ContainerCreating"
        if reason in ("ErrImagePull", "ImagePullBackOff"):
            raise bad_request('container "%s" in pod "%s" is waiting to start: trying and failing to pull image'
                              % (container, name))
        raise bad_request('container "%s" in pod "%s" is waiting to start: %s' % (container, name, reason))
    custom = (meta.get("annotations") or {}).get(LOG_ANNOTATION)
    if custom is not None:
        return custom.splitlines()
    port = next((p.get("containerPort") for p in cs.get("ports") or []), 8080)
    lines = ["starting %s (image %s)" % (container, cs.get("image")), "listening on 0.0.0.0:%s" % port]
    if scen == "crashloop":
        lines += ["loading configuration from /etc/app/config.yaml",
                  "Error: failed to load configuration: open /etc/app/config.yaml: no such file or directory",
                  "exit status 1"]
    elif scen == "probefail":
        lines += ["GET /ready 503 (dependency not ready: database connection refused)"] * 2
    else:
        lines += ["GET /healthz 200", "ready to serve requests"]
    return lines
