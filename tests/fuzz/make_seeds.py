"""Writes the hand-made seed corpora under tests/fuzz/seeds/ (run from tests/fuzz/). The first byte
of a token-response or API-response seed picks the HTTP status, of a watch seed the chunk size
(see the targets). fuzz_service_file's seeds are the golden and bad inputs (scripts/fuzz.sh)."""
import base64, json, os
def w(target, name, data):
    d = os.path.join("seeds", target); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data if isinstance(data, bytes) else data.encode())
b64 = lambda s: base64.b64encode(s.encode()).decode()
CA = b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
CERT = b64('-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n')
KEY = b64('-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n')
w("fuzz_kubeconfig", "token.yaml", """apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster:
    server: https://a.example:6443/prefix
    certificate-authority: ca.crt
    tls-server-name: kube.internal
    proxy-url: http://proxy.example:3128
users:
- name: u1
  user:
    token: tok-a
    as: admin
    as-groups: [system:masters]
- name: u2
  user:
    tokenFile: token
contexts:
- name: dev
  context: {cluster: c1, user: u1, namespace: ml}
- name: other
  context: {cluster: c1, user: u2}
""")
w("fuzz_kubeconfig", "data.yaml", """apiVersion: v1
kind: Config
current-context: x
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: %s
users:
- name: u
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: x
  context: {cluster: c, user: u}
""" % (CA, CERT, KEY))
w("fuzz_kubeconfig", "exec.yaml", """apiVersion: v1
kind: Config
current-context: eks
clusters:
- name: eks
  cluster:
    server: https://ABC.gr7.us-east-1.eks.amazonaws.com
    insecure-skip-tls-verify: true
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {audience: sts}
users:
- name: eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token, --cluster-name, prod]
      env: [{name: AWS_PROFILE, value: prod}]
      provideClusterInfo: true
      interactiveMode: Never
- name: basic
  user: {username: admin, password: hunter2}
- name: gcp
  user:
    auth-provider: {name: gcp, config: {access-token: x}}
contexts:
- name: eks
  context: {cluster: eks, user: eks}
- name: b
  context: {cluster: eks, user: basic}
""")
w("fuzz_kubeconfig", "flow.yaml", '{"apiVersion":"v1","kind":"Config","clusters":[{"name":"c","cluster":{"server":"http://[::1]:8080"}}],"contexts":[{"name":"c","context":{"cluster":"c"}}],"current-context":"c","users":null}\n')
def seg(o): return base64.urlsafe_b64encode(json.dumps(o).encode()).decode().rstrip("=")
claims = {"exp": 1700000300, "iat": 1700000000, "nbf": 1699999999, "iss": "https://sso.example.com/realms/acme",
          "aud": ["api", "account"], "sub": "f:1", "preferred_username": "alice", "azp": "cli",
          "realm_access": {"roles": ["offline_access", "user"]},
          "resource_access": {"account": {"roles": ["view-profile"]}, "api": {"roles": ["reader"]}}, "scope": "openid email"}
w("fuzz_jwt", "keycloak.jwt", seg({"alg": "RS256", "typ": "JWT", "kid": "k1"}) + "." + seg(claims) + ".c2ln")
w("fuzz_jwt", "aud-string.jwt", seg({"alg": "none"}) + "." + seg({"aud": "api", "exp": 1.5e9, "iat": "1700000000"}) + ".")
w("fuzz_jwt", "claims.json", json.dumps(claims))
w("fuzz_jwt", "opaque", "2YotnFZFEjr1zCsicMWpAA")
disc = {"issuer": "https://sso.example.com/realms/acme",
        "token_endpoint": "https://sso.example.com/realms/acme/protocol/openid-connect/token",
        "device_authorization_endpoint": "https://sso.example.com/realms/acme/protocol/openid-connect/auth/device",
        "revocation_endpoint": "https://sso.example.com/realms/acme/protocol/openid-connect/revoke",
        "end_session_endpoint": "https://sso.example.com/realms/acme/protocol/openid-connect/logout",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}
w("fuzz_token_response", "discovery", b"\x00" + json.dumps(disc).encode())
tok = {"access_token": seg({"alg": "RS256"}) + "." + seg(claims) + ".c2ln", "expires_in": 300, "refresh_expires_in": 1800,
       "refresh_token": "rt", "token_type": "Bearer", "scope": "openid", "id_token": "x.y.z"}
w("fuzz_token_response", "token", b"\x01" + json.dumps(tok).encode())
w("fuzz_token_response", "token-strings", b"\x02" + json.dumps({"access_token": "a", "expires_in": "300", "token_type": "bearer"}).encode())
w("fuzz_token_response", "device", b"\x00" + json.dumps({"device_code": "dc", "user_code": "ABCD-EFGH", "verification_uri": "https://sso/device",
    "verification_uri_complete": "https://sso/device?c=1", "expires_in": 600, "interval": 5, "access_token": "a"}).encode())
