"""The direct answer (mod_gwguard_direct.c) against a real httpd: a page
written straight to the connection filters must be, byte for byte, what
the filter path (BYTERANGE .. HTTP_HEADER .. HTTP_OUTERROR) sends, and
whatever could change the answer must send it through the filters.

Every URL exists twice: /d/... answers directly, /f/... has
`Header always unset X-Gwguard-None` (mod_headers' error filter in the
chain, no byte changed), so it takes the filter path. Each request goes
on a fresh raw connection; the status line, every header line in order
and the body are compared, with only Date's value, the request id and
the time in the body (and the breaker's Retry-After, +-1) masked. After
each answer a probe request shows whether the connection was closed or
still usable. The access log line (status, body and total bytes,
Content-Type, Connection, keep-alive count) must be the same too, and
gwguard's trace1 line must say which path answered ("direct answer:" or
"filter answer:"), so a direct path that never runs fails here.
mod_unique_id is loaded so that request ids, and with them every length,
are the same size on both paths."""

import re
import shutil
import socket
import ssl
import subprocess

import pytest

from faultd import FaultUpstream, make_cert
from httpd import BASE_MODULES, Httpd, free_port, refusing_port
from test_breaker import key_of, breaker
from test_counting import wait_for

LOGLEVEL = "warn gwguard:trace1"
MODULES = BASE_MODULES + ["unique_id", "filter", "deflate"]
LINGER = r"AH03092"

CURL = shutil.which("curl")
BIG = 80000             # tens of characters in the big template: 800 KB
DIRECT = re.compile(r"direct answer: (\d{3}), (\d+) bytes")
FILTER = re.compile(r"filter answer: (.+)$")
NO_PAGE = re.compile(r"no page: (.+)$")

# Both prefixes of one route go to the same upstream; /f/ forces the
# filter path.
ROUTES = """\
LogFormat "%%{remote}p %%>s %%b %%O \\"%%{Content-Type}o\\" \
\\"%%{Connection}o\\" %%k" eq
CustomLog "%(root)s/logs/eq.log" eq
MaxKeepAliveRequests 1
HttpProtocolOptions Allow0.9
Redirect gone /probe
SetEnvIf Request_URI "^/[df]/dg/" downgrade-1.0
<LocationMatch "^/f/">
  Header always unset X-Gwguard-None
</LocationMatch>
<LocationMatch "^/[df]/tpl/">
  GwGuardErrorPage default %(root)s/tpl/page.html
  GwGuardErrorPage default %(root)s/tpl/page.json
</LocationMatch>
<LocationMatch "^/[df]/r502/">
  GwGuardStatusCode connect_refused 502
</LocationMatch>
<LocationMatch "^/[df]/r504/">
  GwGuardStatusCode connect_refused 504
</LocationMatch>
<LocationMatch "^/[df]/r509/">
  GwGuardStatusCode connect_refused 509
</LocationMatch>
<LocationMatch "^/[df]/r599/">
  GwGuardStatusCode connect_refused 599
</LocationMatch>
<LocationMatch "^/[df]/big/">
  GwGuardErrorPage default %(root)s/tpl/big.html
</LocationMatch>
<LocationMatch "^/[df]/rq/">
  GwGuardRetryAfter 120
  GwGuardProxyStatus Off
</LocationMatch>
<Proxy balancer://dtb>
  BalancerMember http://127.0.0.1:%(dead)d status=+D
</Proxy>
ProxyPass /d/bal/ balancer://dtb/
ProxyPass /f/bal/ balancer://dtb/
<LocationMatch "^/[df]/brk502/">
  GwGuardStatusCode circuit_open 502
</LocationMatch>
<LocationMatch "^/[df]/xfo/">
  Header always set X-Frame-Options DENY
</LocationMatch>
<LocationMatch "^/[df]/f10/">
  SetEnvIf User-Agent . force-response-1.0
</LocationMatch>
<LocationMatch "^/[df]/nv/">
  SetEnvIf User-Agent . force-no-vary
</LocationMatch>
<LocationMatch "^/[df]/gz/">
  AddOutputFilterByType DEFLATE text/html
</LocationMatch>
<LocationMatch "^/[df]/co/">
  RewriteEngine On
  RewriteRule ^ - [CO=k:v:127.0.0.1]
</LocationMatch>
<LocationMatch "^/[df]/cs/">
  AddDefaultCharset On
</LocationMatch>
GwGuardBreaker %(brk)s failures=1 window=60 cooldown=600
"""

