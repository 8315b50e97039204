"""FastCGI against a real php-fpm (Debian's php8.2-fpm), issue 10.

Every row of the issue's FastCGI table, over TCP, a unix socket and the
Debian `SetHandler "proxy:unix:...|fcgi://localhost"` style, under event
and prefork; each fault is also requested under `GwGuard Off`, so the
test shows what stock httpd answers for the same fault and that gwguard
is never less precise (a stock 504 stays 504). Then: one key per socket
and per SetHandler pool, a breaker on one SetHandler pool never touching
another, and the local-fault explanation of a unix socket that is
missing or not permitted.

php-fpm pools are started once per module (tests/integration/backends.py,
`php-fpm8.2 -F` with a private config, stopped by pid); each MPM gets one
httpd with every route. ProxyTimeout is 2 s, so the timeouts cost 2 s,
and the faults of one httpd run in parallel.
"""

import os
import re
import socket
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backends import PhpFpm, missing, PHP_FPM
from httpd import BASE_MODULES, Httpd, free_port
from test_classes import fetch
from test_counting import by_name, wait_for

pytestmark = pytest.mark.skipif(
    bool(missing(PHP_FPM)),
    reason="php8.2-fpm is not installed (scripts/deps.sh installs it)")

APPS = Path(__file__).resolve().parent / "apps"
SCRIPT = APPS / "fault.php"
TIMEOUT_S = 2
# what mod_proxy_fcgi and mod_proxy_util log for these faults
FCGI_ERRORS = [r"AH01067", r"AH01075", r"AH01079", r"AH02454", r"AH01071",
               r"AH01068", r"AH01069", r"AH00957", r"AH00959", r"AH01070"]

# fault -> (class, gwguard's status, stock status); a status of 200 is a
# response that had begun when the upstream failed (cut short)
FAULTS = {
    "ok": (None, 200, 200),
    "sleep?s=4": ("header_timeout", 504, 504),
    "die": ("reset_before_headers", 502, 503),
    "diebody": ("body_reset", 200, 200),
    "slowbody": ("body_timeout", 200, 200),
    "status/500": ("upstream_5xx", 500, 500),
    "status/503": ("upstream_5xx", 503, 503),
    "status/503?json": ("upstream_5xx", 503, 503),
}
STYLES = ("tcp", "uds", "sh")


@pytest.fixture(scope="module")
def pools(tmp_path_factory):
    """Four php-fpm masters: TCP, unix socket, a second unix socket (pool
    b) and a TCP pool with a single child (for pool exhaustion)."""
    root = tmp_path_factory.mktemp("fpm")
    made = {}
    try:
        made["tcp"] = PhpFpm(root / "tcp", pool="tcp",
                             max_children=10).start()
        made["uds"] = PhpFpm(root / "uds", unix=True, pool="uds",
                             max_children=10).start()
        made["b"] = PhpFpm(root / "b", unix=True, pool="b",
                           max_children=2).start()
        made["one"] = PhpFpm(root / "one", pool="one",
                             max_children=1).start()
        made["dead_port"] = free_port()
        yield made
    finally:
        for p in made.values():
            if isinstance(p, PhpFpm):
                p.stop()


def routes(prefix, pools):
    """ProxyPassMatch over TCP and unix sockets, and the SetHandler style,
    under prefix ("" or "/off")."""
    tcp, uds, b = pools["tcp"], pools["uds"], pools["b"]
    s = SCRIPT
    return "\n".join([
        'ProxyPassMatch "^%s/tcp/(.*)$" "fcgi://%s%s/$1"'
        % (prefix, tcp.address, s),
        'ProxyPassMatch "^%s/uds/(.*)$" "unix:%s|fcgi://localhost%s/$1"'
        % (prefix, uds.sock, s),
        # a distinct host per socket: see docs/backends.md (the trap)
        'ProxyPassMatch "^%s/udsb/(.*)$" "unix:%s|fcgi://pool-b%s/$1"'
        % (prefix, b.sock, s),
        'ProxyPassMatch "^%s/one/(.*)$" "fcgi://%s%s/$1"'
        % (prefix, pools["one"].address, s),
        'Alias "%s/sh" "%s"' % (prefix, APPS),
        'Alias "%s/sh2" "%s"' % (prefix, APPS),
        '<Location "%s/sh2/">\n  SetHandler "proxy:fcgi://%s"\n'
        '</Location>' % (prefix, tcp.address),
        ""])


