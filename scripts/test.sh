#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs every test (what CI runs),
# then runs them again against the sanitizer build (scripts/sanitize.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
bash scripts/setup.sh
. scripts/env.sh
build=${KMS_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKMS_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
# The same suites once more against an ASan + UBSan + LeakSanitizer build (clang; the modules
# too). KMS_SANITIZE=0 skips it (e.g. a quick local run); CI always runs it.
if [ "${KMS_SANITIZE:-1}" != 0 ]; then
  bash scripts/sanitize.sh
fi
