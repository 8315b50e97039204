"""The fault matrix of one proxy scheme against a real backend, shared by
tests/integration/test_backend_*.py.

One httpd per MPM serves every fault twice: under /on/ with mod_gwguard
and under /off/ with `GwGuard Off` (stock httpd: the module is loaded but
does nothing there), both routes to the same backend. All requests go
out in parallel on fresh connections; then each fault's test compares:

- the status the client got with gwguard, against the class's status
  and against stock's (gwguard may be more precise, never less);
- GWGUARD_CLASS / GWGUARD_CODE / GWGUARD_UPSTREAM in the access log;
- the GWG00006 line of that very request (matched by the log id %L,
  which both logs carry) and the AH numbers httpd logged for it;
- the counters of the upstream's key in `gwguardctl status --json`.

`pytest -s` prints each matrix as a table (report()): fault, stock's
status and AH numbers, gwguard's status, class and code; the tables of
docs/backends.md come from it.
"""

import http.client
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from httpd import BASE_MODULES, Httpd, free_port

# ProxyTimeout of every matrix: a fault that sleeps or stalls longer
# than this is a timeout.
TIMEOUT_S = 2
SLEEP_S = 6
# The status a class answers with when it replaces the response (docs/classes.md);
# None: the upstream's own status passes through.
CLASS_STATUS = {"connect_refused": 503, "connect_timeout": 503, "dns": 502,
                "header_timeout": 504, "reset_before_headers": 502,
                "bad_response": 502, "body_timeout": None,
                "body_reset": None, "upstream_5xx": None,
                "unavailable": 503}
CLASS_CODE = {"connect_refused": "SC", "header_timeout": "sH",
              "reset_before_headers": "SH", "bad_response": "PH",
              "body_timeout": "sD", "body_reset": "SD", "upstream_5xx": "U5",
              "unavailable": "SQ"}
# 500 says least ("something broke"); 502 and 503 say the upstream
# failed (AJP answers 503 for a reset so that a balancer fails over);
# 504 says how (it timed out), and must stay 504.
PRECISION = {500: 0, 502: 1, 503: 1, 504: 2}
FULL_BODY = 100000      # what diebody/slowbody announce


class Fault:
    """One fault: its name, the request path under a route prefix, the
    class and status it must give (status None: the app's own status,
    passed through), whether the body is cut short, and `route`: the
    route it is served under (the dead backend for refused). `rule`,
    when set (with_rules), is the classifier row that must decide it
    (the rule= word of the GWG00006 line, docs/backends.md)."""

    def __init__(self, name, path, cls, status=None, cut=False,
                 route="app"):
        self.name, self.path, self.cls = name, path, cls
        self.status = status if status is not None else CLASS_STATUS[cls]
        self.cut, self.route = cut, route
        self.rule = None
        self.page = False       # GwGuardIntercept: gwguard's page


def success(name, path, status, route="app"):
    """A request that must pass untouched and count as a success."""
    f = Fault(name, path, "upstream_5xx", status, route=route)
    f.cls = None
    return f


def standard_faults(app_status=(500, 503)):
    """The faults every scheme must cover (issue 10, item 9)."""
    faults = [
        Fault("refused", "/ok", "connect_refused", route="dead"),
        Fault("timeout", "/sleep?s=%d" % SLEEP_S, "header_timeout"),
        Fault("reset_before_headers", "/die", "reset_before_headers"),
        Fault("reset_mid_body", "/diebody", "body_reset", 200, cut=True),
        Fault("slow_body", "/slowbody", "body_timeout", 200, cut=True),
    ]
    for code in app_status:
        faults.append(Fault("app_%d" % code, "/status/%d" % code,
                            "upstream_5xx", code))
    faults.append(Fault("app_%d_json" % app_status[-1], "/status/%d?json"
                        % app_status[-1], "upstream_5xx", app_status[-1]))
    # the same under GwGuardIntercept (route icpt, scheme_fixtures): the
    # app's status with gwguard's page, counted and logged the same
    icpt = Fault("app_%d_intercepted" % app_status[-1], "/status/%d"
                 % app_status[-1], "upstream_5xx", app_status[-1],
                 route="icpt")
    icpt.page = True
    faults.append(icpt)
    return faults