DEAD_ROUTES = ("refused", "r502", "r504", "r509", "r599", "rq", "tpl",
               "big", "xfo", "f10", "nv", "dg", "gz", "co", "cs")

TEMPLATE_HTML = ("<!DOCTYPE html><html lang=\"en\"><head><title>{{status}}"
                 "</title></head><body><p>{{reason}} ({{class}})</p>"
                 "<p id=\"id\">{{request_id}}</p><p id=\"t\">{{time}}</p>"
                 "</body></html>\n")
TEMPLATE_JSON = ("{\"tpl\":true,\"status\":{{status}},\"request_id\":"
                 "\"{{request_id}}\",\"time\":\"{{time}}\"}\n")


def routes(dead, up, slow, brk, mnt):
    lines = []
    for name in DEAD_ROUTES:
        lines.append((name, "http://127.0.0.1:%d/" % dead, ""))
    lines += [("up", key_of(up) + "/", ""),
              ("mnt", key_of(mnt) + "/", ""),
              ("slow", key_of(slow) + "/", " timeout=1"),
              ("brk", key_of(brk) + "/", ""),
              ("brk502", key_of(brk) + "/", "")]
    return "".join("ProxyPass /%s/%s/ %s%s\n" % (p, name, url, params)
                   for name, url, params in lines for p in "df")


class Site:
    """One httpd with every route, and the upstreams behind it."""

    def __init__(self, root, extra="", modules=MODULES, open_breaker=True,
                 tls=False, mpm="event"):
        self.dead_sock, dead = refusing_port()
        self.mnt_sock, self.mnt = refusing_port()     # in maintenance
        self.up = FaultUpstream().start()
        self.slow = FaultUpstream().start()
        self.slow.force = "/hang"
        self.brk = FaultUpstream().start()
        self.brk.force = "/close"
        self.h = Httpd(root, mpm=mpm, loglevel=LOGLEVEL, modules=modules)
        self.h.allowed_errors.append(LINGER)
        tpl = self.h.root / "tpl"
        tpl.mkdir()
        (tpl / "page.html").write_text(TEMPLATE_HTML)
        (tpl / "page.json").write_text(TEMPLATE_JSON)
        (tpl / "big.html").write_text(TEMPLATE_HTML.replace(
            "<p id=\"t\">", "<p>%s</p><p id=\"t\">" % ("0123456789" * BIG)))
        self.eq_log = self.h.root / "logs" / "eq.log"
        conf = ROUTES % {"root": self.h.root, "dead": dead,
                         "brk": key_of(self.brk.port)}
        self.tls_port, self.client_tls = None, None
        if tls:
            conf += self.tls_vhost()
        self.h.start(conf + routes(dead, self.up.port, self.slow.port,
                                   self.brk.port, self.mnt) + extra)
        if open_breaker:
            self.open_breaker()

    def tls_vhost(self):
        """The same routes over TLS, on a second port: the direct answer
        goes through mod_ssl's connection filters."""
        cert, key = make_cert(self.h.root, "front")
        self.tls_port = free_port()
        self.client_tls = ssl.create_default_context()
        self.client_tls.check_hostname = False
        self.client_tls.verify_mode = ssl.CERT_NONE
        return ("Listen 127.0.0.1:%d\n<VirtualHost 127.0.0.1:%d>\n"
                "  SSLEngine on\n  SSLCertificateFile %s\n"
                "  SSLCertificateKeyFile %s\n</VirtualHost>\n"
                % (self.tls_port, self.tls_port, cert, key))

    def open_breaker(self):
        key = key_of(self.brk.port)
        assert exchange(self.h.port, [request("/d/brk/open")])[0][0][
            "status"].startswith(b"HTTP/1.1 502 ")
        assert wait_for(lambda: breaker(self.h, key) == "open"), \
            self.h.status()

    def stop(self):
        self.h.stop()
        for u in (self.up, self.slow, self.brk):
            u.stop()
        self.dead_sock.close()
        self.mnt_sock.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = Site(tmp_path_factory.mktemp("direct") / "httpd")
    yield s
    s.stop()
    s.h.check_error_log()


