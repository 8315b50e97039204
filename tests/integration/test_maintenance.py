"""Maintenance windows (gwguardctl maintenance, docs/degrade.md) against a
real httpd and fault upstreams that count their connections: on and off
take effect at once without a reload; the upstream is never contacted;
503 class maintenance with Retry-After from the window's end and the
message escaped in every page; GwGuardMaintenanceBypass; balancer members
skipped; not a failure and no breaker input; a window ends by itself and
survives graceful and full restarts; hostile CLI input."""

import json
import re
import time

import pytest

from conftest import get
from faultd import FaultUpstream
from test_counting import by_name, wait_for

MESSAGE = 'Back at 15:00 <b>UTC</b> & "soon"'
HTML_MESSAGE = "Back at 15:00 &lt;b&gt;UTC&lt;/b&gt; &amp; &quot;soon&quot;"
JSON = {"Accept": "application/json"}


def key_of(port):
    return "http://127.0.0.1:%d" % port


def maint(h, *args, check=True):
    return h.ctl("maintenance", "--shm", str(h.shm), *args, check=check)


def proxy_conf(upstream, extra=""):
    # a breaker that would open at the first failure: maintenance answers
    # must never reach it
    return ("GwGuardBreaker failures=1 window=30 cooldown=600\n"
            "ProxyPass /up/ %s/\n%s" % (key_of(upstream.port), extra))


def test_on_off_at_once_never_contacted_not_a_failure(make_httpd, upstream,
                                                      mpm):
    h = make_httpd(mpm=mpm, loglevel="warn gwguard:info")
    h.start(proxy_conf(upstream, "Alias /gwguard-status /dev/null\n"
                       "<Location /gwguard-status>\n"
                       "  SetHandler gwguard-status\n</Location>\n"))
    key = key_of(upstream.port)
    assert get(h.url + "/up/x")[0] == 200

    out = maint(h, key, "on", "--for", "1h", "--message", MESSAGE)
    assert re.match(r"maintenance on: %s until \d{4}-.*Z\n$" % key,
                    out.stdout), out.stdout
    conns, reqs = upstream.connections, upstream.requests
    status, headers, body = get(h.url + "/up/x")
    assert status == 503
    assert 3590 <= int(headers["Retry-After"]) <= 3600
    assert headers["Proxy-Status"] == "gwguard; error=destination_unavailable"
    assert headers["Cache-Control"] == "no-store"
    assert HTML_MESSAGE in body.decode()
    assert "<b>" not in body.decode()
    status, headers, body = get(h.url + "/up/x", headers=JSON)
    assert status == 503
    assert headers["Content-Type"].startswith("application/json")
    err = json.loads(body)["error"]
    assert (err["class"], err["code"], err["message"], err["retryable"]) \
        == ("maintenance", "MA", MESSAGE, True)
    assert (upstream.connections, upstream.requests) == (conns, reqs)

    st = h.status()
    u = by_name(st, key)
    assert u["classes"]["maintenance"] == 2
    assert (u["requests"], u["failures"], u["breaker"]) == (1, 0, "closed")
    assert u["maintenance"]["message"] == MESSAGE
    assert u["maintenance"]["until"] is not None
    prom = h.ctl("status", "--prometheus", "--shm", str(h.shm)).stdout
    assert 'gwguard_maintenance{upstream="%s"} 1' % key in prom
    assert 'gwguard_maintenance_answers_total{upstream="%s"} 2' % key in prom
    assert 'class="maintenance"' not in prom
    assert wait_for(lambda: h.access_entries()[-1].endswith(
        "503 maintenance MA %s" % key)), h.access_entries()[-1:]
    assert key in maint(h).stdout
    # the handler (same formatter as gwguardctl and mod_status)
    html = get(h.url + "/gwguard-status")[2].decode()
    assert re.search(r"<td>on, (60|59)m left</td>", html), html
    auto = get(h.url + "/gwguard-status?format=prometheus")[2].decode()
    assert 'gwguard_maintenance{upstream="%s"} 1' % key in auto
    watch = h.ctl("watch", "--shm", str(h.shm), "--count", "1").stdout
    assert re.search(r"%s .* on, (60|59)m left"
                     % re.escape(key), watch), watch

    assert maint(h, key, "off").stdout == "maintenance off: %s\n" % key
    assert get(h.url + "/up/x")[0] == 200          # at once, no reload
    assert upstream.requests == reqs + 1
    assert by_name(h.status(), key)["maintenance"] is None
    log = h.read_error_log()
    assert "GWG00700: upstream=%s class=maintenance" % key in log
    assert "GWG00006" not in log and "GWG00400" not in log
    assert "(no upstream is in maintenance)" in maint(h).stdout


