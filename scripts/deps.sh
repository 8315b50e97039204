#!/bin/sh
# Installs the Debian packages mod_gwguard needs to build and test, when
# run as root; otherwise says exactly what to install. Quiet when all are
# there, so `make check` stays readable.
#
# Every package `make check` uses is required: as root a missing one is
# installed (apt-get update first, so a fresh image with empty apt lists
# works) and a failed install stops `make check`; under CI=true the tests
# fail, not skip, when a tool is missing (tests/integration/conftest.py).
# Prometheus: on a machine with systemd, Debian's package also enables a
# prometheus service on port 9090; the tests start their own server on
# 127.0.0.1.
set -eu

# One package per line, sorted, so that adding one is adding a line.
PACKAGES="
apache2
apache2-dev
check
chromium
clang
curl
debhelper
dpkg-dev
gcc
gdb
gunicorn
iproute2
libapr1-dev
libaprutil1-dev
libclang-rt-14-dev
libxml2-dev
lintian
make
man-db
nghttp2-client
nghttp2-server
openssl
php8.2-fpm
pkg-config
prometheus
prometheus-alertmanager
prometheus-node-exporter
python3
python3-h2
python3-pytest
python3-websockets
python3-yaml
systemd
tmux
uwsgi
uwsgi-plugin-python3
valgrind
wrk
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "mod_gwguard needs these Debian packages:$missing" >&2
    echo "Install them with: sudo apt-get install$missing" >&2
    exit 1
fi
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o DPkg::Lock::Timeout=600
# shellcheck disable=SC2086
if ! apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
        --no-install-recommends $missing >/dev/null; then
    echo "scripts/deps.sh: could not install:$missing" >&2
    exit 1
fi
