"""The gwguard-status handler and the server-status section: formats,
negotiation, read-only, and one test that reads the same state through
every format (CLI table, JSON, XML, Prometheus; handler JSON, XML,
Prometheus, HTML; server-status HTML and ?auto) and finds the same
numbers."""

import json
import subprocess
import xml.etree.ElementTree as ET

import gwformats as F
from conftest import get
from httpd import BASE_MODULES, GWGUARDCTL
from test_counting import wait_for

# The handlers serve no file, but httpd still maps their URLs to one and
# walks its directories, as www-data. pytest's temp dirs are 0700 (and
# every pytest session on the machine makes them so again), so the URLs
# are mapped to a file any user can reach.
STATUS_CONF = """
Alias /gwguard-status /dev/null
Alias /server-status /dev/null
<Location /gwguard-status>
  SetHandler gwguard-status
</Location>
<Location /server-status>
  SetHandler server-status
</Location>
ProxyPass /gwguard-status !
ProxyPass /server-status !
ProxyPass /up/ http://127.0.0.1:%d/
ProxyPass /dead/ http://127.0.0.1:%d/
"""

BROWSER_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,"
                  "image/avif,image/webp,*/*;q=0.8")
PROMETHEUS_ACCEPT = ("application/openmetrics-text;version=1.0.0,"
                     "application/openmetrics-text;version=0.0.1;q=0.75,"
                     "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


def ctl(*args):
    p = subprocess.run([str(GWGUARDCTL)] + list(args), capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout


def start(make_httpd, upstream, dead_port, mpm="event", extra=""):
    h = make_httpd(mpm, modules=BASE_MODULES + ["status"])
    h.start(STATUS_CONF % (upstream.port, dead_port) + extra)
    for path in ("/up/ok", "/up/ok", "/up/status/500", "/dead/a",
                 "/dead/b"):
        get(h.url + path)
    assert wait_for(lambda: h.status()["totals"]["requests"] == 5)
    return h


def test_formats_and_negotiation(make_httpd, upstream, dead_port):
    h = start(make_httpd, upstream, dead_port)
    base = h.url + "/gwguard-status"
    st, hdr, body = get(base)
    assert st == 200 and hdr["Content-Type"].startswith("text/html")
    assert hdr["Cache-Control"] == "no-store" and "Accept" in hdr["Vary"]
    assert b"<!DOCTYPE html>" in body and b"connect_refused" in body
    cases = [({}, "?format=json", "application/json"),
             ({}, "?format=xml", "text/xml"),
             ({}, "?format=prometheus", "text/plain; version=0.0.4"),
             ({"Accept": BROWSER_ACCEPT}, "", "text/html"),
             ({"Accept": "application/json"}, "", "application/json"),
             ({"Accept": "application/xml"}, "", "text/xml"),
             ({"Accept": PROMETHEUS_ACCEPT}, "", "text/plain; version=0.0.4"),
             ({"Accept": "application/json;q=0.2, text/xml;q=0.5"}, "",
              "text/xml"),
             ({"Accept": "application/json"}, "?format=xml", "text/xml")]
    for headers, query, ctype in cases:
        st, hdr, body = get(base + query, headers=headers)
        assert st == 200 and hdr["Content-Type"].startswith(ctype), (
            headers, query, hdr["Content-Type"])
    json.loads(get(base + "?format=json")[2])
    ET.fromstring(get(base + "?format=xml")[2])
    # read-only, and an unknown format is the client's error
    st, hdr, _ = get(base, method="POST")
    assert st == 405 and "GET" in hdr.get("Allow", "")
    assert get(base + "?format=yaml")[0] == 400
    st, hdr, body = get(base + "?format=json", method="HEAD")
    assert st == 200 and body == b""
    # the status handler's own requests are not proxied, so not counted
    assert h.status()["totals"]["requests"] == 5


def test_server_status_section(make_httpd, upstream, dead_port):
    h = start(make_httpd, upstream, dead_port)
    st, _, body = get(h.url + "/server-status")
    assert st == 200 and b"<h2>gwguard</h2>" in body
    assert b"http://127.0.0.1:%d" % dead_port in body
    st, _, body = get(h.url + "/server-status?auto")
    text = body.decode()
    assert "GwGuardRequests: 5" in text and "GwGuardFailures: 3" in text
    assert "<" not in "".join(l for l in text.splitlines()
                              if l.startswith("GwGuard"))


def test_every_format_agrees(make_httpd, upstream, dead_port, mpm):
    """The same state through ten readings gives the same numbers."""
    h = start(make_httpd, upstream, dead_port, mpm)
    shm = str(h.shm)
    base = h.url + "/gwguard-status"
    readings = {
        "cli-json": F.from_json(ctl("status", "--json", "--shm", shm)),
        "cli-xml": F.from_xml(ctl("status", "--xml", "--shm", shm)),
        "cli-prometheus": F.from_prometheus(
            ctl("status", "--prometheus", "--shm", shm)),
        "handler-json": F.from_json(get(base + "?format=json")[2]),
        "handler-xml": F.from_xml(get(base + "?format=xml")[2].decode()),
        "handler-prometheus": F.from_prometheus(
            get(base + "?format=prometheus")[2].decode()),
    }
    ref = readings["cli-json"]
    dead = "http://127.0.0.1:%d" % dead_port
    up = "http://127.0.0.1:%d" % upstream.port
    # the reference itself is right, not just self-consistent
    assert ref[dead]["requests"] == 2 and ref[dead]["failures"] == 2
    assert ref[dead]["classes"]["connect_refused"] == 2
    assert ref[up]["requests"] == 3 and ref["total"]["requests"] == 5
    full = ["requests", "successes", "failures", "classes"]
    for name, r in readings.items():
        got = F.project(r, full)
        want = F.project(ref, full)
        # Prometheus has no client_abort in failures_total's classes but
        # a counter of its own: both are compared
        assert got == want, name
    partial = {
        "cli-table": F.from_table(ctl("status", "--shm", shm)),
        "handler-html": F.from_html(get(base)[2].decode()),
        "server-status-html": F.from_html(
            get(h.url + "/server-status")[2].decode()),
        "server-status-auto": F.from_auto(
            get(h.url + "/server-status?auto")[2].decode()),
    }
    for name, r in partial.items():
        for up_name, counters in r.items():
            for k, v in counters.items():
                if k == "classes":
                    assert v == ref[up_name]["classes"], name
                else:
                    assert v == ref[up_name][k], (name, up_name, k)
        assert dead in r, name
