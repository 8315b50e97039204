#!/bin/sh
# Installs the Debian packages mod_gwguard needs to build and test, when
# run as root; otherwise says exactly what to install. Quiet when all are
# there, so `make check` stays readable.
set -eu

PACKAGES="apache2 apache2-dev libapr1-dev libaprutil1-dev libxml2-dev \
check pkg-config curl python3 python3-pytest gcc make openssl wrk valgrind \
clang libclang-rt-14-dev tmux man-db"
# Optional: Prometheus (promtool and the server) for the exposition-format
# tests; they skip, saying why, where the package has no candidate. (On a
# machine with systemd, Debian's package also enables a prometheus service
# on port 9090; the tests start their own server on 127.0.0.1.)
OPTIONAL="prometheus"

# a headless browser for tests/integration/test_browser.py
PACKAGES="$PACKAGES chromium"
# real backends for tests/integration/backends.py (test_backend_*.py,
# make demo): PHP-FPM, uWSGI (uwsgi and SCGI), gunicorn, WebSocket and
# HTTP/2 servers and the h2 client
PACKAGES="$PACKAGES php8.2-fpm uwsgi uwsgi-plugin-python3 gunicorn \
python3-websockets python3-h2 nghttp2-server nghttp2-client"
missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
optional=""
for p in $OPTIONAL; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q "install ok installed" \
        && apt-cache policy "$p" 2>/dev/null \
            | grep -q "Candidate: [0-9]"; then
        optional="$optional $p"
    fi
done
[ -z "$missing$optional" ] && exit 0
if [ "$(id -u)" -ne 0 ] && [ -z "$missing" ]; then
    echo "note: tests that need$optional will be skipped" \
         "(sudo apt-get install$optional)" >&2
    exit 0
fi
missing="$missing$optional"

if [ "$(id -u)" -ne 0 ]; then
    echo "mod_gwguard needs these Debian packages:$missing" >&2
    echo "Install them with: sudo apt-get install$missing" >&2
    exit 1
fi
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