# ---- a raw HTTP/1.x client ----

def request(path, method="GET", version="HTTP/1.1", headers=(), body=b""):
    head = ["%s %s %s" % (method, path, version), "Host: 127.0.0.1"]
    head += list(headers)
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


PROBE = request("/probe", headers=["Connection: close"])


class Conn:
    def __init__(self, port, tls=None):
        self.sock = socket.create_connection(("127.0.0.1", port), 10)
        self.sock.settimeout(15)
        self.port = self.sock.getsockname()[1]
        if tls:
            self.sock = tls.wrap_socket(self.sock)
        self.buf = b""

    def _more(self):
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError, ssl.SSLEOFError):
            data = b""
        self.buf += data
        return bool(data)

    def read_all(self):
        while self._more():
            pass
        data, self.buf = self.buf, b""
        return data

    def response(self, head_only=False):
        """One answer: a dict with the raw status line, header lines (in
        order, as bytes), body and the raw bytes; None if closed first."""
        while b"\r\n\r\n" not in self.buf:
            if not self._more():
                return None
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        fields = [tuple(ln.split(b": ", 1)) for ln in lines[1:]]
        length = [int(v) for k, v in fields if k.lower() == b"content-length"]
        if head_only:
            body = b""
        elif length:
            while len(self.buf) < length[0] and self._more():
                pass
            body, self.buf = self.buf[:length[0]], self.buf[length[0]:]
        else:
            body = self.read_all()
        return {"status": lines[0], "fields": fields, "body": body,
                "raw": head + b"\r\n\r\n" + body}

    def close(self):
        self.sock.close()


def exchange(port, requests, head_only=False, tls=None, shut=False):
    """The requests one after another on one fresh connection, each
    answer read before the next is sent; then a probe (unless shut: the
    client's side shut down after the last request). Returns (answers,
    whether the connection was still usable after the last, client
    port)."""
    c = Conn(port, tls)
    out = []
    try:
        for req in requests:
            c.sock.sendall(req)
            if shut:
                c.sock.shutdown(socket.SHUT_WR)
            resp = c.response(head_only)
            out.append(resp)
            if resp is None:
                break
        usable = False
        if out and out[-1] is not None and not shut:
            try:
                c.sock.sendall(PROBE)
                usable = c.response() is not None
            except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
                pass
        return out, usable, c.port
    finally:
        c.close()


# ---- what may differ between two answers ----

ID = [rb"(Request ID</dt><dd>)[^<]*", rb"(\"request_id\":\")[^\"]*",
      rb"(Request ID: )\S*", rb"(<p id=\"id\">)[^<]*"]
TIME = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
RETRY = rb"(Retry after</dt><dd>)\d+"


def masked(resp):
    """resp with Date's value, the request id, the time and the
    breaker's seconds taken out."""
    fields = [(k, b"<date>" if k == b"Date" else
               b"<secs>" if k == b"Retry-After" else v)
              for k, v in resp["fields"]]
    body = resp["body"]
    for pat in ID:
        body = re.sub(pat, rb"\1<id>", body)
    body = re.sub(TIME, b"<time>", body)
    body = re.sub(RETRY, rb"\1<secs>", body)
    return resp["status"], fields, body


def differ(path, a, b):
    """What the two answers look like where they differ."""
    ma, mb = masked(a), masked(b)
    at = next((i for i, (x, y) in enumerate(zip(ma[2], mb[2])) if x != y),
              min(len(ma[2]), len(mb[2])))
    return ("direct and filter answers differ for %s:\n--- /d/ head:\n%s"
            "\n--- /f/ head:\n%s\n--- bodies from byte %d:\n%r\n%r" % (
                path, a["raw"].split(b"\r\n\r\n")[0].decode("latin-1"),
                b["raw"].split(b"\r\n\r\n")[0].decode("latin-1"), at,
                ma[2][at:at + 80], mb[2][at:at + 80]))