w("fuzz_token_response", "invalid-grant", b"\x03" + json.dumps({"error": "invalid_grant", "error_description": "Invalid user credentials"}).encode())
w("fuzz_token_response", "unauthorized", b"\x04" + json.dumps({"error": "unauthorized_client", "error_description": "Invalid client secret"}).encode())
w("fuzz_token_response", "realm", b"\x06" + json.dumps({"error": "Realm does not exist"}).encode())
w("fuzz_token_response", "html", b"\x07<html><body>Bad gateway</body></html>")
cache = {"format": 1, "issuer": disc["issuer"], "client_id": "cli", "username": "alice", "scope_key": "openid", "grant": "password",
         "provider": dict(disc), "tokens": {"access_token": "a", "refresh_token": "r", "received_at": 1700000000,
         "expires_at": 1700000300, "refresh_expires_at": 0, "token_type": "Bearer", "scope": "openid", "id_token": ""}}
w("fuzz_token_response", "cache-entry", json.dumps(cache))
def status(code, reason, msg, details=None):
    s = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code, "reason": reason, "message": msg}
    if details: s["details"] = details
    return s
w("fuzz_api_response", "conflict", b"\x07" + json.dumps(status(409, "Conflict", 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
    {"causes": [{"reason": "FieldManagerConflict", "message": 'conflict with "kubectl-edit" using apps/v1', "field": ".spec.replicas"}]})).encode())
w("fuzz_api_response", "invalid", b"\x09" + json.dumps(status(422, "Invalid", 'Deployment.apps "web" is invalid',
    {"name": "web", "kind": "Deployment", "causes": [{"reason": "FieldValueRequired", "message": "Required value", "field": "spec.template.spec.containers[0].image"}]})).encode())
w("fuzz_api_response", "429", b"\x0a" + json.dumps(status(429, "TooManyRequests", "slow down", {"retryAfterSeconds": 1})).encode())
w("fuzz_api_response", "warning", b"\x00299 - \"spec.foo is deprecated\", 299 - \"second, with comma\"")
w("fuzz_api_response", "html", b"\x0b<html>503</html>")
dep = {"metadata": {"name": "web", "namespace": "demo", "generation": 3, "uid": "u1", "annotations": {"deployment.kubernetes.io/revision": "2"}},
       "spec": {"replicas": 2, "selector": {"matchLabels": {"app.kubernetes.io/instance": "web"}}, "progressDeadlineSeconds": 600,
                "template": {"metadata": {"labels": {"app.kubernetes.io/instance": "web"}}, "spec": {"containers": [{"name": "web", "image": "x"}]}}},
       "status": {"observedGeneration": 3, "replicas": 2, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1,
                  "conditions": [{"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"}, {"type": "Available", "status": "True"}]}}
rs = {"metadata": {"name": "web-abc", "uid": "rs1", "labels": {"pod-template-hash": "abc"}, "annotations": {"deployment.kubernetes.io/revision": "2"},
                   "ownerReferences": [{"uid": "u1", "kind": "Deployment", "name": "web", "controller": True}]},
      "status": {"replicas": 1, "conditions": [{"type": "ReplicaFailure", "status": "True", "message": "quota"}]}}
pod = {"metadata": {"name": "web-abc-1", "labels": {"pod-template-hash": "abc"}, "ownerReferences": [{"uid": "rs1", "kind": "ReplicaSet"}]},
       "status": {"phase": "Running", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes"}],
                  "containerStatuses": [{"name": "web", "restartCount": 4, "ready": False, "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}},
                                         "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}}
ev = {"involvedObject": {"kind": "Pod", "name": "web-abc-1"}, "reason": "Unhealthy", "message": "Readiness probe failed: 500", "count": 6, "type": "Warning"}
w("fuzz_api_response", "rollout", b"\x00" + json.dumps({"deployment": dep, "replicasets": [rs], "pods": [pod], "events": [ev]}).encode())
w("fuzz_api_response", "deployment", b"\x00" + json.dumps(dep).encode())
dep8 = json.loads(json.dumps(dep)); dep8["metadata"]["resourceVersion"] = "8"
done = json.loads(json.dumps(dep)); done["metadata"]["resourceVersion"] = "9"
done["status"].update({"updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2})
lines = [{"type": "MODIFIED", "object": dep8}, {"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "8"}}},
         {"type": "MODIFIED", "object": done}]
w("fuzz_watch_stream", "rollout", b"\x03" + "\n".join(json.dumps(l) for l in lines).encode() + b"\n")
w("fuzz_watch_stream", "expired", b"\x00" + json.dumps({"type": "ERROR", "object": status(410, "Expired", "too old resource version: 1 (5)")}).encode() + b"\n")
w("fuzz_watch_stream", "error", b"\x05" + json.dumps({"type": "ERROR", "object": status(500, "InternalError", "etcd")}).encode() + b"\n")
w("fuzz_watch_stream", "deleted", b"\x07" + json.dumps({"type": "DELETED", "object": dep}).encode())
w("fuzz_watch_stream", "partial", b"\x01{\"type\":\"MODIFIED\",\"obj")
w("fuzz_yaml_emit", "values", json.dumps({"a": "yes", "b": "0x1F", "c": "", "d": "- x", "e": "a: b", "f": [1, 2.5, True, None, "null", "~"], "g": {"h": "#x", "i": " lead", "j": "multi\nline\n"}}))
