#!/bin/sh
# make deb: build/deb/libapache2-mod-gwguard_VERSION_ARCH.deb from this
# tree, then lintian on it. The build dependencies come from
# debian/control (installed with apt when root). dpkg-buildpackage runs in
# a copy of the tree under build/deb/src: its clean step (make clean)
# would otherwise delete build/, which the tests use, and its results
# would land in the directory above the tree.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
lintian_ok=1

have() { command -v "$1" >/dev/null 2>&1; }

# Build dependencies, and lintian, which checks the result.
if ! have dpkg-checkbuilddeps || ! have lintian \
        || ! (cd "$top" && dpkg-checkbuilddeps >/dev/null 2>&1); then
    if [ "$(id -u)" -ne 0 ]; then
        (cd "$top" && dpkg-checkbuilddeps) || true
        echo "make deb needs the build dependencies: sudo apt-get" \
             "install dpkg-dev lintian && sudo apt-get build-dep ./" >&2
        exit 1
    fi
    echo "Installing the build dependencies of debian/control"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends dpkg-dev lintian \
        >/dev/null
    (cd "$top" && apt-get build-dep -y -qq ./ >/dev/null)
fi

rm -rf "$out"
mkdir -p "$out/src"
(cd "$top" && tar --exclude=./build --exclude=./build-asan --exclude=./.git \
    --exclude=__pycache__ -cf - .) | tar -C "$out/src" -xf -

echo "  DEB   $out (log: build/deb/build.log)"
if ! (cd "$out/src" && DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=2}" \
        dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1; then
    tail -40 "$out/build.log" >&2
    echo "make deb: dpkg-buildpackage failed; the whole log is" \
         "$out/build.log" >&2
    exit 1
fi
rm -rf "$out/src"

changes=$(ls "$out"/*.changes)
echo "  LINT  $changes"
lintian --fail-on error,warning --info "$changes" > "$out/lintian.log" 2>&1 \
    || lintian_ok=0
cat "$out/lintian.log"
ls -1 "$out"/*.deb
[ "$lintian_ok" -eq 1 ] || { echo "make deb: lintian found problems" >&2; exit 1; }
