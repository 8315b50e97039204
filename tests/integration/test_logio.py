"""mod_logio (compiled into Debian's apache2) adds its input filter to
every connection, backend connections included, where the count it keeps
is never read. The module takes it out of the backend connections it
filters itself (mod_gwguard_backend.c), which saves about 70
instructions a backend read. The client's counts (%I, %O, %S) must stay
exactly what they are without the module's help, over http:// and over
https:// (where mod_ssl's filter sits between the two)."""

import re
import socket

import pytest

from faultd import FaultUpstream, make_cert
from httpd import BASE_MODULES
from test_counting import wait_for

LOG = 'LogFormat "%U %I %O %S" io\nCustomLog "{log}" io\n'
TRACE = "backend connection: mod_logio's input filter taken out"


def raw(port, request):
    """Sends request bytes on a fresh connection; returns head and body."""
    with socket.create_connection(("127.0.0.1", port), 10) as s:
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return head, body


def entries(path):
    try:
        return [ln.split() for ln in path.read_text().splitlines()]
    except OSError:
        return []


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_client_counts_unchanged(make_httpd, tmp_path, tls):
    cert = make_cert(tmp_path, "upstream") if tls else None
    upstream = FaultUpstream(tls=cert).start()
    try:
        counts_unchanged(make_httpd, upstream, cert)
    finally:
        upstream.stop()


def counts_unchanged(make_httpd, upstream, cert):
    h = make_httpd(loglevel="warn gwguard:trace3",
                   modules=BASE_MODULES + (["ssl"] if cert else []))
    io_log = h.root / "logs" / "io.log"
    origin = "%s://127.0.0.1:%d" % ("https" if cert else "http",
                                    upstream.port)
    tls_conf = ("SSLProxyEngine On\nSSLProxyVerify require\n"
                "SSLProxyCACertificateFile %s\n" % cert[0]) if cert else ""
    # /on/ and /of/: request lines of the same length, the same upstream
    # path; a few requests each, so that pooled backend connections are
    # reused as well as made
    h.start(LOG.format(log=io_log) + tls_conf +
            "ProxyPass /on/ %s/\nProxyPass /of/ %s/\n"
            "<Location /of/>\n  GwGuard Off\n</Location>\n"
            % (origin, origin))
    sent = {}
    for prefix in ("/on/", "/of/"):
        for method, body in (("GET", b""), ("POST", b"x" * 1000)):
            req = (b"%s %sok HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Connection: close\r\nContent-Length: %d\r\n\r\n%s"
                   % (method.encode(), prefix.encode(), len(body), body))
            for _ in range(3):
                head, answer = raw(h.port, req)
                assert head.startswith(b"HTTP/1.1 200"), head
                sent.setdefault(prefix, []).append(
                    (len(req), len(head) + 4 + len(answer)))
    assert wait_for(lambda: len(entries(io_log)) >= 12)
    got = {}
    for uri, i, o, s in entries(io_log):
        got.setdefault(uri, []).append((int(i), int(o), int(s)))
    for prefix in ("/on/", "/of/"):
        logged = got[prefix + "ok"]
        # %I is every byte the client sent, exactly; %O every byte it got
        assert sorted(i for i, _, _ in logged) == sorted(
            i for i, _ in sent[prefix]), got
        assert sorted(o for _, o, _ in logged) == sorted(
            o for _, o in sent[prefix]), got
        assert all(s == i + o for i, o, s in logged)
    # the same with and without the module's part in the exchange
    assert sorted(got["/on/ok"]) == sorted(got["/of/ok"])
    # and the filter really was taken out (of a connection GwGuard
    # filters; test_left_alone_with_gwguard_off: of no other)
    assert TRACE in h.read_error_log()


def test_left_alone_with_gwguard_off(make_httpd, upstream):
    h = make_httpd(loglevel="warn gwguard:trace3")
    h.start("GwGuard Off\nProxyPass /p/ http://127.0.0.1:%d/\n"
            % upstream.port)
    head, _ = raw(h.port, b"GET /p/ok HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Connection: close\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert TRACE not in h.read_error_log()
