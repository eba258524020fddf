"""Long-running answers of the fake kube-apiserver: watch streams (chunked NDJSON, 410 expiry, bookmarks,
label-selector transitions, as-Table) and pod logs (with follow). Mixed into the HTTP handler."""
import bisect
import time

from fakeapi_kubelet import pod_log_lines
from fakeapi_resources import to_table
from fakeapi_util import ApiError, bad_request, dumps, fields_match, gone, labels_match


class Drop(Exception):
    """Close the connection without an answer (fault injection)."""


class StreamMixin:
    # ------------------------------------------------------------------ watch

    def _watch(self, res, ns, accept):
        app = self.server.app
        c = app.cluster
        lr, fr = self._selectors()
        try:
            timeout = float(self.params.get("timeoutSeconds") or app.watch_default_timeout)
        except ValueError:
            raise bad_request("invalid timeoutSeconds")
        bookmarks = self.params.get("allowWatchBookmarks") in ("true", "1")
        initial_events = self.params.get("sendInitialEvents") in ("true", "1")
        rv_param = self.params.get("resourceVersion", "")
        table = self._wants_table(accept)
        f410 = any(f.get("watch_410") for f in self.watch_faults)
        cut = min([float(f["watch_cut_after_s"]) for f in self.watch_faults if f.get("watch_cut_after_s")] or [0])

        def match(o):
            if o is None:
                return False
            m = o.get("metadata") or {}
            if ns is not None and res.namespaced and m.get("namespace") != ns:
                return False
            return labels_match(lr, m.get("labels")) and fields_match(fr, o)

        initial, too_old = [], None
        with c.lock:
            if rv_param in ("", "0") or initial_events:
                initial = [o for o in c.objs[res.key].values() if match(o)]
                initial.sort(key=lambda o: (o["metadata"].get("namespace") or "", o["metadata"]["name"]))
                pos = c.hist_base + len(c.history)
                start_rv = c.rv
            else:
                try:
                    rv = int(rv_param)
                except ValueError:
                    raise bad_request('invalid resource version: strconv.ParseUint: parsing "%s": invalid syntax'
                                      % rv_param)
                if rv < c.oldest_rv:
                    too_old = "too old resource version: %d (%d)" % (rv, c.oldest_rv + 1)
                rvs = [h["rv"] for h in c.history]
                pos = c.hist_base + bisect.bisect_right(rvs, rv)
                start_rv = rv
        if f410 and too_old is None:
            too_old = "too old resource version: %s (%d)" % (rv_param or "0", c.rv + 1)
        ctype = "application/json;as=Table;v=v1;g=meta.k8s.io" if table else "application/json"
        self._start_stream(ctype)
        first = [True]

        def send(etype, obj):
            if table and etype != "ERROR":
                if etype == "BOOKMARK":
                    return
                obj = to_table(res, [obj], {"resourceVersion": obj["metadata"].get("resourceVersion")},
                               self.params.get("includeObject", "Metadata"), with_columns=first[0])
                first[0] = False
            self._chunk(dumps({"type": etype, "object": obj}) + "\n")

        def expired(msg):
            send("ERROR", gone(msg).status())
            self._end_stream()

        if too_old:
            return expired(too_old)
        for o in initial:
            send("ADDED", o)
        last_rv = start_rv
        if initial_events and bookmarks:
            send("BOOKMARK", {"kind": res.kind, "apiVersion": res.api_version, "metadata": {
                "resourceVersion": str(start_rv), "annotations": {"k8s.io/initial-events-end": "true"}}})
        t_end = time.monotonic() + timeout
        t_cut = time.monotonic() + cut if cut else None
        next_bm = time.monotonic() + app.bookmark_interval
        while True:
            now = time.monotonic()
            if app.stopping.is_set():
                return self._end_stream()
            if t_cut is not None and now >= t_cut:
                raise Drop()
            if now >= t_end:
                return self._end_stream()
            with c.lock:
                if pos < c.hist_base:
                    evs = None
                else:
                    evs = c.history[pos - c.hist_base:]
                    pos = c.hist_base + len(c.history)
                if evs == []:
                    wait = min(t_end - now, next_bm - now, 0.5)
                    if t_cut is not None:
                        wait = min(wait, t_cut - now)
                    c.cond.wait(max(wait, 0.01))
            if evs is None:
                return expired("too old resource version: %d (%d)" % (last_rv, c.oldest_rv + 1))
            for ev in evs:
                if ev["key"] != res.key:
                    continue
                cur, old = match(ev["obj"]), match(ev["old"])
                etype = ev["type"]
                if etype == "MODIFIED":
                    if cur and not old:
                        etype = "ADDED"
                    elif old and not cur:
                        etype = "DELETED"
                    elif not cur:
                        continue
                elif not cur:
                    continue
                send(etype, ev["obj"])
                last_rv = ev["rv"]
            if bookmarks and time.monotonic() >= next_bm:
                next_bm = time.monotonic() + app.bookmark_interval
                send("BOOKMARK", {"kind": res.kind, "apiVersion": res.api_version,
                                  "metadata": {"resourceVersion": str(c.rv)}})
            elif not evs and self._client_gone():
                self.close_connection = True
                return

    # ------------------------------------------------------------------ logs

    def _logs(self, res, ns, name):
        app = self.server.app
        if self.command != "GET":
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        pod = app.cluster.get(res, ns, name)
        containers = [x.get("name") for x in (pod.get("spec") or {}).get("containers") or []]
        container = self.params.get("container")
        if not container:
            dflt = (pod["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
            if dflt in containers:
                container = dflt
            elif len(containers) == 1:
                container = containers[0]
            else:
                raise bad_request("a container name must be specified for pod %s, choose one of: [%s]"
                                  % (name, " ".join(containers)))
        previous = self.params.get("previous") in ("true", "1")
        lines = pod_log_lines(pod, container, previous)
        if "tailLines" in self.params:
            n = int(self.params["tailLines"])
            lines = lines[-n:] if n > 0 else []
        stamp = self.params.get("timestamps") in ("true", "1")
        created = pod["metadata"].get("creationTimestamp", "")

        def fmt(i, line):
            if stamp:
                return "%s.%09dZ %s\n" % (created.rstrip("Z"), i, line)
            return line + "\n"

        text = "".join(fmt(i, ln) for i, ln in enumerate(lines))
        if "limitBytes" in self.params:
            text = text[: int(self.params["limitBytes"])]
        follow = self.params.get("follow") in ("true", "1")
        st = next((s for s in (pod.get("status") or {}).get("containerStatuses") or [] if s.get("name") == container),
                  {})
        running = bool((st.get("state") or {}).get("running"))
        if not follow or not running or previous:
            return self._send(200, text, "text/plain")
        self._start_stream("text/plain")
        if text:
            self._chunk(text)
        i = len(lines)
        while not app.stopping.is_set():
            for _ in range(10):
                time.sleep(0.1)
                if app.stopping.is_set() or self._client_gone():
                    self.close_connection = True
                    return
            if app.cluster.get_raw(res, ns, name) is None:
                break
            self._chunk(fmt(i, "GET /healthz 200"))
            i += 1
        self._end_stream()
