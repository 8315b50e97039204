"""Every failure class of docs/classes.md, fault by fault, against a real httpd.

One httpd per (MPM, LogLevel) serves the whole matrix: each fault has an
upstream of its own (its own key), the faults are requested in parallel,
then one test per class checks what that class left behind: the counters
in `gwguardctl status --json`, the status the client got, GWGUARD_* in the
access log and the GWG00006 line. The same matrix runs with `LogLevel
crit` (gwguard:info kept for the line): the classes must not change,
since httpd's error-log hook sees nothing at crit.
"""

import http.client
import re
import shutil
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from faultd import Blackhole, FaultUpstream, make_cert
from conftest import get
from httpd import BASE_MODULES, Httpd, refusing_port
from test_counting import by_name, wait_for

DNS_HOST = "gwguard-test.invalid"
TLS_ERRORS = [r"AH02039", r"AH02040", r"AH02261", r"AH02003", r"AH01997",
              r"AH02004", r"AH02411", r"SSL Library Error", r"AH00898"]
# Requests to one plain worker with status=-I: the first in each child
# is refused and puts the worker in error; the next in that child finds it
# unusable. MaxRequestWorkers is 16 (prefork) or 2 processes (event), so
# 17 requests reach some child twice.
DOWN_REQUESTS = 17


def fetch(port, path, timeout=30):
    """One GET on a fresh connection. Returns (status, complete): status
    None when the connection closed without an answer; complete False for
    a truncated body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        try:
            resp.read()
            return resp.status, True
        except (http.client.IncompleteRead, OSError):
            return resp.status, False
    except (http.client.RemoteDisconnected, ConnectionError):
        return None, False
    finally:
        conn.close()


def kept_alive(port, paths, timeout=30):
    """GETs on one client connection, in order; stops at the first one
    that got no answer. Returns the statuses (None: no answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    out = []
    try:
        for path in paths:
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                out.append(resp.status)
            except (http.client.RemoteDisconnected, ConnectionError):
                out.append(None)
                break
    finally:
        conn.close()
    return out


def abort_request(port, path):
    """Sends a request and closes once the answer has started."""
    s = socket.create_connection(("127.0.0.1", port), 10)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode())
    s.recv(1)
    s.close()
    return None, False


class Case:
    """One fault: the route it is served under, the class and client
    status it must give, the paths requested and the worker's params."""

    def __init__(self, cls, route, paths, status, params="", code=None):
        self.cls, self.route, self.paths = cls, route, paths
        self.status, self.params = status, params
        self.key = None
        self.results = []


def cases():
    return {
        "connect_refused": Case("connect_refused", "refused", ["/x"], 503),
        "connect_timeout": Case("connect_timeout", "ct", ["/x"], 503,
                                "connectiontimeout=1 timeout=5"),
        "dns": Case("dns", "dns", ["/x"], 502),
        "tls": Case("tls", "tls", ["/ok"], 502),
        "header_timeout": Case("header_timeout", "hto",
                               ["/hang", "/headstall"], 504, "timeout=2"),
        "reset_before_headers": Case("reset_before_headers", "rst",
                                     ["/reset", "/close"], 502),
        "bad_response": Case("bad_response", "bad",
                             ["/garbage", "/badversion", "/bigheader",
                              "/nocolon"], 502),
        "body_timeout": Case("body_timeout", "bto", ["/stall"], 200,
                             "timeout=2"),
        "body_reset": Case("body_reset", "brst", ["/truncate"], 200),
        "upstream_5xx": Case("upstream_5xx", "u5",
                             ["/status/500", "/status/502", "/status/503",
                              "/status/504"], None),
        "client_abort": Case("client_abort", "abort",
                             ["/stream?chunks=400&ms=20"], None),
        "unavailable": Case("unavailable", "off", ["/x"], 503),
    }


