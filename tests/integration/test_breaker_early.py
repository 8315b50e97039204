"""The open breaker's answer decided in fixups (mod_gwguard_early.c,
docs/breaker.md "Deciding in fixups"), against a real httpd: a refused
request ends before mod_proxy canonicalises its URL (mod_proxy_http's
"canonicalising URL" trace line never comes) and is answered, counted,
logged and put in the ring exactly as the same request decided in
mod_proxy's pre_request (which a Max-Forwards header still takes, as
proxy_handler must see it first). Access control, mod_rewrite, SetHandler,
Max-Forwards, GwGuard Off, HEAD, keep-alive, Header always, a URL
mod_proxy rejects, and the half-open trial stay as they were."""

import http.client
import json
import re
import time

from conftest import get
from httpd import BASE_MODULES, refusing_port
from test_breaker import key_of, breaker, fail_until_open, sleep_until
from test_counting import by_name, wait_for

CANON = "canonicalising URL"
LOGLEVEL = "warn gwguard:info proxy_http:trace1 proxy:debug"


def recent(h):
    p = h.ctl("recent", "--json", "--shm", str(h.shm))
    return json.loads(p.stdout)["recent"]


def canon_lines(h, path):
    return [ln for ln in h.read_error_log().splitlines()
            if CANON in ln and path in ln]


def circuit_open(h, key):
    return by_name(h.status(), key)["classes"]["circuit_open"]