def field(resp, name):
    vals = [v for k, v in resp["fields"]
            if k.lower() == name.lower().encode()]
    return vals[0].decode() if vals else None


def log_lines(path, pattern, n):
    """The lines of a log that match pattern, once there are n (polled:
    the access log is written after the answer went out)."""
    def lines():
        try:
            text = path.read_text()
        except OSError:
            return []
        return [ln for ln in text.splitlines() if re.search(pattern, ln)]
    wait_for(lambda: len(lines()) >= n)
    return lines()


def access(site, port, n):
    """The eq access-log lines of a connection, without the port."""
    got = log_lines(site.eq_log, r"^%d " % port, n)
    assert len(got) == n, (port, n, got)
    return [ln.split(" ", 1)[1] for ln in got]


def traces(site, port):
    """gwguard's trace lines saying how a connection's pages went out,
    in order."""
    who = r"\[(client|remote) 127\.0\.0\.1:%d\]" % port  # remote: h2
    return [ln for ln in log_lines(site.h.error_log, who, 0)
            if DIRECT.search(ln) or FILTER.search(ln) or NO_PAGE.search(ln)]


def answered(out, usable):
    return len([r for r in out if r is not None]) + int(usable)


def same(site, path, reqs=None, expect_direct=True, head_only=False,
         tls=False, no_page=False, shut=False, **kw):
    """Sends reqs (default: one request for path with kw) on /d/ and /f/
    each; asserts the two answers, the probe's fate and the access-log
    lines are the same, and the trace lines say direct (expect_direct
    True), filter (False) or either (None) on /d/ and filter on /f/, or
    "no page" on both (no_page).
    Returns the /d/ answers and whether the connection stayed usable."""
    got = {}
    port = site.tls_port if tls else site.h.port
    for p in "df":
        rs = [request("/%s/%s" % (p, path), **kw)] if reqs is None \
            else [r.replace(b" /X/", b" /%s/" % p.encode()) for r in reqs]
        got[p] = exchange(port, rs, head_only, site.client_tls if tls
                          else None, shut)
    (d, d_usable, d_port), (f, f_usable, f_port) = got["d"], got["f"]
    assert None not in d and None not in f, (path, d, f)
    for a, b in zip(d, f):
        assert masked(a) == masked(b), differ(path, a, b)
        if not head_only and field(a, "Content-Length") is not None:
            assert int(field(a, "Content-Length")) == len(a["body"])
        ra, rb = field(a, "Retry-After"), field(b, "Retry-After")
        assert (ra is None) == (rb is None)
        if ra is not None:
            assert abs(int(ra) - int(rb)) <= 1, (ra, rb)
    assert d_usable == f_usable, (path, d_usable, f_usable)
    n = answered(d, d_usable)
    d_log, f_log = access(site, d_port, n), access(site, f_port, n)
    if tls:
        # %O counts TLS bytes: the handshake's ECDSA signature is 70 to
        # 72 bytes long, and head and body in one bucket may take one TLS
        # record (22 bytes) fewer (an 800 KB page does), never more
        d_out, f_out = [[int(ln.split()[2]) for ln in lg]
                        for lg in (d_log, f_log)]
        assert all(a <= b + 4 for a, b in zip(d_out, f_out)), \
            (path, d_log, f_log)
        d_log, f_log = [[re.sub(r"^(\S+ \S+) \d+", r"\1 O", ln)
                         for ln in lg] for lg in (d_log, f_log)]
    assert d_log == f_log, path
    d_tr, f_tr = traces(site, d_port), traces(site, f_port)
    assert len(d_tr) == len(d) and len(f_tr) == len(f), \
        "%s: %d and %d answers, trace lines (one per page expected):\n%s" \
        % (path, len(d), len(f), "\n".join(d_tr + f_tr) or "none")
    if no_page:
        assert all(NO_PAGE.search(ln) for ln in d_tr + f_tr), d_tr + f_tr
        return d, d_usable
    for resp, ln in zip(d, d_tr):
        m = DIRECT.search(ln)
        if expect_direct:
            assert m, "no direct answer for %s: %s" % (path, ln)
            assert resp["status"].split(b" ")[1].decode() == m.group(1)
            assert int(m.group(2)) == len(resp["body"])
        elif expect_direct is None:
            assert m or FILTER.search(ln), ln
        else:
            assert FILTER.search(ln), "not a filter answer: %s: %s" % (
                path, ln)
    for ln in f_tr:
        assert FILTER.search(ln), "/f/%s: %s" % (path, ln)
    return d, d_usable