def with_rules(faults, rules):
    """faults, each named in rules ({fault: row}) now bound to that
    classifier row, so a reordered table cannot move it unnoticed."""
    names = {f.name for f in faults}
    assert set(rules) <= names, set(rules) - names
    for f in faults:
        f.rule = rules.get(f.name, f.rule)
    return faults


def fetch(port, path, timeout=30):
    """One GET on a fresh connection: (status, complete, body); status
    None when the connection closed without an answer; complete False
    when the client saw the body cut short (a body that was cut but
    ended as if whole, e.g. chunked, is complete with a short body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        try:
            return resp.status, True, resp.read()
        except http.client.IncompleteRead as e:
            return resp.status, False, e.partial
        except OSError:
            return resp.status, False, b""
    except (http.client.RemoteDisconnected, ConnectionError,
            socket.timeout):
        return None, False, b""
    finally:
        conn.close()


class Outcome:
    """What one request got and left behind."""

    def __init__(self, status, complete, body):
        self.status, self.complete, self.body = status, complete, body
        self.log_id = None
        self.cls = self.code = self.upstream = None
        self.ah = []            # AH numbers of httpd's lines, in order
        self.gwg = []           # GWG00006 lines


class SchemeMatrix:
    """routes(prefix) returns the config lines that proxy
    /PREFIX/ROUTE/... for every route of the faults (app: the backend,
    dead: nothing listening); keys maps each route to the upstream key
    gwguard must count it under; request(port, path) makes one request
    (default: a GET, fetch)."""

    def __init__(self, root, mpm, modules, routes, faults, keys,
                 allowed=(), request=None):
        self.root, self.mpm = root, mpm
        self.routes, self.faults, self.keys = routes, faults, keys
        self.request = request or fetch
        self.h = Httpd(root / ("httpd-%s" % mpm), mpm=mpm,
                       modules=BASE_MODULES + list(modules),
                       loglevel="warn gwguard:info")
        self.h.allowed_errors += list(allowed)
        self.out = {}

    def config(self):
        log = self.h.root / "logs" / "matrix.log"
        conf = [
            "ProxyTimeout %d" % TIMEOUT_S,
            'ErrorLogFormat "[%{u}t] [%-m:%l] [pid %P:tid %T] [rid %L] '
            '%7F: %E: [client %a] %M"',
            'LogFormat "%L \\"%r\\" %>s %{GWGUARD_CLASS}e '
            '%{GWGUARD_CODE}e %{GWGUARD_UPSTREAM}e" gwm',
            'CustomLog "%s" gwm' % log,
            "<Location /off/>\n    GwGuard Off\n</Location>",
        ]
        for prefix in ("on", "off"):
            conf.append(self.routes(prefix))
        return "\n".join(conf) + "\n"

    def run(self):
        self.h.start(self.config())
        port = self.h.port
        with ThreadPoolExecutor(max_workers=2 * len(self.faults) + 2) as ex:
            jobs = {(f.name, mode): ex.submit(
                self.request, port, "/%s/%s%s" % (mode, f.route, f.path))
                for f in self.faults for mode in ("on", "off")}
            for k, job in jobs.items():
                self.out[k] = Outcome(*job.result())
        self._read_logs()
        self.status = self.wait_counted()

    def _read_logs(self, timeout=10):
        """The access log lines are written after the response; wait
        until every request has one."""
        log = self.h.root / "logs" / "matrix.log"
        deadline = time.monotonic() + timeout
        while True:
            lines = log.read_text().splitlines() if log.exists() else []
            if len(lines) >= len(self.out) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        by_req = {}
        for line in lines:
            m = re.match(r'(\S+) "GET (\S+) HTTP/1.1" (\d+) (\S+) (\S+) '
                         r'(\S+)$', line)
            if m:
                by_req[m.group(2)] = m.groups()
        errlog = self.h.read_error_log().splitlines()
        for f in self.faults:
            for mode in ("on", "off"):
                o = self.out[(f.name, mode)]
                row = by_req.get("/%s/%s%s" % (mode, f.route, f.path))
                if not row:
                    continue
                o.log_id = row[0]
                o.cls, o.code, o.upstream = (None if v == "-" else v
                                             for v in row[3:6])
                mine = [l for l in errlog if "[rid %s]" % o.log_id in l]
                o.ah = [a for l in mine for a in re.findall(
                    r"\b(AH\d{5})\b", l)]
                o.gwg = [l for l in mine if "GWG00006" in l]

    def wait_counted(self, timeout=10):
        """Counters are written as each request's proxy handler ends:
        wait until every /on/ request is counted (under whatever key)."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.h.status()
            if st["totals"]["requests"] >= len(self.faults) \
                    or time.monotonic() > deadline:
                return st
            time.sleep(0.1)

    def slot(self, key):
        s = find_slot(self.status, key)
        assert s, "no upstream %s in %s" % (
            key, [u["name"] for u in self.status["upstreams"]])
        return s

    def stop(self):
        self.h.stop()

    def check(self, name):
        """The assertions of one fault (see the module's doc)."""
        f = next(f for f in self.faults if f.name == name)
        on, off = self.out[(name, "on")], self.out[(name, "off")]
        key = self.keys[f.route]
        if f.cls is None:
            return self.check_success(f, on, off, key)
        assert on.status == f.status, (
            "gwguard answered %s, the class %s answers %s (stock: %s, "
            "AH %s)" % (on.status, f.cls, f.status, off.status, off.ah))
        assert not less_precise(on.status, off.status), (on.status,
                                                         off.status)
        if f.page:
            assert b"the app says" not in on.body, on.body[:200]
            assert b"the app says" in off.body, off.body[:200]
        if f.cut:
            # cut short, however the client learns it
            assert not on.complete or len(on.body) < FULL_BODY, len(on.body)
        else:
            assert on.complete, on.status
        # what stock logs is stock's: gwguard leaves Off alone
        assert off.cls is None, off.cls
        assert (on.cls, on.code, on.upstream) == (
            f.cls, CLASS_CODE[f.cls], key), (on.cls, on.code, on.upstream)
        assert len(on.gwg) == 1, on.gwg
        assert re.search(r"GWG00006: upstream failure: upstream=%s class=%s "
                         r"code=%s status=%d " % (re.escape(key), f.cls,
                                                  CLASS_CODE[f.cls],
                                                  on.status), on.gwg[0]), \
            on.gwg[0]
        if f.rule:
            assert re.search(r" rule=%s(\s|$)" % f.rule, on.gwg[0]), (
                "want rule=%s" % f.rule, on.gwg[0])
        slot = self.slot(key)
        want = sum(1 for g in self.faults if g.cls == f.cls
                   and self.keys[g.route] == key)
        assert slot["classes"][f.cls] == want, slot["classes"]


    def check_success(self, f, on, off, key):
        """A request that must not count as a failure."""
        assert on.status == off.status == f.status, (on.status, off.status)
        assert on.complete and off.complete
        assert (on.cls, on.upstream) == (None, key), (on.cls, on.upstream)
        assert on.gwg == []
        assert self.slot(key)["successes"] >= 1