def config(pools, denied_sock, missing_sock):
    # before the routes: a worker takes ProxyTimeout when it is defined
    conf = "ProxyTimeout %d\n" % TIMEOUT_S
    conf += routes("", pools) + routes("/off", pools)
    conf += "\n".join([
        '<Directory "%s">\n  Require all granted\n'
        '  <FilesMatch "\\.php$">\n'
        '    SetHandler "proxy:unix:%s|fcgi://localhost"\n'
        '  </FilesMatch>\n</Directory>' % (APPS, pools["uds"].sock),
        '<Location "/off/">\n  GwGuard Off\n</Location>',
        # a balancer of php-fpm members: a dead TCP one and the unix pool
        '<Proxy "balancer://php">\n  BalancerMember "fcgi://127.0.0.1:%d"\n'
        '  BalancerMember "unix:%s|fcgi://pool-lb"\n</Proxy>'
        % (pools["dead_port"], pools["uds"].sock),
        'ProxyPassMatch "^/lb/(.*)$" "balancer://php%s/$1"' % SCRIPT,
        'ProxyPassMatch "^/icpt/(.*)$" "fcgi://%s%s/$1"'
        % (pools["tcp"].address, SCRIPT),
        '<Location "/icpt/">\n  GwGuardIntercept On\n</Location>',
        # one host name per socket: ProxyPassMatch workers are matched by
        # their URL without the socket, so "unix:B|fcgi://localhost/same"
        # would be served by A's worker (docs/backends.md)
        'ProxyPassMatch "^/denied/(.*)$" "unix:%s|fcgi://denied%s/$1"'
        % (denied_sock, SCRIPT),
        'ProxyPassMatch "^/nosock/(.*)$" "unix:%s|fcgi://nosock%s/$1"'
        % (missing_sock, SCRIPT),
        'ProxyPassMatch "^/off/denied/(.*)$" '
        '"unix:%s|fcgi://offdenied%s/$1"' % (denied_sock, SCRIPT),
        ""])
    return conf


def path_for(style, fault, prefix="", n=0):
    """The URL of a fault in a style; n makes the access-log line unique."""
    sep = "&" if "?" in fault else "?"
    if style == "sh":
        f, _, q = fault.partition("?")
        return "%s/sh/fault.php?f=%s%s%sn=%d" % (prefix, f,
                                                 "&" + q if q else "",
                                                 "&", n)
    return "%s/%s/%s%sn=%d" % (prefix, style, fault, sep, n)


def access_line(h, path):
    """The access-log line of the request for path (its unique n)."""
    found = []

    def seen():
        for line in h.access_entries():
            if ('"GET %s HTTP' % path) in line:
                found.append(line)
                return True
        return False
    assert wait_for(seen, timeout=15), "no access-log line for " + path
    return found[0]


def parse_line(line):
    """(status, class, upstream key) of a `gw` access-log line."""
    m = re.search(r'" (\d{3}) (\S+) (\S+) (\S+)$', line)
    assert m, line
    return int(m.group(1)), m.group(2), m.group(4)


class Run:
    """One httpd (one MPM) with every route; the matrix's results."""

    def __init__(self, root, mpm, pools):
        self.pools = pools
        self.sockdir = Path(tempfile.mkdtemp(prefix="gwg-fx-", dir="/tmp"))
        os.chmod(self.sockdir, 0o755)
        self.denied = self.sockdir / "denied.sock"
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.denied))
        self.listener.listen(4)
        # httpd's children (www-data when run as root, else our own user
        # without the permission bits) may not connect: EACCES
        os.chmod(self.denied, 0)
        self.missing = self.sockdir / "absent.sock"
        self.h = Httpd(root, mpm=mpm, loglevel="warn gwguard:info",
                       modules=BASE_MODULES + ["proxy_fcgi"])
        self.h.allowed_errors += FCGI_ERRORS
        self.h.start(config(pools, self.denied, self.missing))
        self.results = {}

    def stop(self):
        self.h.stop()
        self.listener.close()
        for p in self.sockdir.iterdir():
            p.unlink()
        self.sockdir.rmdir()
        self.h.check_error_log()

    def request(self, path):
        status, complete = fetch(self.h.port, path, timeout=30)
        return path, status, complete

    def run_matrix(self):
        jobs, n = [], 0
        with ThreadPoolExecutor(max_workers=32) as ex:
            for style in STYLES:
                for fault in FAULTS:
                    n += 1
                    jobs.append((style, fault, "", ex.submit(
                        self.request, path_for(style, fault, "", n))))
            # stock httpd, one style: the handler's path is the same
            for fault in FAULTS:
                n += 1
                jobs.append(("tcp", fault, "/off", ex.submit(
                    self.request, path_for("tcp", fault, "/off", n))))
            for style, fault, prefix, fut in jobs:
                self.results[(style, fault, prefix)] = fut.result()