def status_of(resp):
    return int(resp["status"].split(b" ")[1])


# ---- 1. refused upstream, every representation, 502 and 504 ----

@pytest.mark.parametrize("accept,ctype", [
    (None, "text/html; charset=utf-8"),
    ("application/json", "application/json; charset=utf-8"),
    ("application/problem+json", "application/problem+json; charset=utf-8"),
    ("text/plain", "text/plain; charset=utf-8")])
def test_builtin_page_direct(site, accept, ctype):
    hs = ["Accept: " + accept] if accept else []
    (d,), usable = same(site, "refused/x", headers=hs)
    assert status_of(d) == 503 and field(d, "Content-Type") == ctype
    assert [k for k, _ in d["fields"]] == [
        b"Date", b"Server", b"Cache-Control", b"Vary", b"Retry-After",
        b"Proxy-Status", b"Content-Length", b"Connection", b"Content-Type"]
    assert field(d, "Connection") == "close" and not usable


def test_template_page_direct(site):
    (d,), _ = same(site, "tpl/x")
    assert status_of(d) == 503 and b"<p id=\"id\">" in d["body"]
    (d,), _ = same(site, "tpl/x", headers=["Accept: application/json"])
    assert d["body"].startswith(b"{\"tpl\":true,\"status\":503,")


def test_big_template_page_direct(site):
    """An 800 KB page: more than the socket takes at once, so the core
    output filter sets the rest aside (event MPM: write completion)."""
    (d,), usable = same(site, "big/x")
    assert len(d["body"]) > 10 * BIG and status_of(d) == 503


def test_502_and_504_direct(site):
    """A 502 and a 504 with httpd's own reason phrase (the refused
    upstream's class mapped by GwGuardStatusCode) answer directly and keep
    the connection."""
    for path, status in (("r502/x", 502), ("r504/x", 504)):
        (d,), usable = same(site, path)
        assert status_of(d) == status and usable
        assert field(d, "Proxy-Status") == \
            "gwguard; error=connection_refused"


def test_502_and_504_from_the_upstream(site):
    """A read failure's 502: mod_proxy's ap_proxyerror set r->status_line
    ("502 Proxy Error"), which the header filter sends as it is, and so
    does the direct answer. A header timeout's 504 has httpd's own reason
    phrase: direct too."""
    (d,), usable = same(site, "up/close")
    assert d["status"] == b"HTTP/1.1 502 Proxy Error" and usable
    assert field(d, "Proxy-Status") == "gwguard; error=connection_terminated"
    (d,), usable = same(site, "slow/x")
    assert d["status"] == b"HTTP/1.1 504 Gateway Timeout" and usable
    assert field(d, "Proxy-Status") == "gwguard; error=http_response_timeout"


# ---- 2. the open breaker's answer, decided in fixups ----

def test_breaker_answer_direct(site):
    (d,), _ = same(site, "brk/x", headers=["Accept: text/html"])
    assert status_of(d) == 503
    assert 590 <= int(field(d, "Retry-After")) <= 600
    assert b"Error 503 &middot; UO" in d["body"]
    (d,), _ = same(site, "brk/x", headers=["Accept: application/json"])
    assert b"\"class\":\"circuit_open\"" in d["body"]


