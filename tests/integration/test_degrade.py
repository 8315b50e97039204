"""Graceful degradation (issue 13, docs/degrade.md) against a real httpd:
breaker backoff (max_cooldown=), the retry hint, the panic threshold with
real balancer members, and stale content from real mod_cache_disk."""

import http.client
import os
import shutil
import json
import re
import tempfile
import time
from pathlib import Path

import pytest

from conftest import get
from test_ctl_recent import ctl, recent_json
from test_breaker import breaker, key_of, fail_until_open, tags
from test_counting import by_name, wait_for


def trial_fails_and_reopens(h, key):
    """Waits for the cooldown to pass, sends requests until one is the
    trial (it fails at the upstream: 502), and returns (the time it was
    sent, the status entry once the breaker is open again)."""
    def trial():
        sent = time.time()
        return get(h.url + "/up/x")[0] == 502 and sent
    sent = wait_for(trial, timeout=30)
    assert sent, h.status()
    assert wait_for(lambda: breaker(h, key) == "open"), h.status()
    return sent, by_name(h.status(), key)


def test_backoff_doubles_to_the_cap_and_a_success_resets(make_httpd,
                                                         upstream):
    h = make_httpd(loglevel="warn gwguard:info")
    upstream.force = "/close"
    h.start("GwGuardBreaker failures=1 window=10 cooldown=1 max_cooldown=3\n"
            "ProxyPass /up/ %s/\n" % key_of(upstream.port))
    key = key_of(upstream.port)
    fail_until_open(h, upstream, 1, key)
    assert by_name(h.status(), key)["breaker_cooldown"] == 1

    # each failed trial doubles the cooldown, up to max_cooldown
    for expect in (2, 3, 3):
        sent, u = trial_fails_and_reopens(h, key)
        assert u["breaker_cooldown"] == expect, u
        status, headers, _ = get(h.url + "/up/x")
        left = int(headers["Retry-After"])
        assert status == 503
        # Retry-After is the real time left of this opening: not the base
        # cooldown, not more than the doubled one
        assert left <= expect and left >= expect - (time.time() - sent) - 1
        if expect > 1:
            assert left > 1 or time.time() - sent > expect - 1.5
        assert re.search(r"GWG00403: upstream=%s breaker=open: the trial "
                         r"request failed \(class=\w+\); answering 503 "
                         r"circuit_open for %ds" % (re.escape(key), expect),
                         h.read_error_log())
    table = h.ctl("status", "--shm", str(h.shm)).stdout
    assert re.search(r"open \(half-opens in [1-3]s\)|open, due", table), table

    # healed: the trial succeeds, it closes and the backoff starts over
    upstream.force = None
    assert wait_for(lambda: get(h.url + "/up/ok")[0] == 200, timeout=30)
    assert wait_for(lambda: breaker(h, key) == "closed")
    assert by_name(h.status(), key)["breaker_cooldown"] is None
    upstream.force = "/close"
    fail_until_open(h, upstream, 1, key)
    assert by_name(h.status(), key)["breaker_cooldown"] == 1
    status, headers, _ = get(h.url + "/up/x")
    assert status == 503 and headers["Retry-After"] == "1"
    assert tags(h).count("GWG00403") == 3


def test_max_cooldown_below_cooldown_is_a_config_error(make_httpd, upstream):
    h = make_httpd()
    h.write_config("GwGuardBreaker cooldown=30 max_cooldown=10\n"
                   "ProxyPass /up/ %s/\n" % key_of(upstream.port))
    p = h.configtest()
    assert p.returncode != 0
    assert ("GwGuardBreaker: max_cooldown=10 is below cooldown=30; the cap "
            "must be at least the cooldown") in p.stderr + p.stdout


# ---- retry hint ----