class Matrix:
    """Upstreams, httpd and the results of one run of every fault."""

    def __init__(self, root, mpm, loglevel):
        self.root = root
        self.cases = cases()
        self.upstreams = []
        self.blackholes = []
        self.refusing = []           # sockets holding the refusing ports
        self.h = Httpd(root / "httpd", mpm=mpm, loglevel=loglevel,
                       modules=BASE_MODULES + ["ssl"])
        self.h.allowed_errors += TLS_ERRORS

    def upstream(self, tls=None):
        u = FaultUpstream(tls=tls).start()
        self.upstreams.append(u)
        return u

    def blackhole(self):
        b = Blackhole()
        self.blackholes.append(b)
        return b

    def refusing_port(self):
        s, port = refusing_port()
        self.refusing.append(s)
        return port

    def route(self, case, origin):
        case.key = origin
        return "ProxyPass /%s/ %s/ %s\n" % (case.route, origin, case.params)

    def config(self):
        c = self.cases
        server_cert = make_cert(self.root, "upstream")
        other_ca = make_cert(self.root, "other-ca")
        conf = ("SSLProxyEngine On\nSSLProxyVerify require\n"
                "SSLProxyCACertificateFile %s\n" % other_ca[0])
        conf += self.route(c["connect_refused"],
                           "http://127.0.0.1:%d" % self.refusing_port())
        bh = self.blackhole()
        self.ct_works = bh.drops_syns()
        conf += self.route(c["connect_timeout"],
                           "http://127.0.0.1:%d" % bh.port)
        conf += self.route(c["dns"], "http://%s:8080" % DNS_HOST)
        conf += self.route(c["tls"], "https://127.0.0.1:%d"
                           % self.upstream(tls=server_cert).port)
        for name in ("header_timeout", "reset_before_headers",
                     "bad_response", "body_timeout", "body_reset",
                     "upstream_5xx", "client_abort"):
            conf += self.route(c[name], "http://127.0.0.1:%d"
                               % self.upstream().port)
        # unavailable, twice: a balancer whose members are all disabled
        # (no attempt at all), and a plain worker that is in error
        c["unavailable"].key = "balancer://off"
        conf += ("<Proxy balancer://off>\n  BalancerMember "
                 "http://127.0.0.1:%d status=+D\n</Proxy>\n"
                 "ProxyPass /off/ balancer://off/\n"
                 % self.upstream().port)
        self.down_key = "http://127.0.0.1:%d" % self.refusing_port()
        conf += "ProxyPass /down/ %s/ status=-I\n" % self.down_key
        # failover: a refused member, a timing-out one, then a good one
        self.lb_dead = "http://127.0.0.1:%d" % self.refusing_port()
        self.lb_slow = "http://127.0.0.1:%d" % self.blackhole().port
        self.lb_good = "http://127.0.0.1:%d" % self.upstream().port
        conf += "<Proxy balancer://fo>\n  BalancerMember %s\n" % self.lb_dead
        if self.ct_works:
            conf += "  BalancerMember %s connectiontimeout=1\n" % self.lb_slow
        conf += ("  BalancerMember %s\n</Proxy>\n"
                 "ProxyPass /fo/ balancer://fo/\n" % self.lb_good)
        # a reset before the head on a kept-alive client connection:
        # httpd closes the client connection without any answer
        self.race_key = "http://127.0.0.1:%d" % self.upstream().port
        conf += "ProxyPass /race/ %s/\n" % self.race_key
        # healthy and slow-but-valid requests through the same config
        self.ok_key = "http://127.0.0.1:%d" % self.upstream().port
        conf += "ProxyPass /ok/ %s/\n" % self.ok_key
        return conf

    def run(self):
        self.h.start(self.config())
        port = self.h.port
        with ThreadPoolExecutor(max_workers=24) as pool:
            jobs = []
            for case in self.cases.values():
                if case.cls == "connect_timeout" and not self.ct_works:
                    continue
                for path in case.paths:
                    fn = (abort_request if case.cls == "client_abort"
                          else fetch)
                    jobs.append((case, path, pool.submit(
                        fn, port, "/%s%s" % (case.route, path))))
            down = pool.submit(lambda: [fetch(port, "/down/x")
                                        for _ in range(DOWN_REQUESTS)])
            fo = pool.submit(fetch, port, "/fo/ok")
            race = pool.submit(kept_alive, port, ["/race/ok", "/race/close"])
            ok = pool.submit(fetch, port, "/ok/ok")
            slow = pool.submit(fetch, port, "/ok/slow?ms=300")
            for case, path, job in jobs:
                case.results.append((path, job.result()))
            self.down_results = down.result()
            self.fo_result = fo.result()
            self.race_result = race.result()
            self.ok_results = [ok.result(), slow.result()]
        self.wait_counted()

    def expected_requests(self):
        n = sum(len(c.paths) for c in self.cases.values()
                if c.cls != "connect_timeout" or self.ct_works)
        # failover tries 3 members (2 without the blackhole); 2 requests
        # on the kept-alive connection; 2 healthy ones
        return n + DOWN_REQUESTS + (3 if self.ct_works else 2) + 2 + 2

    def wait_counted(self, timeout=20):
        """Counters are written as each request's proxy handler ends. The
        kept-alive race's client sees its connection closed before httpd
        counts the request, so its slot is waited for too."""
        deadline = time.monotonic() + timeout
        while True:
            self.status = self.h.status()
            race = [u["requests"] for u in self.status["upstreams"]
                    if u["name"] == self.race_key]
            if ((self.status["totals"]["requests"]
                 >= self.expected_requests() and race and race[0] >= 2)
                    or time.monotonic() > deadline):
                return
            time.sleep(0.1)

    def stop(self):
        self.h.stop()
        for u in self.upstreams:
            u.stop()
        for b in self.blackholes:
            b.stop()
        for s in self.refusing:
            s.close()

    def slot(self, key):
        for u in self.status["upstreams"]:
            if u["name"] == key:
                return u
        raise AssertionError("no upstream %s in %s" % (
            key, [u["name"] for u in self.status["upstreams"]]))

    def gwg_lines(self, key):
        return [l for l in self.h.read_error_log().splitlines()
                if "GWG00006" in l and "upstream=%s " % key in l]