def test_window_ends_by_itself_and_survives_restarts(make_httpd, upstream,
                                                     mpm):
    h = make_httpd(mpm=mpm)
    h.start(proxy_conf(upstream, "GwGuardRetryAfter 17\n"))
    key = key_of(upstream.port)
    # a key never proxied to: its slot is claimed, the window holds from
    # the first request
    out = maint(h, key, "on", "--message", "upgrade")
    assert "has not been proxied to yet" in out.stderr
    status, headers, _ = get(h.url + "/up/x")
    assert (status, headers["Retry-After"]) == (503, "17")   # no end

    h.graceful()
    assert get(h.url + "/up/x")[0] == 503
    h.stop()
    h.start(proxy_conf(upstream, "GwGuardRetryAfter 17\n"))
    _, _, body = get(h.url + "/up/x", headers=JSON)
    assert json.loads(body)["error"]["message"] == "upgrade"
    assert upstream.connections == 0

    start = time.monotonic()
    maint(h, key, "on", "--for", "2")
    status, headers, _ = get(h.url + "/up/x")
    assert status == 503 and 1 <= int(headers["Retry-After"]) <= 2
    assert wait_for(lambda: get(h.url + "/up/x")[0] == 200, timeout=15)
    assert time.monotonic() - start >= 1.0
    assert by_name(h.status(), key)["maintenance"] is None


def test_custom_page_and_bypass(make_httpd, upstream, tmp_path):
    (tmp_path / "m.html").write_text(
        "<!DOCTYPE html><html><head><title>m</title></head><body>"
        "<p id=m>{{message}}</p><p>{{class}} {{retry_after}}</p>"
        "</body></html>\n")
    (tmp_path / "m.json").write_text('{"down":"{{message}}","c":"{{code}}"}\n')
    h = make_httpd()
    h.start(proxy_conf(upstream,
            "GwGuardErrorPage maintenance %s/m.html\n"
            "GwGuardErrorPage maintenance %s/m.json\n"
            "GwGuardMaintenanceBypass %%{HTTP:X-Admin} == 'yes'\n"
            "ProxyPass /open/ %s/\n"
            "<Location /open/>\n"
            "  GwGuardMaintenanceBypass -R '127.0.0.0/8'\n"
            "</Location>\n" % (tmp_path, tmp_path, key_of(upstream.port))))
    key = key_of(upstream.port)
    maint(h, key, "on", "--until", "2099-01-01T00:00:00Z", "--message",
          MESSAGE)
    status, headers, body = get(h.url + "/up/x")
    assert status == 503
    assert '<p id=m>%s</p><p>maintenance ' % HTML_MESSAGE in body.decode()
    assert headers["Retry-After"] == str(366 * 86400)     # capped
    status, _, body = get(h.url + "/up/x", headers=JSON)
    assert json.loads(body) == {"down": MESSAGE, "c": "MA"}
    assert upstream.requests == 0

    assert get(h.url + "/up/x", headers={"X-Admin": "yes"})[0] == 200
    assert get(h.url + "/up/x", headers={"X-Admin": "no"})[0] == 503
    assert get(h.url + "/open/x")[0] == 200       # -R in a <Location>
    assert upstream.requests == 2
    u = by_name(h.status(), key)
    assert (u["requests"], u["classes"]["maintenance"]) == (2, 3)


def test_balancer_skips_members_in_maintenance(make_httpd, upstream):
    other = FaultUpstream().start()
    try:
        h = make_httpd()
        members = (key_of(upstream.port), key_of(other.port))
        # "strict": forcerecovery=Off, so members gwguard refused stay in
        # error and mod_proxy answers without trying any
        h.start("<Proxy balancer://pool>\n"
                "  BalancerMember %s retry=1\n"
                "  BalancerMember %s retry=1\n"
                "</Proxy>\nProxyPass /lb/ balancer://pool/\n"
                "<Proxy balancer://strict>\n"
                "  BalancerMember %s retry=60\n"
                "  BalancerMember %s retry=60\n"
                "  ProxySet forcerecovery=Off\n"
                "</Proxy>\nProxyPass /strict/ balancer://strict/\n"
                % (members + members))
        maint(h, key_of(upstream.port), "on")
        statuses = [get(h.url + "/lb/x")[0] for _ in range(8)]
        assert statuses == [200] * 8
        assert (upstream.requests, other.requests) == (0, 8)

        maint(h, key_of(other.port), "on", "--message", "all down")
        status, headers, body = get(h.url + "/lb/x", headers=JSON)
        assert status == 503, body
        assert json.loads(body)["error"]["message"] == "all down"
        for _ in range(3):          # tried and refused, then none left
            status, headers, body = get(h.url + "/strict/x", headers=JSON)
            assert status == 503 and headers["Retry-After"] == "30", body
            assert json.loads(body)["error"]["class"] == "maintenance"
        assert (upstream.requests, other.requests) == (0, 8)
        assert by_name(h.status(), "balancer://strict")["classes"][
            "maintenance"] >= 1

        # out of maintenance: the member is back once mod_proxy's retry=
        # (1 s) for it is over
        maint(h, key_of(upstream.port), "off")
        assert wait_for(lambda: get(h.url + "/lb/x")[0] == 200, timeout=10)
        assert upstream.requests >= 1 and other.requests == 8
        st = h.status()
        for k in (key_of(upstream.port), key_of(other.port)):
            assert by_name(st, k)["failures"] == 0
    finally:
        other.stop()