def find_slot(status, key):
    for u in status["upstreams"]:
        if u["name"] == key:
            return u
    return None


def less_precise(gw, stock):
    """Whether gwguard's status says less than stock's: a replaced
    status of lower precision, or a passed-through one that differs."""
    if gw in PRECISION and stock in PRECISION:
        return PRECISION[gw] < PRECISION[stock]
    return gw != stock


def report(m):
    """Rows `fault | stock status (AH) | gwguard status class code`, for
    docs/backends.md; printed by `pytest -s`."""
    rows = []
    for f in m.faults:
        on, off = m.out[(f.name, "on")], m.out[(f.name, "off")]
        rows.append("| %s | %s%s %s | %s%s %s %s |" % (
            f.name, off.status, cut_note(off),
            ",".join(sorted(set(off.ah))) or "-", on.status,
            cut_note(on), on.cls, on.code))
    return "\n".join(rows)


def cut_note(o):
    if not o.complete:
        return " (cut)"
    if len(o.body) >= FULL_BODY or o.status != 200 or len(o.body) < 1000:
        return ""
    return " (cut, ends as complete: %d bytes)" % len(o.body)


def dead_address():
    return "127.0.0.1:%d" % free_port()


MPMS = ["event", "prefork"]


def matrix_of(mpm, tmp_path_factory, name, modules, routes, faults, keys,
              allowed=(), request=None):
    """The body of a test file's module-scoped `matrix` fixture: runs the
    matrix, prints its table (pytest -s), yields it, stops httpd and
    checks its error log."""
    m = SchemeMatrix(tmp_path_factory.mktemp("%s-%s" % (name, mpm)), mpm,
                     modules, routes, faults, keys, allowed, request)
    try:
        m.run()
        print("\n%s %s\n%s" % (name, mpm, report(m)))
        yield m
    finally:
        m.stop()
    m.h.check_error_log()


