#!/usr/bin/env bash
# Benchmark (not a test): `kubectl-microservice apply` of an 8-object service against
# `kubectl apply --server-side -f` of the same rendered manifests, both talking to the fake API
# server (tests/fakeapi) with 20 ms of latency added to every request (issue 4: target ≤ 0.3×).
#
# Usage: bench/apply_vs_kubectl.sh [RUNS]        (default 15 runs of each command)
#   KMS_BIN      the binary (default: build/kubectl-microservice); its modules are found next to it
#   KUBECTL      the peer (default: the newest versioned kubectl behind gcloud's dispatcher, else PATH)
#   LATENCY_MS   latency added per request (default 20)
#
# The service (Service, Deployment, HPA, PDB and Istio VirtualService, DestinationRule,
# RequestAuthentication, AuthorizationPolicy) is applied once by each tool before timing, so the
# timed runs are the everyday case: re-applying a service that exists. Each tool has its own
# namespace and keeps its caches between runs (ours: discovery in XDG_CACHE_HOME; kubectl's in
# HOME/.kube/cache), as on a workstation. Ours also maintains its ApplySet (parent read, prune
# listing); kubectl only applies. Runs alternate; medians of the wall time are reported.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-15}
bin=${KMS_BIN:-$here/build/kubectl-microservice}
latency=${LATENCY_MS:-20}
kubectl=${KUBECTL:-}
if [ -z "$kubectl" ] && kubectl=$(command -v kubectl); then
  real=$(find "$(dirname "$(readlink -f "$kubectl")")" -maxdepth 1 -name 'kubectl.1.*' 2>/dev/null | sort -V | tail -n 1)
  kubectl=${real:-$kubectl}
fi

die() { echo "apply_vs_kubectl: $*" >&2; exit 2; }
[ -x "$bin" ] || die "$bin is not built (cmake --build build, or set KMS_BIN)"
[ -n "$kubectl" ] && [ -x "$kubectl" ] || die "kubectl is not installed (or set KUBECTL)"
[[ "$runs" =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || die "RUNS must be a positive number"

tmp=$(mktemp -d)
fake_pid=
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/cache KMS_CONFIG=$tmp/no-config.yaml
mkdir -p "$HOME"
unset KUBECONFIG

python3 "$here/tests/fakeapi/fakeapi.py" --port 0 --port-file "$tmp/port" --latency-ms "$latency" \
  --auto-create-namespaces --no-controller 2>"$tmp/fake.log" &
fake_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
[ -s "$tmp/port" ] || die "the fake API server did not start: $(cat "$tmp/fake.log")"
port=$(cat "$tmp/port")
cat >"$tmp/kubeconfig" <<KC
apiVersion: v1
kind: Config
current-context: bench
clusters: [{name: bench, cluster: {server: "http://127.0.0.1:$port"}}]
users: [{name: bench, user: {}}]
contexts: [{name: bench, context: {cluster: bench, user: bench, namespace: default}}]
KC
cat >"$tmp/service.yaml" <<'SVC'
name: bench
image: ghcr.io/acme/bench:1.0
replicas: {min: 2, max: 5}
health: {path: /healthz}
session: {sticky: true}
expose:
  host: bench.example.com
  via: istio
  gateway: {name: public, namespace: istio-system}
  auth:
    type: jwt
    issuer: https://sso.example.com/realms/acme
    jwks: https://sso.example.com/realms/acme/protocol/openid-connect/certs
    audiences: [api]
SVC
"$bin" render -f "$tmp/service.yaml" -n bench-kubectl >"$tmp/rendered.yaml"
objects=$(grep -c '^kind:' "$tmp/rendered.yaml")

ours=("$bin" --kubeconfig "$tmp/kubeconfig" apply -f "$tmp/service.yaml" -n bench-ours --no-wait)
peer=("$kubectl" --kubeconfig "$tmp/kubeconfig" apply --server-side -f "$tmp/rendered.yaml")

# Both must work (and create their objects) before they are timed.
"${ours[@]}" >"$tmp/ours.out" 2>&1 || die "our apply failed: $(cat "$tmp/ours.out")"
"${peer[@]}" >"$tmp/peer.out" 2>&1 || die "kubectl apply failed: $(cat "$tmp/peer.out")"

wall_us() {
  local t0 t1
  t0=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || die "$1 failed while timed"
  t1=$EPOCHREALTIME
  echo $(( ${t1/./} - ${t0/./} ))
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

requests() { curl -s "http://127.0.0.1:$port/__fake/requests" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))'; }
curl -s -X DELETE "http://127.0.0.1:$port/__fake/requests" >/dev/null
"${ours[@]}" >/dev/null 2>&1; ours_requests=$(requests)
curl -s -X DELETE "http://127.0.0.1:$port/__fake/requests" >/dev/null
"${peer[@]}" >/dev/null 2>&1; peer_requests=$(requests)

: >"$tmp/ours.wall"; : >"$tmp/peer.wall"
for ((i = 0; i < runs; i++)); do
  wall_us "${ours[@]}" >>"$tmp/ours.wall"
  wall_us "${peer[@]}" >>"$tmp/peer.wall"
done
ours_ms=$(median <"$tmp/ours.wall" | awk '{ printf "%.1f", $1 / 1000 }')
peer_ms=$(median <"$tmp/peer.wall" | awk '{ printf "%.1f", $1 / 1000 }')
ratio=$(awk -v a="$ours_ms" -v b="$peer_ms" 'BEGIN { printf "%.2f", a / b }')

echo "apply of a $objects-object service, fake API server with ${latency} ms per request, $runs runs each (median wall):"
printf '  kubectl-microservice apply        %8s ms  (%s requests)\n' "$ours_ms" "$ours_requests"
printf '  kubectl apply --server-side -f    %8s ms  (%s requests, %s)\n' "$peer_ms" "$peer_requests" "$(basename "$kubectl")"
printf '  ratio                             %8s×   (target ≤ 0.3×) %s\n' "$ratio" \
  "$(awk -v r="$ratio" 'BEGIN { print (r <= 0.3) ? "met" : "NOT met" }')"