LOGLEVELS = {"default": "warn gwguard:info", "crit": "crit gwguard:info"}


@pytest.fixture(scope="module", params=[
    ("event", "default"), ("prefork", "default"),
    ("event", "crit"), ("prefork", "crit")],
    ids=lambda p: "%s-%s" % p)
def matrix(request, tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make the test certificates")
    mpm, level = request.param
    m = Matrix(tmp_path_factory.mktemp("classes-%s-%s" % (mpm, level)),
               mpm, LOGLEVELS[level])
    try:
        m.run()
        yield m
    finally:
        m.stop()
    m.h.check_error_log()


def check_case(m, name, count=None):
    """The counters, client statuses, access log and log lines of one
    class: every request of the case, and nothing else, counted as it."""
    case = m.cases[name]
    n = len(case.paths) if count is None else count
    slot = m.slot(case.key)
    assert slot["requests"] == n, slot
    assert slot["classes"][name] == n, slot["classes"]
    assert sum(slot["classes"].values()) == n, slot["classes"]
    if name == "client_abort":
        assert slot["failures"] == 0 and slot["successes"] == 0
    else:
        assert slot["failures"] == n and slot["successes"] == 0, slot
    if name == "client_abort":               # not a failure: none recorded
        assert slot["last_failure"] is None, slot
    else:
        assert slot["last_failure"]["class"] == name, slot
    code = {"connect_refused": "SC", "connect_timeout": "sC", "dns": "DF",
            "tls": "ST", "header_timeout": "sH",
            "reset_before_headers": "SH", "bad_response": "PH",
            "body_timeout": "sD", "body_reset": "SD", "unavailable": "SQ",
            "upstream_5xx": "U5", "client_abort": "CD"}[name]
    log = m.h.access_entries()
    for path, (status, _) in case.results:
        want = case.status
        if name == "upstream_5xx":
            want = int(path.rsplit("/", 1)[1])
        if want is not None:
            assert status == want, (path, status)
        line = [l for l in log if '"GET /%s%s HTTP/1.1"' % (case.route, path)
                in l]
        assert len(line) == 1, log
        assert line[0].endswith(" %s %s %s" % (name, code, case.key)), line
        if want is not None:
            assert '" %d %s' % (want, name) in line[0], line
    lines = m.gwg_lines(case.key)
    assert len(lines) == n, lines
    for l in lines:
        assert re.search(r"\[gwguard:info\].*GWG00006: upstream failure: "
                         r"upstream=%s class=%s code=%s status=\d+ "
                         r"request_id=\S+" % (re.escape(case.key), name,
                                              re.escape(code)), l), l
    ids = [re.search(r"request_id=(\S+)", l).group(1) for l in lines]
    assert len(set(ids)) == len(ids)
    return slot


def test_healthy_requests_succeed(matrix):
    assert matrix.ok_results == [(200, True), (200, True)]
    ok = matrix.slot(matrix.ok_key)
    assert (ok["requests"], ok["successes"], ok["failures"]) == (2, 2, 0)
    assert matrix.gwg_lines(matrix.ok_key) == []


def test_connect_refused(matrix):
    slot = check_case(matrix, "connect_refused")
    assert slot["statuses"]["503"] == 1


def test_connect_timeout(matrix):
    if not matrix.ct_works:
        pytest.skip("this kernel answers or refuses connects to a full "
                    "accept queue, so no loopback connect can time out; "
                    "the class is covered by the unit tests")
    slot = check_case(matrix, "connect_timeout")
    assert slot["statuses"]["503"] == 1


def test_dns(matrix):
    slot = check_case(matrix, "dns")
    assert slot["statuses"]["502"] == 1     # mod_proxy says 500


def test_tls(matrix):
    slot = check_case(matrix, "tls")
    assert slot["statuses"]["502"] == 1     # mod_proxy says 500


def test_header_timeout(matrix):
    slot = check_case(matrix, "header_timeout")
    assert slot["statuses"]["504"] == 2     # mod_proxy says 502


def test_reset_before_headers(matrix):
    slot = check_case(matrix, "reset_before_headers")
    assert slot["statuses"]["502"] == 2


def test_bad_response(matrix):
    slot = check_case(matrix, "bad_response")
    assert slot["statuses"]["502"] == 4


def test_body_timeout(matrix):
    check_case(matrix, "body_timeout")
    # the answer had started: cut short, never replaced
    assert [r[1] for r in matrix.cases["body_timeout"].results] == [
        (200, False)]


def test_body_reset(matrix):
    check_case(matrix, "body_reset")
    assert [r[1] for r in matrix.cases["body_reset"].results] == [
        (200, False)]


def test_upstream_5xx(matrix):
    slot = check_case(matrix, "upstream_5xx")
    assert slot["statuses"] == {"502": 0, "503": 0, "504": 0}


def test_client_abort(matrix):
    slot = check_case(matrix, "client_abort")
    assert slot["consecutive_failures"] == 0


def test_unavailable_balancer_without_members(matrix):
    slot = check_case(matrix, "unavailable")
    assert slot["balancer"] == "balancer://off"
    assert slot["statuses"]["503"] == 1


def test_unavailable_worker_in_error(matrix):
    m = matrix
    assert [r[0] for r in m.down_results] == [503] * DOWN_REQUESTS
    slot = m.slot(m.down_key)
    refused = slot["classes"]["connect_refused"]
    unavailable = slot["classes"]["unavailable"]
    # each process's first request was refused, its next ones found the
    # worker in error (retry 60 s)
    assert refused >= 1 and unavailable >= 1, slot["classes"]
    assert refused + unavailable == DOWN_REQUESTS == slot["failures"]
    lines = m.gwg_lines(m.down_key)
    assert len([l for l in lines if "class=unavailable code=SQ status=503"
                in l]) == unavailable
    log = [l for l in m.h.access_entries() if "/down/x" in l]
    assert len([l for l in log if l.endswith(" 503 unavailable SQ %s"
                                             % m.down_key)]) == unavailable


def test_failover_attempts_are_classified(matrix):
    m = matrix
    assert m.fo_result == (200, True)
    dead, good = m.slot(m.lb_dead), m.slot(m.lb_good)
    assert dead["balancer"] == "balancer://fo"
    assert (dead["requests"], dead["classes"]["connect_refused"]) == (1, 1)
    assert (good["requests"], good["successes"]) == (1, 1)
    if m.ct_works:
        slow = m.slot(m.lb_slow)
        assert (slow["requests"], slow["classes"]["connect_timeout"]) == (
            1, 1), slow["classes"]
    # the client never saw the failover
    log = [l for l in m.h.access_entries() if "/fo/ok" in l]
    assert log == ['127.0.0.1 "GET /fo/ok HTTP/1.1" 200 - - %s' % m.lb_good]


def test_reset_on_kept_alive_client_connection(matrix):
    """ap_proxy_http_process_response's other branch: the status line read
    fails on a client connection that had requests before, so httpd closes
    it with no answer (the client may retry); still reset_before_headers."""
    m = matrix
    assert m.race_result == [200, None]
    slot = m.slot(m.race_key)
    assert (slot["requests"], slot["successes"]) == (2, 1), slot
    assert slot["classes"]["reset_before_headers"] == 1, slot["classes"]
    lines = m.gwg_lines(m.race_key)
    assert len(lines) == 1 and "class=reset_before_headers code=SH" in lines[0]


def test_class_needs_no_error_log(matrix):
    """At crit httpd's error-log hook sees none of mod_proxy's messages,
    so the classes above were decided from state alone; at the default
    level the hook adds the AH number and errno as detail."""
    log = matrix.h.read_error_log()
    lines = [l for l in log.splitlines() if "GWG00006" in l]
    assert lines
    if matrix.h.loglevel.startswith("crit"):
        assert not re.search(r"\[proxy(_http)?:", log)
        assert not any(" ah=AH" in l for l in lines)
    else:
        assert any(" ah=AH00957 apr=111" in l for l in lines)
        assert any(" ah=AH00898 apr=670" in l for l in lines)   # DNS


def test_pool_exhausted_is_unavailable(make_httpd, upstream):
    """max=1 acquire=: while one request holds the only connection, the
    next one in the same process waits acquire= and gets 503 (AH00941).
    One event process, so both requests share the pool."""
    conf = ("StartServers 1\nServerLimit 1\nMaxRequestWorkers 16\n"
            "ProxyPass /p/ http://127.0.0.1:%d/ max=1 acquire=300 "
            "timeout=3\n" % upstream.port)
    h = make_httpd("event").start(conf)
    h.allowed_errors.append("AH00941")
    with ThreadPoolExecutor(2) as pool:
        hang = pool.submit(get, h.url + "/p/hang")
        key = "http://127.0.0.1:%d" % upstream.port
        # the hanging request holds the connection once it reached faultd
        assert wait_for(lambda: upstream.requests == 1)
        assert get(h.url + "/p/ok")[0] == 503
        assert hang.result()[0] == 504
    up = wait_for(lambda: (lambda u: u if u["requests"] == 2 else None)(
        by_name(h.status(), key)))
    assert up, h.status()
    assert up["classes"]["unavailable"] == 1, up["classes"]
    assert up["classes"]["header_timeout"] == 1, up["classes"]
    assert ('"GET /p/ok HTTP/1.1" 503 unavailable SQ %s' % key
            in "\n".join(h.access_entries()))
