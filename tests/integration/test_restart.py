"""Counters survive graceful restarts and stop/start; every start bumps
the generation; a file that is not trustworthy is replaced and logged."""

import os
import time
from datetime import datetime

from conftest import get
from test_counting import by_name, wait_for


def conf(upstream):
    return "ProxyPass /up/ http://127.0.0.1:%d/\n" % upstream.port


def count(h, upstream, n):
    for _ in range(n):
        assert get(h.url + "/up/ok")[0] == 200


def requests_of(h, upstream):
    key = "http://127.0.0.1:%d" % upstream.port
    return by_name(h.status(), key)["requests"]


def test_graceful_and_stop_start_keep_counters(make_httpd, upstream, mpm):
    h = make_httpd(mpm).start(conf(upstream))
    count(h, upstream, 3)
    assert wait_for(lambda: requests_of(h, upstream) == 3)
    gen = h.status()["generation"]
    started = h.status()["started"]

    h.graceful()
    assert h.status()["generation"] == gen + 1
    assert h.status()["started"] == started      # same parent process
    count(h, upstream, 2)
    assert wait_for(lambda: requests_of(h, upstream) == 5)

    h.stop()
    assert requests_of(h, upstream) == 5          # readable while stopped
    # a new start time: the next start falls in a later second
    first = datetime.fromisoformat(started.replace("Z", "+00:00"))
    while time.time() < first.timestamp() + 1:
        time.sleep(0.05)
    h.start(conf(upstream))
    st = h.status()
    assert st["generation"] == gen + 2
    assert st["started"] != started
    count(h, upstream, 1)
    assert wait_for(lambda: requests_of(h, upstream) == 6)
    assert "GWG00002" not in h.read_error_log().split("resuming")[-1]


def test_changed_table_size_makes_fresh_segment(make_httpd, upstream):
    h = make_httpd().start(conf(upstream))
    count(h, upstream, 2)
    assert wait_for(lambda: requests_of(h, upstream) == 2)
    h.stop()
    h.start("GwGuardMaxUpstreams 64\n" + conf(upstream))
    assert h.status()["upstreams"] == []
    assert "not trusting the old file: it was made for 1024 upstreams" \
        in h.read_error_log()


def corrupt_and_start(h, upstream, damage):
    h.start(conf(upstream))
    count(h, upstream, 1)
    assert wait_for(lambda: requests_of(h, upstream) == 1)
    h.stop()
    damage(h.shm)
    h.start(conf(upstream))
    count(h, upstream, 1)
    assert wait_for(lambda: requests_of(h, upstream) == 1)
    return h.read_error_log()


def test_wrong_magic_is_replaced(make_httpd, upstream):
    def damage(p):
        with open(p, "r+b") as f:
            f.write(b"XXXXXXXX")
    log = corrupt_and_start(make_httpd(), upstream, damage)
    assert "not trusting the old file: not a gwguard segment (wrong magic)" \
        in log


def test_truncated_file_is_replaced(make_httpd, upstream):
    log = corrupt_and_start(make_httpd(), upstream,
                            lambda p: os.truncate(p, 200))
    assert "not trusting the old file: truncated (200 bytes" in log


def test_wrong_version_is_replaced(make_httpd, upstream):
    def damage(p):
        with open(p, "r+b") as f:
            f.seek(8)
            f.write((99).to_bytes(4, "little"))
    log = corrupt_and_start(make_httpd(), upstream, damage)
    assert "layout version 99, this build reads 1" in log
