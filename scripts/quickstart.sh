#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job on the bundled example, offline:
# validate it, render the manifests and show the apply plan (no cluster or kubeconfig needed).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
bash scripts/setup.sh --build-only
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target kubectl-microservice
bin=build/kubectl-microservice
echo "== validate examples/ml-inference/service.yaml" >&2
"$bin" validate -f examples/ml-inference/service.yaml
echo "== render examples/ml-inference/service.yaml" >&2
"$bin" render -f examples/ml-inference/service.yaml
echo "== apply --dry-run=client examples/ml-inference/service.yaml (the plan; nothing is sent)" >&2
"$bin" apply -f examples/ml-inference/service.yaml --dry-run=client
