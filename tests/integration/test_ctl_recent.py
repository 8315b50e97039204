"""The recent-failures ring end to end: every failure is written once by
request_status, `gwguardctl recent` shows them newest first (table and
JSON, -n, KEY filter), and `gwguardctl explain` finds one by the request
id of the GWG00006 line (the id the client's page shows)."""

import json
import re
import subprocess

from conftest import get
from httpd import GWGUARDCTL
from test_counting import wait_for


def ctl(*args):
    return subprocess.run([str(GWGUARDCTL)] + list(args),
                          capture_output=True, text=True, timeout=30)


def recent_json(h, *args):
    p = ctl("recent", "--json", "--shm", str(h.shm), *args)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["recent"]


def logged_ids(h):
    """request_id -> class, from the GWG00006 lines."""
    return dict((m.group(2), m.group(1)) for m in re.finditer(
        r"GWG00006: .*class=(\w+) .*request_id=(\S+)", h.read_error_log()))


def test_recent_and_explain(make_httpd, upstream, dead_port, mpm):
    h = make_httpd(mpm, loglevel="warn gwguard:info").start(
        "ProxyPass /up/ http://127.0.0.1:%d/\n"
        "ProxyPass /dead/ http://127.0.0.1:%d/\n"
        % (upstream.port, dead_port))
    get(h.url + "/up/ok")                           # a success: no entry
    get(h.url + "/dead/first?secret=1")
    get(h.url + "/up/status/500")
    get(h.url + "/up/close")
    long_path = "/dead/" + "x" * 400
    get(h.url + long_path)
    assert wait_for(lambda: len(recent_json(h)) == 4)
    entries = recent_json(h)
    dead = "http://127.0.0.1:%d" % dead_port
    up = "http://127.0.0.1:%d" % upstream.port
    # newest first
    assert [e["upstream"] for e in entries] == [dead, up, up, dead]
    first = entries[-1]
    assert first["class"] == "connect_refused" and first["code"] == "SC"
    assert first["status"] == 503 and first["method"] == "GET"
    assert first["path"] == "/dead/first"           # no query string
    assert first["total_us"] is not None and first["total_us"] > 0
    assert len(entries[0]["path"]) == 256           # cut at 256 bytes
    assert long_path.startswith(entries[0]["path"])
    # every logged failure is in the ring under the same id and class
    ids = logged_ids(h)
    assert wait_for(lambda: len(logged_ids(h)) == 4)
    ids = logged_ids(h)
    assert {e["request_id"]: e["class"] for e in entries} == ids
    # -n and KEY
    assert len(recent_json(h, "-n", "2")) == 2
    assert {e["upstream"] for e in recent_json(h, dead)} == {dead}
    # the table
    p = ctl("recent", "--shm", str(h.shm))
    assert p.returncode == 0
    lines = p.stdout.splitlines()
    assert lines[0].split()[:3] == ["TIME", "REQUEST", "ID"]
    assert first["request_id"] in lines[-1] and "connect_refused" in lines[-1]
    # explain
    p = ctl("explain", "--shm", str(h.shm), first["request_id"])
    assert p.returncode == 0, p.stderr
    text = p.stdout
    assert dead in text and "connect_refused (SC)" in text
    assert "refused the connection" in text          # what it means
    assert "Check first:" in text and "listening" in text
    assert "GET /dead/first" in text and "Client got:     503" in text
    assert "Timings:" in text
    p = ctl("explain", "--shm", str(h.shm), "no-such-id")
    assert p.returncode == 1 and "no failure with request id" in p.stderr
    assert ctl("explain", "--shm", str(h.shm)).returncode == 2
    assert ctl("recent", "-n", "0", "--shm", str(h.shm)).returncode == 2


def test_ring_off(make_httpd, dead_port):
    h = make_httpd().start("GwGuardRecent 0\nProxyPass /dead/ "
                           "http://127.0.0.1:%d/\n" % dead_port)
    get(h.url + "/dead/x")
    assert wait_for(lambda: h.status()["totals"]["failures"] == 1)
    p = ctl("recent", "--json", "--shm", str(h.shm))
    assert p.returncode == 0 and json.loads(p.stdout)["recent"] == []
    assert "GwGuardRecent 0" in p.stderr


def test_explain_the_id_the_client_saw(make_httpd, dead_port):
    """With mod_unique_id the request id is UNIQUE_ID: the client gets it
    (here in a header, as a page would show it) and explain finds it."""
    from httpd import BASE_MODULES
    h = make_httpd(modules=BASE_MODULES + ["unique_id"]).start(
        'Header always set X-Request-Id "%%{UNIQUE_ID}e"\n'
        "ProxyPass /dead/ http://127.0.0.1:%d/\n" % dead_port)
    status, headers, _ = get(h.url + "/dead/seen")
    rid = headers["X-Request-Id"]
    assert status == 503 and len(rid) >= 20
    assert wait_for(lambda: len(recent_json(h)) == 1)
    p = ctl("explain", "--shm", str(h.shm), rid)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("Request %s at " % rid)
    assert "GET /dead/seen" in p.stdout and "connect_refused" in p.stdout