def send(h, method, path, body=None, accept="application/json"):
    """One request on a fresh connection, with a body when given."""
    conn = http.client.HTTPConnection("127.0.0.1", h.port, timeout=20)
    try:
        conn.request(method, path, body=body, headers={"Accept": accept})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def test_retry_hint_in_bodies_recent_and_explain(make_httpd, upstream,
                                                 dead_port):
    h = make_httpd()
    upstream.force = "/close"
    h.start("ProxyPass /up/ %s/\nProxyPass /dead/ http://127.0.0.1:%d/\n"
            % (key_of(upstream.port), dead_port))
    cases = [
        # (method, path, body, class, retryable)
        ("GET", "/up/a", None, "reset_before_headers", True),
        ("PUT", "/up/b", None, "reset_before_headers", True),
        ("POST", "/up/c", b"x=1", "reset_before_headers", False),
        ("PUT", "/up/d", b"x=1", "reset_before_headers", False),
        ("PATCH", "/up/e", None, "reset_before_headers", False),
        ("POST", "/dead/f", b"x=1", "connect_refused", True),
    ]
    ids = {}
    for method, path, body, cls, retryable in cases:
        status, _, raw = send(h, method, path, body)
        doc = json.loads(raw)["error"]
        assert (doc["class"], doc["retryable"]) == (cls, retryable), \
            (method, path, doc)
        status, hd, raw = send(h, method, path, body,
                               accept="application/problem+json")
        assert hd["Content-Type"].startswith("application/problem+json")
        assert json.loads(raw)["retryable"] is retryable, (method, path)
        ids[path] = (doc["request_id"], retryable)

    entries = wait_for(lambda: (lambda e: e if len(e) >= 2 * len(cases)
                                else None)(recent_json(h, "-n", "50")))
    assert entries, recent_json(h)
    by_id = {e["request_id"]: e for e in entries}
    for path, (rid, retryable) in ids.items():
        assert by_id[rid]["retryable"] is retryable, by_id[rid]
        out = ctl("explain", "--shm", str(h.shm), rid).stdout
        assert ("Retryable:      yes" if retryable
                else "Retryable:      no") in out, out


# ---- panic threshold ----

def test_panic_threshold_with_four_members(make_httpd):
    """4 real members, panic=50: two open breakers (50 %) are still
    refused and failed over; a third (75 %) puts the balancer in panic:
    gwguard refuses none, mod_proxy reaches the open members again, one
    GWG00405; back to two open, refusals resume and GWG00406 says so."""
    from faultd import FaultUpstream
    ups = [FaultUpstream().start() for _ in range(4)]
    try:
        keys = [key_of(u.port) for u in ups]
        h = make_httpd(loglevel="warn gwguard:notice")
        h.start("GwGuardBreaker failures=1 window=30 cooldown=600 panic=50\n"
                "<Proxy balancer://four>\n"
                + "".join("  BalancerMember %s retry=0\n" % k for k in keys)
                + "</Proxy>\nProxyPass /lb/ balancer://four/\n")

        def drive_open(i):
            ups[i].force = "/close"

            def opened():
                get(h.url + "/lb/x")
                try:
                    return breaker(h, keys[i]) == "open"
                except AssertionError:      # no slot yet
                    return False
            assert wait_for(opened, timeout=30), h.status()
            ups[i].force = None

        def burst(n=12):
            return [get(h.url + "/lb/ok")[0] for _ in range(n)]

        drive_open(0)
        drive_open(1)
        # 2 of 4 open = 50 %, not more: refused, failed over, no error
        conns = [u.connections for u in ups]
        assert burst() == [200] * 12
        assert [u.connections for u in ups[:2]] == conns[:2]
        assert "GWG00405" not in h.read_error_log()

        drive_open(2)                       # 3 of 4 = 75 % > 50 %: panic
        conns = [u.connections for u in ups]

        def every_open_member_reached():
            return all(ups[i].connections > conns[i] for i in range(3))
        # byrequests' order after the refusals is mod_proxy's business:
        # send until each open member was reached, every answer a 200
        statuses = []
        while len(statuses) < 80 and not every_open_member_reached():
            statuses.append(get(h.url + "/lb/ok")[0])
        assert every_open_member_reached(), (conns, statuses)
        assert statuses == [200] * len(statuses)
        st = h.status()
        for i in range(3):
            u = by_name(st, keys[i])
            assert u["breaker"] == "open" and u["breaker_panic"] is True, u
        assert by_name(st, keys[3])["breaker_panic"] is False
        log = h.read_error_log()
        assert log.count("GWG00405") == 1, log
        assert re.search(r"\[gwguard:warn\].*GWG00405: balancer=balancer://"
                         r"four breaker=panic: 3 of 4 members' breakers are "
                         r"open, more than panic=50%", log), log
        table = h.ctl("status", "--shm", str(h.shm)).stdout
        assert "open (panic: let through)" in table, table
        prom = h.ctl("status", "--prometheus", "--shm", str(h.shm)).stdout
        assert re.search(r'gwguard_breaker_panic\{upstream="%s"\} 1'
                         % re.escape(keys[0]), prom), prom

        # one closed by hand: 2 of 4 again, the open ones are refused
        h.ctl("reset", "--shm", str(h.shm), "--breaker", keys[2])
        # the next refusal of an open member sees 2 of 4 and says so
        assert wait_for(lambda: get(h.url + "/lb/ok")[0] == 200
                        and "GWG00406" in h.read_error_log(), timeout=20)
        conns = [u.connections for u in ups]
        assert burst() == [200] * 12
        # each open member's flag is cleared when it is refused again
        assert wait_for(lambda: burst(2) == [200, 200] and not any(
            by_name(h.status(), k)["breaker_panic"] for k in keys),
            timeout=20), h.status()
        assert [u.connections for u in ups[:2]] == conns[:2]
        assert h.read_error_log().count("GWG00406") == 1
    finally:
        for u in ups:
            u.stop()