def test_maintenance_answer_direct(site):
    key = key_of(site.mnt)
    site.h.ctl("maintenance", "--shm", str(site.h.shm), key, "on", "--for",
               "600", "--message", "back <b>soon</b> & \"then\"")
    (d,), _ = same(site, "mnt/x")
    assert status_of(d) == 503 and 590 <= int(field(d, "Retry-After")) <= 600
    assert b"back &lt;b&gt;soon&lt;/b&gt; &amp; &quot;then&quot;" in d["body"]
    (d,), _ = same(site, "mnt/x", headers=["Accept: application/json"])
    assert b'"class":"maintenance"' in d["body"]


def test_other_retry_after_no_proxy_status_and_balancer_direct(site):
    """GwGuardRetryAfter 120 with GwGuardProxyStatus Off, and a balancer
    without a usable member (class unavailable)."""
    (d,), _ = same(site, "rq/x")
    assert field(d, "Retry-After") == "120"
    assert field(d, "Proxy-Status") is None
    (d,), _ = same(site, "bal/x")
    assert status_of(d) == 503
    assert field(d, "Proxy-Status") == "gwguard; error=destination_unavailable"


# ---- 3. the connection: versions, keep-alive, request bodies ----

def test_http10_with_and_without_keepalive(site):
    (d,), usable = same(site, "r502/x", version="HTTP/1.0")
    assert d["status"] == b"HTTP/1.1 502 Bad Gateway" and not usable
    assert field(d, "Connection") == "close"
    (d,), usable = same(site, "r502/x", version="HTTP/1.0",
                        headers=["Connection: keep-alive"])
    assert field(d, "Connection") == "Keep-Alive" and usable
    assert field(d, "Keep-Alive").startswith("timeout=")


def test_http11_connection_close(site):
    (d,), usable = same(site, "r502/x", headers=["Connection: close"])
    assert field(d, "Connection") == "close" and not usable


def test_keepalive_second_request_says_close(site):
    """MaxKeepAliveRequests 1 (httpd counts the requests after the
    first): the first answer keeps the connection, the second closes
    it; both are pages. With and without the client's keep-alive token
    (only with it does httpd send Keep-Alive)."""
    two = [request("/X/r502/x"), request("/X/brk502/x")]
    d, usable = same(site, None, reqs=two)
    assert [status_of(r) for r in d] == [502, 502]
    assert field(d[0], "Connection") is None
    assert field(d[1], "Connection") == "close" and not usable
    two = [request("/X/r502/x", headers=["Connection: keep-alive"]),
           request("/X/brk502/x", headers=["Connection: keep-alive"])]
    d, usable = same(site, None, reqs=two)
    assert field(d[0], "Keep-Alive") == "timeout=5, max=1"
    assert field(d[0], "Connection") == "Keep-Alive"
    assert field(d[1], "Connection") == "close" and not usable


def test_pipelined_requests(site):
    """Two requests in one packet: the second is read from what the
    first left in the input, and its answer follows the first's."""
    both = request("/X/r502/x") + request("/X/brk502/x")
    got = {}
    for p in "df":
        c = Conn(site.h.port)
        try:
            c.sock.sendall(both.replace(b" /X/", b" /%s/" % p.encode()))
            got[p] = ([c.response(), c.response()], c.port)
            assert c.response() is None      # the second said close
        finally:
            c.close()
    (d, d_port), (f, f_port) = got["d"], got["f"]
    assert None not in d and None not in f
    assert [masked(r) for r in d] == [masked(r) for r in f]
    assert access(site, d_port, 2) == access(site, f_port, 2)
    assert [bool(DIRECT.search(t)) for t in traces(site, d_port)] == [1, 1]
    assert [bool(FILTER.search(t)) for t in traces(site, f_port)] == [1, 1]