HOSTILE = [
    (["on", "--for", "15x"], 2, "DURATION '15x'"),
    (["on", "--for", "0"], 2, "DURATION '0'"),
    (["on", "--until", "tomorrow"], 2, "RFC 3339"),
    (["on", "--until", "2020-01-01T00:00:00Z"], 2, "in the past"),
    (["on", "--for", "1m", "--until", "2099-01-01T00:00:00Z"], 2, "not both"),
    (["on", "--message", "x" * 56], 2, "at most 55 bytes"),
    (["on", "--message", "a\x1b[2Jb"], 2, "control character"),
    (["on", "--message", "\udcff"], 2, "not valid UTF-8"),
    (["on", "--bogus"], 2, "unexpected '--bogus'"),
    (["off", "--for", "1m"], 2, "nothing may follow"),
    ([], 2, "then 'on' or 'off'"),
]


def test_hostile_cli_input_changes_nothing(make_httpd, upstream):
    h = make_httpd()
    h.start(proxy_conf(upstream))
    key = key_of(upstream.port)
    cases = [([key] + a, c, w) for a, c, w in HOSTILE] + [
        (["http://127.0.0.1:1", "off"], 1, "no upstream 'http://127.0.0.1:1'"),
        (["http://a\x01b:1", "on"], 2, "is not an upstream key"),
        (["balancer://pool", "on"], 2, "is not an upstream key"),
        (["*overflow*", "on"], 2, "is not an upstream key"),
    ]
    for args, code, words in cases:
        proc = maint(h, *args, check=False)
        assert proc.returncode == code, (args, proc.stderr)
        assert words in proc.stderr and proc.stdout == "", (args, proc.stderr)
    assert "(no upstream is in maintenance)" in maint(h).stdout
    assert h.status()["upstreams"] == []


def test_bad_bypass_expression_fails_configtest(make_httpd):
    h = make_httpd()
    h.write_config("GwGuardMaintenanceBypass -R '10.0.0.0/8' &&\n")
    proc = h.configtest()
    assert proc.returncode != 0
    assert "GwGuardMaintenanceBypass: '-R '10.0.0.0/8' &&' is not a valid " \
           "expression" in proc.stderr, proc.stderr


def test_list_needs_read_on_and_off_need_write(make_httpd, upstream):
    import os
    import subprocess
    import tempfile
    from httpd import GWGUARDCTL
    if os.geteuid() != 0:
        pytest.skip("needs root to run gwguardctl as another user")
    h = make_httpd()
    h.start(proxy_conf(upstream))
    key = key_of(upstream.port)
    maint(h, key, "on", "--message", "m")
    os.chmod(h.shm, 0o644)           # readable, writable by root only
    # nobody must reach the segment: pytest's own base (/tmp/pytest-of-root,
    # mode 0700) is not traversable, so the same file (a hard link, one
    # inode) is reached through a directory of this test's own in /tmp
    reach = tempfile.mkdtemp(prefix="gwg-maint-", dir="/tmp")
    link = os.path.join(reach, "gwguard.shm")
    try:
        os.chmod(reach, 0o711)
        os.link(h.shm, link)
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534",
                     "--clear-groups", str(GWGUARDCTL), "maintenance",
                     "--shm", link]
        p = subprocess.run(as_nobody, capture_output=True, text=True,
                           timeout=30)
        assert p.returncode == 0 and key in p.stdout, p.stderr
        p = subprocess.run(as_nobody + [key, "off"], capture_output=True,
                           text=True, timeout=30)
    finally:
        if os.path.exists(link):
            os.unlink(link)
        os.rmdir(reach)
    assert p.returncode == 1 and p.stdout == ""
    assert "write permission on it, as do maintenance on and off" \
        in p.stderr, p.stderr
    assert get(h.url + "/up/x")[0] == 503      # still in maintenance
