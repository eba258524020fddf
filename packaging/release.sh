#!/usr/bin/env bash
# Builds a release archive of kubectl-microservice for this Linux machine, as static as the
# system libraries allow: libstdc++ and libgcc are linked in; libcurl and libgit2 stay shared, in
# the modules that load them on first use.
#
# Usage: packaging/release.sh [OUTDIR]     (default: dist/)
#   KMS_HOMEPAGE      the project's home page, for the krew manifest (required)
#   KMS_RELEASE_URL   where the archive will be downloadable (default: a GitHub-style release URL
#                     under KMS_HOMEPAGE: HOMEPAGE/releases/download/vVERSION/ARCHIVE)
#   SOURCE_DATE_EPOCH timestamps inside the archive (default: the last commit's time)
#
# Writes OUTDIR/kubectl-microservice-vVERSION-linux-ARCH.tar.gz, its .sha256, and
# OUTDIR/microservice.yaml (the krew manifest, from packaging/krew/microservice.yaml.in).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(mkdir -p "${1:-$here/dist}" && cd "${1:-$here/dist}" && pwd)

version=$(sed -n 's/^project(kubectl-microservice VERSION \([0-9.]*\).*/\1/p' "$here/CMakeLists.txt")
[ -n "$version" ] || { echo "release: cannot read the version from CMakeLists.txt" >&2; exit 1; }
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) echo "release: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
name="kubectl-microservice-v$version-linux-$arch"
archive="$name.tar.gz"
homepage=${KMS_HOMEPAGE:?release: set KMS_HOMEPAGE to the project home page (it goes into the krew manifest)}
url=${KMS_RELEASE_URL:-$homepage/releases/download/v$version/$archive}
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
static="-static-libstdc++ -static-libgcc"
# -O2 as the tested build (CI builds RelWithDebInfo): GCC 12 at -O3 reports false -Wrestrict and
# -Wmaybe-uninitialized warnings inside libstdc++ and yaml-cpp headers.
cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DKMS_WERROR=ON -DKMS_BUILD_TESTS=OFF \
  -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_EXE_LINKER_FLAGS="$static" -DCMAKE_MODULE_LINKER_FLAGS="$static" >/dev/null
cmake --build "$work/build"
cmake --install "$work/build" --prefix "$work/stage/$name" --strip >/dev/null
for f in LICENSE README.md; do
  if [ -f "$here/$f" ]; then
    cp "$here/$f" "$work/stage/$name/"
  else
    echo "release: warning: $f is missing from the source tree and from the archive" >&2
  fi
done

# The archive must work where it is unpacked: modules found next to the binary, errors thrown in a
# module caught by the binary.
bin="$work/stage/$name/bin/kubectl-microservice"
env -u KMS_MODULE_DIR "$bin" version >/dev/null
env -u KMS_MODULE_DIR "$bin" render --name smoke --image nginx:1.27 >/dev/null
set +e
msg=$(env -u KMS_MODULE_DIR "$bin" render -f "git+file://$work/no-such-repo//service.yaml" 2>&1 >/dev/null)
code=$?
set -e
if [ "$code" -ne 2 ] && [ "$code" -ne 1 ] || [[ $msg == *"cannot find the kms-git module"* ]]; then
  echo "release: the packaged binary failed its module check (exit $code): $msg" >&2
  exit 1
fi
echo "release: shared libraries the archive needs from the system:" >&2
for f in "$bin" "$work/stage/$name"/lib/kubectl-microservice/*.so; do
  objdump -p "$f" | awk '/NEEDED/ {print "  " $2}'
done | sort -u >&2

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$work/stage" -cf - "$name" |
  gzip -9n >"$out/$archive"
sha=$(cd "$out" && sha256sum "$archive" | tee "$archive.sha256" | cut -d' ' -f1)
sed -e "s|@VERSION@|$version|g" -e "s|@URI@|$url|g" -e "s|@SHA256@|$sha|g" -e "s|@DIR@|$name|g" \
    -e "s|@ARCH@|$arch|g" -e "s|@HOMEPAGE@|$homepage|g" "$here/packaging/krew/microservice.yaml.in" |
  grep -v '^# krew plugin manifest, filled in' >"$out/microservice.yaml"
echo "release: $out/$archive ($sha)"