def test_post_bodies(site):
    """A small body the proxy forwarded, one nobody read (the breaker
    answers in fixups, here as a 502 that keeps the connection): it is
    discarded and the next request on the connection is answered; with
    Expect: 100-continue no 100 is sent and nothing is read."""
    post = dict(method="POST", headers=["Content-Length: 5",
                                        "Content-Type: text/plain"])
    d, usable = same(site, None, reqs=[
        request("/X/r502/x", body=b"hello", **post),
        request("/X/brk502/x")])
    assert [status_of(r) for r in d] == [502, 502]
    d, usable = same(site, None, reqs=[
        request("/X/brk502/x", body=b"hello", **post),
        request("/X/brk502/x")])
    assert [status_of(r) for r in d] == [502, 502]
    assert field(d[0], "Proxy-Status") == \
        "gwguard; error=destination_unavailable"
    expect = dict(method="POST", headers=[
        "Content-Length: 5", "Expect: 100-continue"])
    (d,), usable = same(site, "brk502/x", **expect)
    assert status_of(d) == 502
    (d,), usable = same(site, "r502/x", **expect)
    assert status_of(d) == 502


# ---- 4. Server banner and charset ----

def test_banner_full_and_charset(site):
    (d,), _ = same(site, "cs/x", headers=["Accept: text/plain"])
    assert field(d, "Server").startswith("Apache/2.4")
    assert field(d, "Content-Type") == "text/plain; charset=utf-8"


def test_banner_prod_tls_and_h2(tmp_path):
    """ServerTokens Prod, AddDefaultCharset On, the same pages over TLS
    (mod_ssl's connection filters), and an h2 stream (c->master: the
    filters answer) on a server that offers h2c; under prefork (blocking
    writes), the rest of this file runs under event."""
    s = Site(tmp_path / "prod", extra="ServerTokens Prod\n"
             "AddDefaultCharset On\nProtocols h2c http/1.1\n",
             modules=MODULES + ["ssl", "http2"], tls=True, mpm="prefork")
    try:
        for tls in (False, True):
            (d,), _ = same(s, "refused/x", tls=tls)
            assert field(d, "Server") == "Apache"
            assert field(d, "Content-Type") == "text/html; charset=utf-8"
            (d,), _ = same(s, "refused/x", headers=["Accept: text/plain"],
                           tls=tls)
            assert field(d, "Content-Type") == "text/plain; charset=utf-8"
            d, usable = same(s, None, reqs=[request("/X/r502/x"),
                                            request("/X/brk502/x")], tls=tls)
            assert [status_of(r) for r in d] == [502, 502] and not usable
            (d,), _ = same(s, "big/x", tls=tls)
            assert len(d["body"]) > 10 * BIG
        if CURL:
            h2_falls_back(s)
    finally:
        s.stop()
    s.h.check_error_log()
    if not CURL:
        pytest.skip("curl not installed: the h2 case did not run")


def h2_falls_back(s):
    p = subprocess.run([CURL, "-s", "--http2-prior-knowledge", "-m", "20",
                        "-o", "/dev/null", "-w",
                        "%{http_code} %{http_version} %{local_port} "
                        "%{content_type}",
                        "http://127.0.0.1:%d/d/refused/x" % s.h.port],
                       capture_output=True, text=True, timeout=30)
    code, version, port, ctype = p.stdout.split(" ", 3)
    assert (code, version) == ("503", "2"), p.stdout
    assert ctype == "text/html; charset=utf-8"
    access(s, int(port), 1)
    tr = traces(s, int(port))
    assert len(tr) == 1 and FILTER.search(tr[0]), tr


# ---- 5. what must take the filter path, and does ----

def test_status_without_reason_phrase_falls_back(site):
    """GwGuardStatusCode takes 500 to 599; httpd has no reason phrase for
    509 or 599, and its header filter then sends its own status line for
    them (that of 500): the filters answer."""
    for path in ("r509/x", "r599/x"):
        (d,), usable = same(site, path, expect_direct=False)
        assert usable


def test_head_falls_back(site):
    (d,), _ = same(site, "refused/x", method="HEAD", head_only=True,
                   expect_direct=False)
    assert status_of(d) == 503 and d["body"] == b""
    assert field(d, "Content-Type") == "text/html; charset=utf-8"


def test_header_always_falls_back(site):
    (d,), _ = same(site, "xfo/x", expect_direct=False)
    assert field(d, "X-Frame-Options") == "DENY"