@pytest.fixture(scope="module", params=["event", "prefork"])
def run(request, pools, tmp_path_factory):
    r = Run(tmp_path_factory.mktemp("httpd-" + request.param),
            request.param, pools)
    try:
        r.run_matrix()
        yield r
    finally:
        r.stop()


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_matrix(run, style, fault):
    cls, status, _ = FAULTS[fault]
    path, got, complete = run.results[(style, fault, "")]
    assert got == status, (path, got)
    if fault in ("diebody", "slowbody"):
        assert not complete, "%s: the body should be cut short" % path
    logged_status, logged_cls, key = parse_line(access_line(run.h, path))
    assert logged_cls == (cls or "-"), (path, logged_cls)
    assert logged_status == got
    expect_key = {
        "tcp": "fcgi://%s" % run.pools["tcp"].address,
        "uds": "fcgi+unix:%s" % run.pools["uds"].sock,
        "sh": "fcgi+unix:%s" % run.pools["uds"].sock,
    }[style]
    assert key == expect_key


@pytest.mark.parametrize("fault", list(FAULTS))
def test_never_less_precise_than_stock(run, fault):
    """GwGuard Off shows what httpd answers itself; gwguard's answer is
    the table's, and a stock 504 (the one status more specific than what
    gwguard's class gives) is never lost."""
    cls, status, stock = FAULTS[fault]
    path, got_stock, _ = run.results[("tcp", fault, "/off")]
    _, got, _ = run.results[("tcp", fault, "")]
    assert got_stock == stock, (path, got_stock)
    assert got == status
    if stock == 504:
        assert got == 504
    _, logged_cls, _ = parse_line(access_line(run.h, path))
    assert logged_cls == "-", "GwGuard Off must not classify"


def test_counters_and_log_lines(run):
    """Each failure of the matrix is counted under its key and class, and
    logged once (GWG00006) with its class."""
    key = "fcgi+unix:%s" % run.pools["uds"].sock
    st = by_name(run.h.status(), key)
    classes = st["classes"]
    # the uds and sh styles share the socket, so each class twice
    for fault, (cls, _, _) in FAULTS.items():
        if cls:
            want = 2 * sum(1 for f, v in FAULTS.items() if v[0] == cls)
            assert classes[cls] == want, (cls, classes)
    assert st["statuses"].get("502", 0) == 2       # the two "die"
    log = run.h.read_error_log()
    lines = [l for l in log.splitlines()
             if "GWG00006" in l and ("upstream=%s " % key) in l]
    assert len(lines) == sum(st["classes"].values())


def test_pool_exhausted(run):
    """pm.max_children=1 and its child asleep: php-fpm's listen backlog
    takes the connection and nobody answers; the signals say the head
    timed out (504), never `other`; stock says 504 too."""
    bg = threading.Thread(target=fetch, args=(run.h.port,
                                               "/one/sleep?s=5&n=bg"))
    bg.start()
    try:
        # the child is busy once httpd's connection to the pool is up
        assert wait_for(lambda: established(run.pools["one"].port) >= 1,
                        timeout=10)
        with ThreadPoolExecutor(max_workers=2) as ex:
            gw = ex.submit(fetch, run.h.port, "/one/ok?n=gw")
            stock = ex.submit(fetch, run.h.port, "/off/one/ok?n=stock")
            assert gw.result()[0] == 504
            assert stock.result()[0] == 504
    finally:
        bg.join(30)
    _, cls, _ = parse_line(access_line(run.h, "/one/ok?n=gw"))
    assert cls == "header_timeout"