def scheme_fixtures(name, scheme, modules, make_backend, faults,
                    allowed=(), more=()):
    """The `backend` and `matrix` fixtures of a test file whose routes
    are /PREFIX/app/ to SCHEME://the backend and /PREFIX/dead/ to a port
    where nothing listens; `more` adds (route, worker parameters): a
    route to the same backend through a worker of its own, counted under
    the same key. make_backend(directory) makes the (unstarted)
    backends.Server. Assign them: `backend, matrix = scheme_fixtures(..)`.
    """
    @pytest.fixture(scope="module")
    def backend(tmp_path_factory):
        with make_backend(tmp_path_factory.mktemp(name)) as b:
            yield b

    @pytest.fixture(scope="module", params=MPMS)
    def matrix(request, backend, tmp_path_factory):
        dead = dead_address()
        app = "%s://%s" % (scheme, backend.address)

        def routes(prefix):
            # the longer worker names first, or the shorter one's worker
            # would be shared (AH01145) and these parameters ignored
            conf = ["ProxyPass /%s/%s/ %s/%s/ timeout=%d %s"
                    % (prefix, route, app, route, TIMEOUT_S, params)
                    for route, params in more]
            conf += ["ProxyPass /%s/icpt/ %s/icpt/ timeout=%d"
                     % (prefix, app, TIMEOUT_S),
                     "ProxyPass /%s/app/ %s/ timeout=%d"
                     % (prefix, app, TIMEOUT_S),
                     "ProxyPass /%s/dead/ %s://%s/" % (prefix, scheme, dead)]
            if prefix == "on":
                conf.append("<Location /on/icpt/>\n  GwGuardIntercept On\n"
                            "</Location>")
            return "\n".join(conf) + "\n"

        keys = {"app": app, "icpt": app,
                "dead": "%s://%s" % (scheme, dead)}
        keys.update((route, app) for route, _ in more)
        yield from matrix_of(request.param, tmp_path_factory, name, modules,
                             routes, faults, keys, allowed)

    return backend, matrix


def fault_params(faults, pending):
    """pytest params, one per fault; a fault in `pending` (name: what the
    module does not do yet) is a strict xfail, so the day the module
    gets it right the mark must go."""
    return [pytest.param(f.name, marks=pytest.mark.xfail(
        reason="issue 10: module side pending: " + pending[f.name],
        strict=True)) if f.name in pending else f.name for f in faults]


def override_feeds_breaker(h, key, passed, caught, app_says):
    """Issue 10 item 4 for a scheme whose handler honours
    ProxyErrorOverride without mod_proxy_http's note: h serves the same
    backend (key) under route `passed` and under route `caught` with
    `ProxyErrorOverride On`, with `GwGuardBreaker failures=2`. The app's
    503 passed through counts upstream_5xx, not for the breaker; caught
    by httpd's error path it counts for the breaker as with HTTP, which
    opens and refuses the next request without asking the backend."""
    from test_counting import by_name, wait_for
    for i in range(3):
        status, _, body = fetch(h.port, "%s/status/503?n=p%d" % (passed, i))
        assert status == 503 and app_says in body, (status, body[:200])
    assert wait_for(lambda: by_name(h.status(), key)["requests"] == 3)
    assert by_name(h.status(), key)["breaker"] == "closed"
    for i in range(2):
        status, _, body = fetch(h.port, "%s/status/503?n=c%d" % (caught, i))
        assert status == 503 and app_says not in body, body[:200]
    assert wait_for(lambda: by_name(h.status(), key)["breaker"] == "open")
    status, _, _ = fetch(h.port, "%s/ok?n=after" % passed)
    assert status == 503
    slot = by_name(h.status(), key)
    assert (slot["classes"]["upstream_5xx"],
            slot["classes"]["circuit_open"]) == (5, 1), slot["classes"]
    lines = [l for l in h.read_error_log().splitlines()
             if "GWG00006" in l and "upstream=%s " % key in l]
    assert len([l for l in lines if "class=upstream_5xx" in l]) == 5, lines
