#!/usr/bin/env bash
# Benchmark (not a test): whole-process cost of `kubectl-microservice render` against the peer
# `kubectl create deployment … --dry-run=client -o yaml`, and the time to render 1,000 services in
# one invocation.
#
# Usage: bench/render_vs_kubectl.sh [RUNS]        (default 30 runs of each command)
#   KMS_BIN      the binary (default: build/kubectl-microservice)
#   KUBECTL      the peer (default: kubectl on PATH, or the newest versioned binary behind gcloud's
#                kubectl dispatcher)
#
# Runs alternate ours and the peer's, so both see the same machine load. Wall time is measured
# around a plain run; peak RSS comes from separate runs under `/usr/bin/time -f %M` (package
# `time`, installed by scripts/setup.sh). Medians are reported, with the ratios against the
# targets of issue 2: ≤ 0.1× kubectl's wall time, ≤ 0.25× its peak RSS, 1,000 services ≤ 1 s.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-30}
bin=${KMS_BIN:-$here/build/kubectl-microservice}
kubectl=${KUBECTL:-}
if [ -z "$kubectl" ] && kubectl=$(command -v kubectl); then
  # gcloud's kubectl is a dispatcher that runs a versioned binary next to it: time the newest of
  # those directly, so the peer pays for no extra layer.
  real=$(find "$(dirname "$(readlink -f "$kubectl")")" -maxdepth 1 -name 'kubectl.1.*' 2>/dev/null | sort -V | tail -n 1)
  kubectl=${real:-$kubectl}
fi
example=$here/examples/ml-inference/service.yaml

die() { echo "render_vs_kubectl: $*" >&2; exit 2; }
[ -x "$bin" ] || die "$bin is not built (cmake --build build, or set KMS_BIN)"
[ -n "$kubectl" ] && [ -x "$kubectl" ] || die "kubectl is not installed (or set KUBECTL)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: run scripts/setup.sh (Debian package 'time')"
[[ "$runs" =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] || die "RUNS must be a positive number"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The developer's own config must not change what is rendered; kubectl needs no cluster here.
export KMS_CONFIG=$tmp/no-config.yaml
export KUBECONFIG=$tmp/no-kubeconfig

ours=("$bin" render -f "$example")
peer=("$kubectl" create deployment bench --image=nginx:1.27 --port=8080 --dry-run=client -o yaml)

# Both must work before they are timed.
"${ours[@]}" >/dev/null || die "our render failed"
"${peer[@]}" >/dev/null || die "kubectl failed"

# One run: "wall_us cpu_ms" — wall from bash's clock around fork+exec+wait, CPU (user + system)
# from the `time` keyword (getrusage of the child, millisecond resolution).
run_once() {
  local t0 t1 cpu
  t0=$EPOCHREALTIME
  cpu=$( { TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1; } 2>&1 )
  t1=$EPOCHREALTIME
  echo "$(( ${t1/./} - ${t0/./} )) $(awk -v u="${cpu% *}" -v s="${cpu#* }" 'BEGIN { print (u + s) * 1000 }')"
}
# Peak RSS of one run in KiB.
rss_kib() {
  /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1
  tail -n 1 "$tmp/rss"
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

load_before=$(cut -d' ' -f1 /proc/loadavg)
: >"$tmp/ours.run"; : >"$tmp/peer.run"; : >"$tmp/ours.rss"; : >"$tmp/peer.rss"
for ((i = 0; i < runs; i++)); do
  run_once "${ours[@]}" >>"$tmp/ours.run"
  run_once "${peer[@]}" >>"$tmp/peer.run"
  rss_kib "${ours[@]}" >>"$tmp/ours.rss"
  rss_kib "${peer[@]}" >>"$tmp/peer.rss"
done
column() { awk -v c="$1" '{ print $c }'; }
ours_wall=$(column 1 <"$tmp/ours.run" | median); peer_wall=$(column 1 <"$tmp/peer.run" | median)
ours_cpu=$(column 2 <"$tmp/ours.run" | median); peer_cpu=$(column 2 <"$tmp/peer.run" | median)
ours_rss=$(median <"$tmp/ours.rss"); peer_rss=$(median <"$tmp/peer.rss")

# 1,000 full-featured services (the example under 1,000 names) in one directory, one invocation.
mkdir "$tmp/services"
for ((i = 0; i < 1000; i++)); do
  sed "s/^name: ml-inference$/name: ml-inference-$i/" "$example" >"$tmp/services/svc-$(printf %04d "$i").yaml"
done
"$bin" render -f "$tmp/services" >"$tmp/1000.yaml" || die "rendering 1,000 services failed"
objects=$(grep -c '^kind: ' "$tmp/1000.yaml")
: >"$tmp/bulk.run"
for ((i = 0; i < 5; i++)); do
  run_once "$bin" render -f "$tmp/services" >>"$tmp/bulk.run"
done
bulk_wall=$(column 1 <"$tmp/bulk.run" | median)
bulk_cpu=$(column 2 <"$tmp/bulk.run" | median)
bulk_rss=$(rss_kib "$bin" render -f "$tmp/services")
load_after=$(cut -d' ' -f1 /proc/loadavg)

verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "ok" : "MISSED" }'; }
wall_ratio=$(awk -v a="$ours_wall" -v b="$peer_wall" 'BEGIN { printf "%.3f", a / b }')
rss_ratio=$(awk -v a="$ours_rss" -v b="$peer_rss" 'BEGIN { printf "%.3f", a / b }')
cpu_ratio=$(awk -v a="$ours_cpu" -v b="$peer_cpu" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }')
ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }
cpu_ms() { awk -v m="$1" 'BEGIN { printf "%.2f ms", m }'; } # medians of CPU ms can end in .5
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

echo "render_vs_kubectl: $runs runs each, alternating; medians"
echo "  machine:      $(nproc) cores, $(uname -sr), load average $load_before before, $load_after after"
echo "  ours:         ${ours[*]#"$here/"}"
echo "  peer:         kubectl $("$kubectl" version --client -o json 2>/dev/null | awk -F'"' '/gitVersion/ { print $4; exit }') create deployment --dry-run=client -o yaml"
echo "  shared libs:  ours $(ldd "$bin" | wc -l) objects loaded at start-up"
printf '  %-13s %12s %12s %8s  %s\n' "" ours kubectl ratio "target"
printf '  %-13s %12s %12s %8s  %s\n' "wall time" "$(ms "$ours_wall")" "$(ms "$peer_wall")" "$wall_ratio" \
  "<= 0.100 $(verdict "$wall_ratio" 0.1)"
printf '  %-13s %12s %12s %8s  %s\n' "CPU time" "$(cpu_ms "$ours_cpu")" "$(cpu_ms "$peer_cpu")" \
  "$cpu_ratio" "(user + system; 1 ms resolution)"
printf '  %-13s %12s %12s %8s  %s\n' "peak RSS" "$(mib "$ours_rss")" "$(mib "$peer_rss")" "$rss_ratio" \
  "<= 0.250 $(verdict "$rss_ratio" 0.25)"
echo "  1,000 services in one invocation ($objects objects): wall $(ms "$bulk_wall"), CPU $(cpu_ms "$bulk_cpu")" \
  "(medians of 5), peak RSS $(mib "$bulk_rss"); target <= 1000 ms $(verdict "$bulk_wall" 1000000)"
if awk -v l="$load_before" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
  echo "  note: the load average exceeded the core count, so wall times include waiting for a CPU;" \
    "the CPU times are the better guide"
fi