def one_connection(port, requests):
    """Requests one after another on one kept-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    out = []
    try:
        for method, path, headers in requests:
            conn.request(method, path, headers=headers)
            resp = conn.getresponse()
            out.append((resp.status, dict(resp.getheaders()), resp.read()))
    finally:
        conn.close()
    return out


def without_variables(headers, body):
    """The answer with what differs per request (id, time) taken out."""
    skip = {"Date", "Connection", "Keep-Alive", "Retry-After"}
    hs = {k: v for k, v in headers.items() if k not in skip}
    text = re.sub(rb"(Request ID</dt><dd>|Time \(UTC\)</dt><dd>"
                  rb"|Retry after</dt><dd>)[^<]*", rb"\1X", body)
    text = re.sub(rb"[0-9a-f]{8,}-[0-9a-f]+-[0-9a-f]+", b"ID", text)
    return hs, text


def start(make_httpd, upstream, healthy, extra=""):
    h = make_httpd(loglevel=LOGLEVEL, modules=BASE_MODULES + [
        "auth_basic", "authn_core", "authn_file", "authz_user"])
    upstream.force = "/close"
    h.start("GwGuardBreaker failures=1 window=60 cooldown=600\n"
            "ProxyPass /up/ %s/\n"
            "ProxyPass /other/ %s/\n"
            "Header always set X-Always yes\n"
            "Header set X-Onsuccess yes\n"
            "<Location /up/denied>\n  Require all denied\n</Location>\n"
            "<Location /up/auth>\n  AuthType Basic\n  AuthName x\n"
            "  AuthUserFile /nonexistent\n  Require valid-user\n</Location>\n"
            "<Location /up/errdoc>\n  ProxyErrorOverride On\n"
            "  ErrorDocument 503 \"down for now\"\n</Location>\n"
            "<Location /up/off>\n  GwGuard Off\n</Location>\n"
            "<Location /up/sethandler>\n  SetHandler default-handler\n"
            "</Location>\n"
            "<Location /up/torewrite>\n  RewriteEngine On\n"
            "  RewriteRule ^ %s/ok [P]\n</Location>\n"
            "Alias /rw /usr/share\n"
            "<Location /rw/>\n  RewriteEngine On\n"
            "  RewriteRule (viarewrite)$ %s/$1 [P]\n</Location>\n"
            "AllowEncodedSlashes NoDecode\n%s"
            % (key_of(upstream.port), key_of(healthy.port),
               key_of(healthy.port), key_of(upstream.port), extra))
    fail_until_open(h, upstream, 1, key_of(upstream.port))
    return h


def test_refusal_in_fixups_is_todays_answer(make_httpd, upstream):
    """Decided in fixups or in pre_request (Max-Forwards), a refusal is the
    same answer, counted, logged and put in the ring the same way; in
    fixups mod_proxy never canonicalises its URL."""
    from faultd import FaultUpstream
    healthy = FaultUpstream().start()
    try:
        h = start(make_httpd, upstream, healthy)
        key = key_of(upstream.port)
        conns = upstream.connections
        early = get(h.url + "/up/early?q=1", headers={"Accept": "text/html"})
        late = get(h.url + "/up/late?q=1", headers={"Accept": "text/html",
                                                     "Max-Forwards": "5"})
        assert early[0] == late[0] == 503
        assert abs(int(early[1]["Retry-After"])
                   - int(late[1]["Retry-After"])) <= 1
        assert early[1]["X-Always"] == "yes"
        assert "X-Onsuccess" not in early[1]
        assert without_variables(*early[1:]) == without_variables(*late[1:])
        assert early[1]["Proxy-Status"] == ("gwguard; "
                                            "error=destination_unavailable")
        assert not canon_lines(h, "/early") and canon_lines(h, "/late")
        # the same with ErrorDocument and ProxyErrorOverride in the way
        early = get(h.url + "/up/errdoc/e")
        late = get(h.url + "/up/errdoc/l", headers={"Max-Forwards": "5"})
        assert early[0] == late[0] == 503
        assert without_variables(*early[1:]) == without_variables(*late[1:])
        assert not canon_lines(h, "/errdoc/e")
        assert wait_for(lambda: circuit_open(h, key) == 4)
        assert upstream.connections == conns          # nobody connected
        # the same log line and ring entry, but for the id and path
        lines = re.findall(r"GWG00006: (.*)", h.read_error_log())
        lines = [re.sub(r"request_id=\S+", "", ln) for ln in lines[1:3]]
        assert lines[0] == lines[1] and "class=circuit_open" in lines[0]
        assert wait_for(lambda: len(recent(h)) >= 3)
        ring = recent(h)[2:4]
        for e in ring:
            for k in ("request_id", "time", "path", "total_us", "time_us"):
                e.pop(k, None)
        assert ring[0] == ring[1] and ring[0]["class"] == "circuit_open"
        log = [ln for ln in h.access_entries() if "/up/early" in ln]
        assert log and log[0].endswith(" 503 circuit_open UO %s" % key)
        # HEAD: the same head, no body; keep-alive: the connection goes on
        head = one_connection(h.port, [
            ("HEAD", "/up/head", {}), ("GET", "/up/again", {}),
            ("GET", "/other/ok", {})])
        assert [r[0] for r in head] == [503, 503, 200]
        assert head[0][2] == b"" and head[1][2] and head[2][0] == 200
        assert head[0][1]["Content-Type"] == head[1][1]["Content-Type"]
        assert not canon_lines(h, "/head") and not canon_lines(h, "/again")
        # a per-directory RewriteRule [P] onto the open upstream is
        # decided after mod_rewrite; one off it goes to the healthy one
        assert get(h.url + "/rw/viarewrite")[0] == 503
        assert not canon_lines(h, "/viarewrite")
        assert get(h.url + "/up/torewrite")[0] == 200
        assert healthy.requests == 2
        assert wait_for(lambda: circuit_open(h, key) == 7)
        assert upstream.connections == conns
        h.check_error_log()
    finally:
        healthy.stop()


def test_what_comes_before_or_instead_stays(make_httpd, upstream):
    """Access control (fixups run after it), Max-Forwards answered by
    proxy_handler, SetHandler, GwGuard Off and a URL mod_proxy's
    canonicalisation rejects get what they get with the breaker closed
    or without the early decision."""
    from faultd import FaultUpstream
    healthy = FaultUpstream().start()
    try:
        h = start(make_httpd, upstream, healthy)
        h.allowed_errors.append(r"AH01630")     # Require all denied
        key = key_of(upstream.port)
        assert get(h.url + "/up/denied")[0] == 403
        assert get(h.url + "/up/auth")[0] == 401
        zero = get(h.url + "/up/x", headers={"Max-Forwards": "0"})
        assert zero[0] == 400 and b"Max-Forwards" in zero[2]
        trace = get(h.url + "/up/x", method="TRACE",
                    headers={"Max-Forwards": "0"})
        assert trace[0] == 200 and b"TRACE /up/x" in trace[2]
        # proxy_handler serves it whatever SetHandler says: decided in
        # pre_request, as before
        assert get(h.url + "/up/sethandler")[0] == 503
        assert canon_lines(h, "/sethandler")
        # with AllowEncodedSlashes NoDecode mod_proxy_http answers 400 for
        # a '%' it cannot decode: so it does with the breaker open
        assert get(h.url + "/up/%25zz")[0] == 400
        assert not re.search(r"GWG00006: .*%zz", h.read_error_log())
        assert get(h.url + "/up/fine")[0] == 503
        conns = upstream.connections
        assert get(h.url + "/up/off")[0] == 502     # not consulted
        assert upstream.connections == conns + 1
        assert wait_for(lambda: circuit_open(h, key) == 2)
        h.check_error_log()
    finally:
        healthy.stop()


def test_half_open_trial_still_reaches_the_upstream(make_httpd, upstream):
    """An admitted trial begun in fixups is handed to mod_proxy, which
    canonicalises and proxies it on the same attempt: one connection, the
    breaker closes, the next requests flow."""
    h = make_httpd(loglevel=LOGLEVEL)
    upstream.force = "/close"
    h.start("GwGuardBreaker failures=1 window=60 cooldown=1\n"
            "ProxyPass /up/ %s/\n" % key_of(upstream.port))
    key = key_of(upstream.port)
    fail_until_open(h, upstream, 1, key)
    opened_by = time.monotonic()
    upstream.force = None
    assert get(h.url + "/up/refused")[0] == 503
    assert not canon_lines(h, "/refused")
    sleep_until(opened_by + 1.1)
    conns = upstream.connections
    assert get(h.url + "/up/trial")[0] == 200
    assert upstream.connections == conns + 1
    assert len(canon_lines(h, "/trial")) == 1
    assert wait_for(lambda: breaker(h, key) == "closed")
    st = by_name(h.status(), key)
    assert st["classes"]["circuit_open"] == 1
    assert get(h.url + "/up/after")[0] == 200


def refusing_pair():
    """Two refusing loopback ports, the second's number the first's with
    one more digit (P and 10P + 1): a worker named for P without a path
    ("http://127.0.0.1:P") is a string prefix of P's neighbour's URL, and
    must not be taken for it."""
    import socket
    for p in range(2001, 6553, 97):
        socks = []
        try:
            for port in (p, 10 * p + 1):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return socks, p, 10 * p + 1
        except OSError:
            for s in socks:
                s.close()
    raise AssertionError("no free pair of ports P, 10P + 1")


def counted(h, key, cls):
    try:
        return by_name(h.status(), key)["classes"][cls]
    except AssertionError:
        return 0                        # no slot yet


def test_worker_found_as_mod_proxy_finds_it(make_httpd):
    """The fixups hook finds the worker in the child's table of declared
    workers, longest name first (gwg_wmatch.c), and asks mod_proxy when
    the table cannot tell: a URL on an undeclared port whose number
    starts with a declared one's is no match for it (mod_proxy's default
    worker takes it); a ProxyPass target written in upper case, which the
    table leaves to mod_proxy, is still decided in fixups; and a server
    with a ProxyPassMatch worker (no table) decides as before."""
    socks, short, longer = refusing_pair()
    try:
        for match in ("", "ProxyPassMatch ^/m/(.*)$ "
                          "http://127.0.0.1:%d/$1\n" % short):
            h = make_httpd(loglevel=LOGLEVEL)
            h.start("GwGuardBreaker failures=1 window=60 cooldown=600\n"
                    "ProxyPass /short http://127.0.0.1:%d\n"
                    "ProxyPass /upper/ HTTP://LOCALHOST:%d/\n"
                    "RewriteEngine On\n"
                    "RewriteRule ^/long/ http://127.0.0.1:%d/x [P]\n%s"
                    % (short, longer, longer, match))
            short_key = key_of(short)
            upper_key = "http://localhost:%d" % longer
            assert get(h.url + "/short/first")[0] == 503
            assert get(h.url + "/upper/first")[0] == 503
            assert wait_for(lambda: breaker(h, short_key) == "open"
                            and breaker(h, upper_key) == "open")
            assert get(h.url + "/short/early")[0] == 503
            assert get(h.url + "/upper/early")[0] == 503
            assert not canon_lines(h, "/early")
            assert wait_for(lambda: counted(h, short_key, "circuit_open")
                            == 1 and counted(h, upper_key, "circuit_open")
                            == 1)
            # the neighbour's URL: mod_proxy's default worker, a refused
            # connect under its own key (which opens its own breaker), not
            # the short one's open breaker
            for _ in range(2):
                assert get(h.url + "/long/")[0] == 503
            assert wait_for(lambda: counted(h, key_of(longer),
                                            "connect_refused") == 1
                            and counted(h, key_of(longer),
                                        "circuit_open") == 1)
            assert counted(h, short_key, "circuit_open") == 1
            h.check_error_log()
            h.stop()
    finally:
        for s in socks:
            s.close()


def test_request_id_is_time_pid_count(make_httpd):
    """A request id the module makes (no mod_unique_id) is the request
    time, the child's pid and a per-child count, in hex without leading
    zeros ("%llx-%x-%x"): the pid part made once per child is that
    child's, in the log line's own [pid N]."""
    sock, dead = refusing_port()
    try:
        h = make_httpd(loglevel="warn gwguard:info")
        h.start("ProxyPass /up/ http://127.0.0.1:%d/\n" % dead)
        before = time.time()
        for _ in range(3):
            assert get(h.url + "/up/x")[0] == 503
        after = time.time()
        lines = re.findall(r"\[pid (\d+):tid \d+\].*GWG00006: .* "
                           r"request_id=(\S+)", h.read_error_log())
        assert len(lines) == 3
        counts = {}
        for pid, rid in lines:
            t, p, n = rid.split("-")
            for part in (t, p, n):
                assert re.fullmatch(r"[1-9a-f][0-9a-f]*|0", part), rid
            assert int(p, 16) == int(pid)
            assert before - 1 <= int(t, 16) / 1e6 <= after + 1
            counts.setdefault(pid, []).append(int(n, 16))
        for seen in counts.values():
            assert len(set(seen)) == len(seen)
        h.check_error_log()
    finally:
        sock.close()