def established(port):
    """TCP connections to 127.0.0.1:port in state ESTABLISHED, from
    /proc/net/tcp (the local end is php-fpm's listening port)."""
    n = 0
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state == "01" and int(local.split(":")[1], 16) == port:
                n += 1
    return n


def test_intercept(run):
    """GwGuardIntercept On and PHP answering 503 HTML: the branded page,
    class upstream_5xx counted, logged and in recent; PHP's JSON 503 goes
    through untouched but is counted the same."""
    status, headers, body = get_full(run.h.port, "/icpt/status/503?n=i1")
    assert status == 503
    assert b"php says" not in body and b"Service Unavailable" in body
    status, headers, body = get_full(run.h.port,
                                     "/icpt/status/503?json&n=i2")
    assert status == 503 and b"app_error" in body
    for n in ("i1", "i2"):
        _, cls, _ = parse_line(access_line(run.h, "/icpt/status/503?%s"
                                           % ("n=i1" if n == "i1"
                                              else "json&n=i2")))
        assert cls == "upstream_5xx"
    log = run.h.read_error_log()
    assert len(re.findall(r"GWG00006.*class=upstream_5xx.*status=503",
                          log)) >= 2


def get_full(port, path, source=None):
    """(status, headers, body) of one GET; source: an explicit local
    port to connect from."""
    import http.client
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30,
        source_address=("127.0.0.1", source) if source else None)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def test_keys_one_per_socket(run):
    """Two sockets, two keys; the SetHandler pool over TCP gets the real
    backend's key, never `*://*:80`."""
    status, _, body = get_full(run.h.port, "/udsb/pool?n=k1")
    assert status == 200 and b"pool=b" in body
    status, _, body = get_full(run.h.port, "/sh2/fault.php?f=pool&n=k2")
    assert status == 200 and b"pool=tcp" in body
    keys = {u["name"] for u in run.h.status()["upstreams"]}
    assert "fcgi+unix:%s" % run.pools["b"].sock in keys
    assert "fcgi+unix:%s" % run.pools["uds"].sock in keys
    assert "fcgi://%s" % run.pools["tcp"].address in keys
    assert not any(k.startswith("*") and k != "*overflow*" for k in keys), \
        keys
    _, _, key = parse_line(access_line(run.h, "/sh2/fault.php?f=pool&n=k2"))
    assert key == "fcgi://%s" % run.pools["tcp"].address


@pytest.mark.parametrize("what,local,words", [
    ("denied", "socket_denied", b"permission"),
    ("nosock", "socket_missing", b"does not exist"),
])
def test_local_fault(run, what, local, words):
    """A socket without permission (EACCES) or missing (ENOENT): class
    connect_refused with its own explanation on the page, in the log line
    and in `explain`, and Proxy-Status proxy_configuration_error."""
    path = "/%s/ok?n=lf" % what
    status, headers, body = get_full(run.h.port, path)
    assert status == 503
    assert words in body and b"nothing is listening" not in body
    assert "proxy_configuration_error" in headers.get("Proxy-Status", "")
    _, cls, key = parse_line(access_line(run.h, path))
    assert cls == "connect_refused"
    sock = run.denied if what == "denied" else run.missing
    assert key == "fcgi+unix:%s" % sock
    assert re.search(r"GWG00006.*upstream=%s .*local=%s"
                     % (re.escape(key), local), run.h.read_error_log())
    recent = run.h.ctl("recent", "--json", "--shm", str(run.h.shm), key)
    import json
    entry = json.loads(recent.stdout)["recent"][0]
    out = run.h.ctl("explain", "--shm", str(run.h.shm),
                    entry["request_id"]).stdout
    assert "Local fault:    %s" % local in out
    if what == "denied":
        # stock httpd answers the same 503, with no word about why
        status, _, body = get_full(run.h.port, "/off/denied/ok?n=lf")
        assert status == 503


