#!/usr/bin/env bash
# The sanitizer run: builds the binary, its dlopen'ed modules and the unit tests with clang,
# AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer) in build-fuzz (the same
# instrumented build the fuzzers use, KMS_FUZZ=ON) and runs the ctest suites against it.
# Usage: scripts/sanitize.sh [CTEST_REGEX]      (default: every test; "configure" only configures)
# Any sanitizer report makes the process exit non-zero, so the test that ran it fails.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
command -v clang++ >/dev/null || { echo "sanitize: clang++ is needed (apt-get install clang)" >&2; exit 2; }
# -O1 -g1: a shorter build on a 2-core machine than RelWithDebInfo's -O2 -g.
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DKMS_FUZZ=ON -DKMS_BUILD_TESTS=ON >/dev/null
[ "${1:-}" = configure ] && exit 0
. scripts/env.sh
cmake --build build-fuzz -j"$(nproc)" --target kubectl-microservice kms_curl kms_git kms_unit
# halt_on_error: UBSan stops at the first report (the build lets it recover for the fuzzers'
# sake); exitcode 23 is LeakSanitizer's, so a leak fails a test that expects exit 0.
export ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1
export LSAN_OPTIONS=suppressions=$here/scripts/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
args=(--test-dir build-fuzz --output-on-failure -j"$(nproc)")
[ -n "${1:-}" ] && args+=(-R "$1")
ctest "${args[@]}"
