"""gwguardctl reset while httpd serves: every request that starts after
the reset has returned is counted (no increment is lost to the reset),
nothing is counted twice, and the header records when and by whom."""

import os
import re
import subprocess
import threading
import time

from conftest import get
from httpd import GWGUARDCTL
from test_counting import by_name, wait_for

THREADS = 4


def test_reset_under_load(make_httpd, upstream, mpm):
    h = make_httpd(mpm).start("ProxyPass /up/ http://127.0.0.1:%d/\n"
                              % upstream.port)
    key = "http://127.0.0.1:%d" % upstream.port
    get(h.url + "/up/ok")
    assert wait_for(lambda: h.status()["totals"]["requests"] == 1)
    lock = threading.Lock()
    log = []                  # (start, end) monotonic, per request
    failed = []               # anything but a 200, and any exception
    stop = threading.Event()

    def client():
        while not stop.is_set():
            t0 = time.monotonic()
            try:
                status = get(h.url + "/up/ok")[0]
            except Exception as e:          # noqa: BLE001 -- reported
                status = repr(e)
            with lock:
                if status != 200:
                    failed.append(status)
                    return
                log.append((t0, time.monotonic()))

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for t in threads:
        t.start()
    try:
        assert wait_for(lambda: len(log) >= 100, timeout=60)
        before = time.monotonic()
        p = subprocess.run([str(GWGUARDCTL), "reset", "--all", "--shm",
                            str(h.shm)], capture_output=True, text=True,
                           timeout=30, stdin=subprocess.DEVNULL)
        after = time.monotonic()
        assert p.returncode == 0, p.stderr

        def started_after():
            with lock:
                return sum(1 for s, _ in log if s > after)
        assert wait_for(lambda: started_after() >= 200, timeout=60)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert failed == []
    with lock:
        total = len(log)
        late = sum(1 for s, _ in log if s > after)
        early = sum(1 for _, e in log if e < before)
    # a request is counted in its handler, before its access-log line:
    # once every request (and the warm-up) is logged, all are counted
    assert wait_for(lambda: sum("/up/ok" in l for l in h.access_entries())
                    == total + 1, timeout=20), total
    counted = by_name(h.status(), key)["requests"]
    # all the late ones, none from before the first request (+1 warm-up),
    # and at most the requests not finished before the reset began (plus
    # the few whose recording trails their response)
    assert late <= counted <= total - early + THREADS, (
        late, counted, total, early)
    u = by_name(h.status(), key)
    assert u["successes"] == u["requests"] and u["failures"] == 0
    table = subprocess.run([str(GWGUARDCTL), "status", "--shm", str(h.shm)],
                           capture_output=True, text=True, timeout=30).stdout
    assert re.search(r"reset \S+Z by uid %d " % os.getuid(), table), table
