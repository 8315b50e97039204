"""A real browser: headless Chromium opens the built-in error page and the
example template in conf/, a screenshot of each is kept under
build/artifacts/, and the browser's own network log and httpd's access log
show that the page made no request other than itself (no font, image,
script or favicon fetch, which would hit the failing upstream)."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from httpd import BUILD, TOP
from test_pages import tolerant

CHROMIUM = shutil.which("chromium")
ARTIFACTS = BUILD / "artifacts"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed "
    "(scripts/deps.sh installs it when run as root)")


def chromium(url, *extra):
    """Runs a fresh headless Chromium; returns (stdout, net log events)."""
    profile = Path(tempfile.mkdtemp(prefix="gwguard-chromium-"))
    netlog = profile / "netlog.json"
    try:
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--disable-extensions",
             "--user-data-dir=%s" % profile,
             # nothing may leave the machine, whatever the browser tries
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
             "--log-net-log=%s" % netlog, "--window-size=390,844"]
            + list(extra) + [url],
            capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout, json.loads(netlog.read_text())
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def page_requests(netlog, origin):
    """URLs of the requests made for the page: started by it (initiator)
    or in its network partition. The browser's own background traffic
    (update checks, account probes) has neither."""
    names = {v: k for k, v in netlog["constants"]["logEventTypes"].items()}
    urls = []
    for e in netlog["events"]:
        p = e.get("params") or {}
        if names.get(e["type"]) != "URL_REQUEST_START_JOB" or "url" not in p:
            continue
        nik = str(p.get("network_isolation_key") or "")
        if str(p.get("initiator", "")).startswith(origin) \
                or "127.0.0.1" in nik:
            urls.append(p["url"])
    return urls


def open_page(h, path, name):
    url = h.url + path
    before = len(h.access_entries())
    dom, netlog = chromium(url, "--dump-dom")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / ("%s.png" % name)
    if shot.exists():
        shot.unlink()
    chromium(url, "--screenshot=%s" % shot)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    # only the page itself, once per browser run
    assert page_requests(netlog, h.url) == [url]
    entries = h.access_entries()[before:]
    assert len(entries) == 2, entries           # dump-dom and screenshot
    assert all('"GET %s HTTP/1.1" 503' % path in e for e in entries), entries
    return dom


def test_builtin_and_custom_pages_in_a_browser(make_httpd, dead_port):
    h = tolerant(make_httpd)
    conf = TOP / "conf"
    h.start("ProxyPass /down/ http://127.0.0.1:%d/\n"
            "<Location /custom/>\n"
            "ProxyPass http://127.0.0.1:%d/\n"
            "GwGuardErrorPage default %s/gwguard-error.html\n"
            "GwGuardPageVar brand \"Example Shop\"\n"
            "</Location>\n" % (dead_port, dead_port, conf))
    dom = open_page(h, "/down/page", "gwguard-builtin-page")
    assert "Service Unavailable" in dom and "Your browser" in dom
    assert "Upstream server" in dom
    dom = open_page(h, "/custom/page", "gwguard-custom-page")
    assert "Example Shop" in dom and "right back" in dom
    assert len([l for l in h.access_entries() if "/page" in l]) == 4