def test_breaker_per_setHandler_pool(tmp_path, pools, mpm):
    """Two pools behind SetHandler (a unix socket and a dead TCP port):
    each has its own key and breaker; the dead one opens, the healthy one
    keeps answering 200."""
    dead = free_port()
    h = Httpd(tmp_path / "httpd", mpm=mpm, loglevel="warn gwguard:info",
              modules=BASE_MODULES + ["proxy_fcgi"])
    h.allowed_errors += FCGI_ERRORS
    h.start("\n".join([
        "GwGuardBreaker failures=3 window=60 cooldown=60",
        'Alias "/a" "%s"' % APPS,
        'Alias "/b" "%s"' % APPS,
        '<Location "/a/">\n  SetHandler "proxy:unix:%s|fcgi://localhost"\n'
        '</Location>' % pools["uds"].sock,
        '<Location "/b/">\n  SetHandler "proxy:fcgi://127.0.0.1:%d"\n'
        '</Location>' % dead,
        '<Directory "%s">\n  Require all granted\n</Directory>' % APPS,
        ""]))
    try:
        for i in range(5):
            assert fetch(h.port, "/b/fault.php?f=ok&i=%d" % i)[0] == 503
        for i in range(5):
            assert fetch(h.port, "/a/fault.php?f=ok&i=%d" % i)[0] == 200
        st = h.status()
        dead_key = "fcgi://127.0.0.1:%d" % dead
        good_key = "fcgi+unix:%s" % pools["uds"].sock
        assert by_name(st, dead_key)["breaker"] == "open"
        assert by_name(st, dead_key)["classes"]["circuit_open"] == 2
        assert by_name(st, good_key)["breaker"] == "closed"
        assert by_name(st, good_key)["successes"] == 5
    finally:
        h.stop()
    h.check_error_log()


def test_error_override_feeds_breaker(tmp_path, pools, mpm):
    """ProxyErrorOverride On: mod_proxy_fcgi runs ap_die on PHP's 503
    itself and returns OK, without mod_proxy_http's note; the 503 is
    counted upstream_5xx, logged, and a breaker failure as for HTTP."""
    from scheme_matrix import override_feeds_breaker
    h = Httpd(tmp_path / "httpd", mpm=mpm, loglevel="warn gwguard:info",
              modules=BASE_MODULES + ["proxy_fcgi"])
    h.allowed_errors += FCGI_ERRORS
    app = "fcgi://%s" % pools["tcp"].address
    h.start("GwGuardBreaker failures=2 window=60 cooldown=600\n"
            'ProxyPassMatch "^/pass/(.*)$" "%s%s/$1"\n'
            'ProxyPassMatch "^/caught/(.*)$" "%s%s/$1"\n'
            '<Location /caught/>\n  ProxyErrorOverride On\n</Location>\n'
            % (app, SCRIPT, app, SCRIPT))
    try:
        override_feeds_breaker(h, app, "/pass", "/caught", b"php says")
    finally:
        h.stop()
    h.check_error_log()


def test_balancer_failover_accounting(run):
    """php-fpm balancer members: a refused member is failed over; the
    client gets 200, and the failed attempt is counted under its own key,
    listed by `gwguardctl recent` and logged (GWG00100)."""
    import json
    for i in range(4):
        status, _, body = get_full(run.h.port, "/lb/ok?n=lb%d" % i)
        assert status == 200 and b"ok uds" in body
    dead = "fcgi://127.0.0.1:%d" % run.pools["dead_port"]
    st = by_name(run.h.status(), dead)
    assert st["classes"]["connect_refused"] >= 1
    assert st["requests"] == st["failures"]
    entries = json.loads(run.h.ctl("recent", "--json", "--shm",
                                   str(run.h.shm), dead).stdout)["recent"]
    assert entries and all("failed over" in e["detail"] for e in entries)
    assert len(entries) == st["failures"]
    lines = re.findall(r"GWG00100: .*upstream=%s class=connect_refused "
                       r".*attempt=1/2" % re.escape(dead),
                       run.h.read_error_log())
    assert len(lines) == st["failures"]
    good = by_name(run.h.status(), "fcgi+unix:%s" % run.pools["uds"].sock)
    assert good["successes"] >= 4
    out = run.h.ctl("explain", "--shm", str(run.h.shm),
                    entries[0]["request_id"]).stdout
    assert "Upstream:       %s" % dead in out
    assert "a later attempt" in out
