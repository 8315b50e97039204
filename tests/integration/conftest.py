"""Fixtures: a fault-injecting upstream, a dead port, and real httpds."""

import os
import re
import socket
import urllib.request
import http.client

import pytest

from faultd import FaultUpstream
from httpd import Httpd, refusing_port, MODULE, GWGUARDCTL


def pytest_configure(config):
    missing = [str(p) for p in (MODULE, GWGUARDCTL) if not p.exists()]
    if missing:
        raise pytest.UsageError("build first (make): missing "
                                + ", ".join(missing))


# Under CI=true, a skip for a missing tool that `make check` installs
# (scripts/deps.sh) is a failure: on that machine the tool must be there.
# A skip reason that names a missing tool says "not installed" (or one of
# these); reasons that hold on any machine (not root, ...) stay skips.
CI_FATAL_SKIPS = [r"not installed", r"needs valgrind", r"is needed",
                  r"without setpriv"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    rep = (yield).get_result()
    if not rep.skipped or os.environ.get("CI") != "true" \
            or hasattr(rep, "wasxfail"):
        return
    reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) \
        else str(rep.longrepr)
    if any(re.search(p, reason) for p in CI_FATAL_SKIPS):
        rep.outcome = "failed"
        rep.longrepr = ("CI=true: a tool make check depends on is missing "
                        "(scripts/deps.sh installs it): " + reason)


@pytest.fixture
def upstream():
    u = FaultUpstream().start()
    yield u
    u.stop()


@pytest.fixture
def dead_port():
    """A loopback port that refuses connects for the whole test (held
    bound, never listening, so nothing else can take it)."""
    s, port = refusing_port()
    yield port
    s.close()


@pytest.fixture(params=["event", "prefork"])
def mpm(request):
    return request.param


@pytest.fixture
def make_httpd(tmp_path):
    started = []

    def make(mpm="event", **kw):
        h = Httpd(tmp_path / ("httpd%d" % len(started)), mpm=mpm, **kw)
        started.append(h)
        return h

    yield make
    for h in started:
        h.stop()
    for h in started:
        h.check_error_log()


def get(url, method="GET", headers=None, timeout=20):
    """One request on a fresh connection (httpd may close a kept-alive
    client connection without an answer when a backend read fails)."""
    parts = urllib.request.urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                      timeout=timeout)
    try:
        path = parts.path + ("?" + parts.query if parts.query else "")
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, dict(resp.getheaders()), body
    finally:
        conn.close()


def abort_after_send(host, port, path, wait=0.5):
    """Sends a request and closes the connection before the answer."""
    s = socket.create_connection((host, port), 5)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode())
    import time
    time.sleep(wait)
    s.close()
