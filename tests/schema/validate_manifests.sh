#!/usr/bin/env bash
# Checks Kubernetes manifests against the official schemas (npm: kubernetes-models,
# @kubernetes-models/gateway-api, @kubernetes-models/istio) with tests/node/schema/validate.mjs.
#
# Usage: tests/schema/validate_manifests.sh [--strict] [--quiet] FILE|DIR|- ...
#   e.g. build/kubectl-microservice render -f service.yaml | tests/schema/validate_manifests.sh -
# Prints one line per object (ok / FAIL / skipped) and exits 0 when nothing failed, 1 when an
# object failed, 2 on usage or parse errors. Paths are taken relative to the current directory.
set -euo pipefail
validator_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../node/schema" && pwd)
if ! command -v node >/dev/null 2>&1; then
  echo "validate_manifests: node is not installed: run scripts/setup.sh first" >&2
  exit 2
fi
if [ ! -d "$validator_dir/node_modules" ]; then
  echo "validate_manifests: $validator_dir/node_modules is missing: run scripts/setup.sh first" >&2
  exit 2
fi
exec node "$validator_dir/validate.mjs" "$@"
