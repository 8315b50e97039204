"""Counting proxied requests per upstream, end to end, under event and
prefork: successes, refused connects, upstream 5xx, client aborts, the
GWGUARD_* variables in the access log, the log line, and GwGuard Off."""

import re
import time

from conftest import get, abort_after_send


def proxy_conf(upstream, dead_port, extra=""):
    return ("ProxyPass /up/ http://127.0.0.1:%d/\n"
            "ProxyPass /dead/ http://127.0.0.1:%d/\n"
            "<Location /quiet/>\n  GwGuard Off\n</Location>\n"
            "ProxyPass /quiet/ http://127.0.0.1:%d/\n%s"
            % (upstream.port, dead_port, dead_port, extra))


def by_name(status, key):
    for u in status["upstreams"]:
        if u["name"] == key:
            return u
    raise AssertionError("no upstream %s in %s" % (
        key, [u["name"] for u in status["upstreams"]]))


def wait_for(fn, timeout=10):
    """Polls fn until it returns a true value (counters are written when
    the request's proxy handler finishes, just after the response)."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_success_and_refused_are_counted(make_httpd, upstream, dead_port,
                                         mpm):
    h = make_httpd(mpm, loglevel="warn gwguard:info").start(
        proxy_conf(upstream, dead_port))
    for _ in range(3):
        assert get(h.url + "/up/ok")[0] == 200
    for _ in range(2):
        assert get(h.url + "/dead/x")[0] == 503
    up_key = "http://127.0.0.1:%d" % upstream.port
    dead_key = "http://127.0.0.1:%d" % dead_port

    st = wait_for(lambda: (lambda s: s if by_name(s, dead_key)["requests"]
                           == 2 else None)(h.status()))
    assert st, h.status()
    up, dead = by_name(st, up_key), by_name(st, dead_key)
    assert (up["requests"], up["successes"], up["failures"]) == (3, 3, 0)
    assert up["worker"] == up_key + "/"
    assert up["balancer"] is None and up["last_failure"] is None
    assert (dead["requests"], dead["successes"], dead["failures"]) == (2, 0, 2)
    assert dead["classes"]["connect_refused"] == 2
    assert sum(dead["classes"].values()) == 2
    assert dead["statuses"]["503"] == 2
    assert dead["consecutive_failures"] == 2
    assert dead["last_failure"]["class"] == "connect_refused"
    assert st["totals"]["requests"] == 5
    assert st["totals"]["classes"]["connect_refused"] == 2

    log = "\n".join(h.access_entries())
    assert ('"GET /dead/x HTTP/1.1" 503 connect_refused SC %s' % dead_key
            in log)
    assert '"GET /up/ok HTTP/1.1" 200 - - %s' % up_key in log

    lines = [l for l in h.read_error_log().splitlines() if "GWG00006" in l]
    assert len(lines) == 2
    assert re.search(r"\[gwguard:info\].*GWG00006: upstream failure: "
                     r"upstream=%s class=connect_refused code=SC "
                     r"status=503 request_id=\S+" % re.escape(dead_key),
                     lines[0])
    assert h.read_error_log().count("GWG00007") == 1  # starts failing, once


def test_per_request_lines_are_off_at_default_level(make_httpd, upstream,
                                                    dead_port):
    h = make_httpd(loglevel="warn").start(proxy_conf(upstream, dead_port))
    assert get(h.url + "/dead/x")[0] == 503
    assert wait_for(lambda: h.status()["totals"]["failures"] == 1)
    assert "GWG00006" not in h.read_error_log()
    assert "GWG00007" in h.read_error_log()


def test_upstream_5xx_is_counted_and_passed_through(make_httpd, upstream,
                                                    dead_port, mpm):
    h = make_httpd(mpm).start(proxy_conf(upstream, dead_port))
    status, _, body = get(h.url + "/up/status/502")
    assert status == 502 and body == b"upstream says 502\n"
    assert get(h.url + "/up/status/500")[0] == 500
    key = "http://127.0.0.1:%d" % upstream.port
    st = wait_for(lambda: (lambda s: s if by_name(s, key)["failures"] == 2
                           else None)(h.status()))
    assert st, h.status()
    up = by_name(st, key)
    assert up["classes"]["upstream_5xx"] == 2
    # the upstream's own answers are not responses gwguard sent
    assert up["statuses"] == {"502": 0, "503": 0, "504": 0}
    assert "upstream_5xx U5 %s" % key in "\n".join(h.access_entries())


def test_client_abort_is_counted_apart(make_httpd, upstream, dead_port, mpm):
    h = make_httpd(mpm).start(proxy_conf(upstream, dead_port))
    abort_after_send("127.0.0.1", h.port, "/up/stream?chunks=200&ms=20")
    key = "http://127.0.0.1:%d" % upstream.port
    up = wait_for(lambda: (lambda u: u if u["classes"]["client_abort"]
                           else None)(by_name(h.status(), key)))
    assert up, "client abort was not counted"
    assert up["classes"]["client_abort"] == 1
    assert up["failures"] == 0 and up["consecutive_failures"] == 0
    assert up["requests"] == 1


def test_gwguard_off_counts_nothing(make_httpd, upstream, dead_port):
    h = make_httpd().start(proxy_conf(upstream, dead_port))
    assert get(h.url + "/quiet/x")[0] == 503
    assert get(h.url + "/up/ok")[0] == 200
    key = "http://127.0.0.1:%d" % upstream.port
    st = wait_for(lambda: (lambda s: s if s["upstreams"] else None)(
        h.status()))
    assert st, h.status()
    assert [u["name"] for u in st["upstreams"]] == [key]
    quiet = [l for l in h.access_entries() if "/quiet/x" in l]
    assert quiet == ['127.0.0.1 "GET /quiet/x HTTP/1.1" 503 - - -']


def test_balancer_members_are_their_own_upstreams(make_httpd, upstream,
                                                  dead_port):
    conf = ("<Proxy balancer://pool>\n"
            "  BalancerMember http://127.0.0.1:%d\n"
            "  BalancerMember http://127.0.0.1:%d\n"
            "</Proxy>\n"
            "ProxyPass /lb/ balancer://pool/\n" % (dead_port, upstream.port))
    h = make_httpd().start(conf)
    for _ in range(4):
        assert get(h.url + "/lb/ok")[0] == 200
    dead_key = "http://127.0.0.1:%d" % dead_port
    up_key = "http://127.0.0.1:%d" % upstream.port
    st = wait_for(lambda: (lambda s: s if len(s["upstreams"]) == 2 and
                           by_name(s, up_key)["requests"] == 4 else None)(
        h.status()))
    assert st, h.status()
    dead, up = by_name(st, dead_key), by_name(st, up_key)
    assert dead["balancer"] == "balancer://pool"
    assert up["balancer"] == "balancer://pool"
    # the dead member failed at least once, then was skipped (in error)
    assert dead["classes"]["connect_refused"] >= 1
    assert dead["requests"] == dead["failures"]
    assert up["successes"] == 4
    # the client never saw the failover
    assert " 200 - - %s" % up_key in "\n".join(h.access_entries())


def test_overflow_slot(make_httpd, upstream, request):
    conf = "GwGuardMaxUpstreams 16\n"
    # 18 distinct upstreams: 16 get slots, the last 2 share *overflow*
    from httpd import refusing_port
    held = [refusing_port() for _ in range(18)]
    request.addfinalizer(lambda: [s.close() for s, _ in held])
    ports = [port for _, port in held]
    for i, p in enumerate(ports):
        conf += "ProxyPass /d%d/ http://127.0.0.1:%d/\n" % (i, p)
    h = make_httpd().start(conf)
    for i in range(18):
        assert get(h.url + "/d%d/x" % i)[0] == 503
    st = wait_for(lambda: (lambda s: s if s["totals"]["requests"] == 18
                           else None)(h.status()))
    assert st, h.status()
    names = [u["name"] for u in st["upstreams"]]
    assert "*overflow*" in names and len(names) == 17
    assert by_name(st, "*overflow*")["requests"] == 2
    assert h.read_error_log().count("GWG00009") == 1


def test_worker_mpm_counts_and_answers(make_httpd, upstream, dead_port):
    """The third MPM httpd ships: counting, classes and the page under
    mpm_worker too (the matrix runs under event and prefork)."""
    h = make_httpd("worker").start(proxy_conf(upstream, dead_port))
    assert get(h.url + "/up/ok")[0] == 200
    status, headers, body = get(h.url + "/dead/x")
    assert status == 503 and b"503" in body
    assert headers.get("Cache-Control") == "no-store"
    dead_key = "http://127.0.0.1:%d" % dead_port
    st = wait_for(lambda: (lambda s: s if s["totals"]["requests"] == 2
                           else None)(h.status()))
    assert st, h.status()
    assert by_name(st, dead_key)["classes"]["connect_refused"] == 1
    assert st["totals"]["successes"] == 1