def test_force_response_10_falls_back(site):
    (d,), _ = same(site, "f10/x", version="HTTP/1.0",
                   headers=["User-Agent: t"], expect_direct=False)
    assert d["status"].startswith(b"HTTP/1.0 503 ")


def test_force_no_vary_falls_back(site):
    (d,), _ = same(site, "nv/x", headers=["User-Agent: t"],
                   expect_direct=False)
    assert field(d, "Vary") is None


def test_downgrade_10_falls_back(site):
    (d,), _ = same(site, "dg/x", expect_direct=False)
    assert status_of(d) == 503


def test_other_response_header_falls_back(site):
    """mod_rewrite's [CO] puts Set-Cookie in err_headers_out without
    any filter: the table holds more than gwguard's own fields."""
    (d,), _ = same(site, "co/x", expect_direct=False)
    assert field(d, "Set-Cookie").startswith("k=v")


def test_deflate_by_type_is_not_on_error_pages(site):
    """AddOutputFilterByType inserts DEFLATE as a resource filter, which
    the error path drops (r->output_filters = r->proto_output_filters):
    stock httpd sends its error pages uncompressed, and so does the filter
    path; nothing is left that could change the answer."""
    (d,), _ = same(site, "gz/x", headers=["Accept-Encoding: gzip"])
    assert field(d, "Content-Encoding") is None
    assert d["body"].startswith(b"<!DOCTYPE html>")


def test_http09_falls_back(site):
    got = {}
    for p in "df":
        c = Conn(site.h.port)
        try:
            c.sock.sendall(b"GET /%s/refused/x\r\n" % p.encode())
            got[p] = (c.read_all(), c.port)
        finally:
            c.close()
    (d, d_port), (f, f_port) = got["d"], got["f"]
    assert d.startswith(b"<!DOCTYPE html>")
    assert masked({"fields": [], "status": b"", "body": d}) == \
        masked({"fields": [], "status": b"", "body": f})
    for port in (d_port, f_port):
        access(site, port, 1)
        tr = traces(site, port)
        assert len(tr) == 1 and FILTER.search(tr[0]), \
            "HTTP/0.9: one filter answer line expected, got %r" % tr


def test_broken_request_body_gets_httpds_400(site):
    """The breaker answers before anyone read the body; discarding a
    broken chunked body, HTTP_IN answers 400 itself, and no page follows
    (on either path): what stock httpd sends when its error path finds
    one (/probe: a 400 with "Additionally, a 410 Gone error"), one
    document, the connection closed."""
    req = dict(method="POST", headers=["Transfer-Encoding: chunked"],
               body=b"zz\r\nhello\r\n0\r\n\r\n")
    (d,), usable = same(site, "brk502/x", no_page=True, **req)
    assert d["status"] == b"HTTP/1.1 400 Bad Request" and not usable
    assert b"Additionally, a 502 Bad Gateway\nerror" in d["body"]
    (stock,), _, _ = exchange(site.h.port, [request("/probe", **req)])
    for resp in (d, stock):
        assert resp["body"].lower().count(b"<!doctype") == 1, resp["raw"]
    assert [k for k, _ in d["fields"]] == [k for k, _ in stock["fields"]]


def test_request_body_cut_short_falls_back(site):
    """A body shorter than its Content-Length, then the client's end shut:
    the discard fails, and httpd's 400 goes out (on the filter path, as
    stock's error path sends it) in place of the page."""
    (d,), _ = same(site, "brk502/x", method="POST", shut=True,
                   headers=["Content-Length: 100"], body=b"hello",
                   expect_direct=False)
    assert d["status"] == b"HTTP/1.1 400 Bad Request"
    assert d["body"].lower().count(b"<!doctype") == 1


def test_a_module_with_an_error_filter_falls_back(tmp_path):
    """mod_session inserts its output filter into every error response:
    with it loaded, every page takes the filter path."""
    s = Site(tmp_path / "session", open_breaker=False,
             modules=MODULES + ["session", "session_cookie"])
    try:
        (d,), _ = same(s, "refused/x", expect_direct=False)
        assert status_of(d) == 503
    finally:
        s.stop()
    s.h.check_error_log()