# ---- stale before error ----

@pytest.fixture
def cache_root():
    """mod_cache_disk's CacheRoot, written by the children (www-data when
    the tests run as root), so outside pytest's private tmp tree."""
    root = Path(tempfile.mkdtemp(prefix="gwguard-cache-"))
    if os.geteuid() == 0:
        shutil.chown(root, "www-data", "www-data")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_stale_before_error_with_mod_cache_disk(make_httpd, mpm, cache_root):
    """Prime real mod_cache_disk, stop the upstream: the stale copy is
    served (with httpd's "Warning: 111"), not gwguard's page nor its
    headers, and counted as stale; the failure still counts."""
    from faultd import FaultUpstream
    from httpd import BASE_MODULES
    up = FaultUpstream().start()
    h = make_httpd(mpm, modules=BASE_MODULES + ["cache", "cache_disk"],
                   loglevel="warn gwguard:info")
    key = key_of(up.port)
    h.start("CacheRoot \"%s\"\nCacheEnable disk /up/\n"
            "CacheStaleOnError On\nCacheHeader On\n"
            "ProxyPass /up/ %s/ disablereuse=On\n" % (cache_root, key))
    try:
        status, hd, primed = get(h.url + "/up/cacheable")
        assert status == 200 and primed.startswith(b"cacheable #1")
        # stored once a request is a hit (within max-age=1, or the
        # revalidation refreshes it: either way the upstream answered)
        assert wait_for(lambda: get(h.url + "/up/cacheable")[1]
                        .get("X-Cache", "").startswith("HIT"))
    finally:
        up.stop()                           # the upstream is gone
    stored = get(h.url + "/up/cacheable")[2]

    def stale_answer():
        status, hd, body = get(h.url + "/up/cacheable",
                               headers={"Accept": "application/json"})
        return (status, hd, body) if "Warning" in hd else None
    got = wait_for(stale_answer, timeout=10)     # once max-age=1 is over
    assert got, h.read_error_log()[-3000:]
    status, hd, body = got
    assert status == 200 and body == stored, got
    assert hd["Warning"] == "111 Revalidation failed", hd
    assert hd["Content-Type"] == "text/plain", hd
    for ours in ("Proxy-Status", "Retry-After"):
        assert ours not in hd, hd
    assert hd["Cache-Control"] == "max-age=1", hd     # the entity's own
    u = by_name(h.status(), key)
    assert u["stale"] >= 1 and u["classes"]["connect_refused"] >= 1, u
    assert u["stale"] == u["classes"]["connect_refused"], u
    log = h.read_error_log()
    assert re.search(r"\[gwguard:info\].*GWG00600: upstream=%s "
                     r"class=connect_refused: mod_cache answers with a stale "
                     r"copy" % re.escape(key), log), log
    prom = h.ctl("status", "--prometheus", "--shm", str(h.shm)).stdout
    assert re.search(r'gwguard_stale_total\{upstream="%s"\} [1-9]'
                     % re.escape(key), prom), prom
    table = h.ctl("status", "--shm", str(h.shm)).stdout
    m = re.search(r"^%s\s.*\s(\d+) - +closed$" % re.escape(key), table,
                  re.M)
    assert m and int(m.group(1)) == u["stale"], table
    xml = h.ctl("status", "--xml", "--shm", str(h.shm)).stdout
    assert re.search(r"<gwguard:stale>[1-9]\d*</gwguard:stale>", xml), xml

    # an uncached URL on the same dead upstream still gets gwguard's page
    status, hd, body = get(h.url + "/up/never-cached",
                           headers={"Accept": "application/json"})
    assert status == 503 and json.loads(body)["error"]["class"] == \
        "connect_refused"
    assert hd["Proxy-Status"].startswith("gwguard; error=")
    assert by_name(h.status(), key)["stale"] == u["stale"]
