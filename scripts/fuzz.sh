#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a fixed time.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 600 s, every target)
# Seed corpora come from the golden inputs and examples; new findings are kept under
# build-fuzz/findings/<target>/. Copy a crash into tests/fuzz/regressions/<target>/ to keep it
# as a regression input: the normal build replays every seed and regression input through the
# same entry function without libFuzzer (ctest -R fuzz.<target>).
# build-fuzz is also the sanitizer build of the binary and its modules (scripts/sanitize.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
seconds=${1:-600}
shift || true
command -v clang++ >/dev/null || { echo "fuzz: clang++ is needed (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
bash scripts/sanitize.sh configure # build-fuzz: clang, KMS_FUZZ=ON
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "${src%.cpp}")"); done
fi
cmake --build build-fuzz -j2 --target "${targets[@]}"
status=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t
  findings=build-fuzz/findings/$t
  mkdir -p "$corpus" "$findings"
  # Seeds: the target's own seed dir, else every YAML input we ship.
  if [ -d "tests/fuzz/seeds/$t" ]; then
    cp -n tests/fuzz/seeds/"$t"/* "$corpus"/ 2>/dev/null || true
  else
    find tests/golden tests/bad examples ../shared/examples -name '*.yaml' 2>/dev/null | while read -r f; do
      cp -n "$f" "$corpus/$(echo "$f" | tr '/' '_')" 2>/dev/null || true
    done
  fi
  [ -d "tests/fuzz/regressions/$t" ] && cp -n tests/fuzz/regressions/"$t"/* "$corpus"/ 2>/dev/null || true
  echo "== $t: ${seconds}s" >&2
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "build-fuzz/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" 2>"build-fuzz/$t.log"; then
    echo "fuzz: $t found a problem: see build-fuzz/$t.log and $findings/" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/$t.log" >&2 || true
done
exit $status
