"""HTTP/2 clients (issue 10, item 6): mod_http2 in front, `Protocols h2c
http/1.1`, curl speaking h2 with prior knowledge. The status a client
receives is the status gwguard counts and logs, fault by fault, over
many requests: successes stay successes (an h2 client closing its
session after the last byte is no client_abort), a head timeout is 504,
an upstream 503 is counted as upstream_5xx, and an upstream that closes
before its head gets gwguard's 502 page (tests/integration/
test_backend_h2c.py checks the same with nghttp against stock's 500)."""

import re
import shutil
import subprocess

import pytest

from httpd import BASE_MODULES
from test_counting import by_name

CURL = shutil.which("curl")
pytestmark = pytest.mark.skipif(CURL is None, reason="curl is not installed")

# fault -> (status the client gets, class)
FAULTS = {
    "/ok": (200, None),
    "/reset": (502, "reset_before_headers"),
    "/close": (502, "reset_before_headers"),
    "/hang": (504, "header_timeout"),
    "/status/503": (503, "upstream_5xx"),
}


def h2_get(port, path):
    """(status, HTTP version, body) of one h2c request (prior knowledge),
    on a fresh connection."""
    p = subprocess.run([CURL, "-s", "--http2-prior-knowledge", "-m", "20",
                        "-o", "-", "-w", "\n%{http_code} %{http_version}",
                        "http://127.0.0.1:%d%s" % (port, path)],
                       capture_output=True, timeout=30)
    body, _, tail = p.stdout.rpartition(b"\n")
    code, version = tail.decode().split()
    return int(code), version, body


def test_h2_status_counted_is_status_seen(make_httpd, upstream, mpm):
    h = make_httpd(mpm=mpm, modules=BASE_MODULES + ["http2"],
                   loglevel="warn gwguard:info")
    h.start("Protocols h2c http/1.1\nProxyTimeout 2\n"
            "ProxyPass /app/ http://127.0.0.1:%d/\n"
            "ProxyPass /off/ http://127.0.0.1:%d/\n"
            "<Location /off/>\n  GwGuard Off\n</Location>\n"
            % (upstream.port, upstream.port))
    key = "http://127.0.0.1:%d" % upstream.port
    seen = {}
    for path, (want, cls) in FAULTS.items():
        for n in range(3):
            status, version, body = h2_get(h.port, "/app%s?n=%d"
                                           % (path, n))
            assert version == "2", version
            assert status == want, (path, status)
            seen[status] = seen.get(status, 0) + 1
            if status == 502:
                assert b"Bad Gateway" in body and b"iso-8859-1" not in body
    # access log: the status and class of every request as sent
    for line in h.access_entries():
        m = re.search(r'"GET /app(/\S+)\?n=\d HTTP/2.0" (\d+) (\S+)', line)
        if m:
            want, cls = FAULTS[m.group(1)]
            assert int(m.group(2)) == want, line
            assert m.group(3) == (cls or "-"), line
    u = by_name(h.status(), key)
    assert u["statuses"]["502"] == seen[502]
    assert u["statuses"]["504"] == seen[504]
    assert u["classes"]["reset_before_headers"] == 6
    assert u["classes"]["client_abort"] == 0
    assert u["successes"] == 3
    # stock httpd under h2 for the same fault: mod_http2's own 500
    status, _, _ = h2_get(h.port, "/off/reset")
    assert status == 500
