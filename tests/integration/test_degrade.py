"""Graceful degradation (issue 13, docs/degrade.md) against a real httpd:
breaker backoff (max_cooldown=), the retry hint, the panic threshold with
real balancer members, and stale content from real mod_cache_disk."""

import re
import time

from conftest import get
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
