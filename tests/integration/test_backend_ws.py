"""WebSocket upstreams, in both of httpd's styles, against a real
WebSocket echo server on python3-websockets (apps/ws_fault.py): ws://
(mod_proxy_wstunnel; on 2.4.47+ it hands the handshake to mod_proxy_http,
ProxyWebsocketFallbackToProxyHttp) and `upgrade=websocket` on an http://
worker (mod_proxy_http). Each fault, in each style and under event and
prefork, is compared with the same fault under `GwGuard Off`
(scheme_matrix.py): refused, the handshake timed out, reset before the
handshake's answer, the handshake rejected with the app's 503, and the
tunnel dropped mid-stream. Both styles to one origin count under one
key: an upgrade=websocket worker serves plain HTTP too, so that key
is http://HOST:PORT, and ws:// follows it.

The client is a minimal RFC 6455 one (below): the handshake, one masked
text frame, its echo, a close frame."""

import base64
import os
import socket
import struct

import pytest

from backends import WsServer
from scheme_matrix import MPMS, Fault, dead_address, fault_params, \
    matrix_of, success

STYLES = ("ws", "up")


def faults():
    out = []
    for s in STYLES:
        out += [
            success("%s-echo" % s, "/echo", 101, s),
            success("%s-reject_403" % s, "/status/403", 403, s),
            Fault("%s-refused" % s, "/echo", "connect_refused",
                  route=s + "dead"),
            Fault("%s-timeout" % s, "/sleep?s=6", "header_timeout", route=s),
            Fault("%s-reset_before_headers" % s, "/die",
                  "reset_before_headers", route=s),
            Fault("%s-handshake_503" % s, "/status/503", "upstream_5xx",
                  503, route=s),
            Fault("%s-tunnel_dropped" % s, "/drop", "body_reset", 101,
                  cut=True, route=s),
        ]
    return out


FAULTS = faults()
ALLOWED = []
PENDING = {}


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None, data
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def read_exact(sock, n, buf):
    while len(buf) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf[:n], buf[n:]


def frame(opcode, payload):
    """A masked client frame (payloads < 126 bytes)."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


def read_frame(sock, buf):
    head, buf = read_exact(sock, 2, buf)
    n = head[1] & 0x7F
    if n == 126:
        ext, buf = read_exact(sock, 2, buf)
        n = struct.unpack(">H", ext)[0]
    payload, buf = read_exact(sock, n, buf)
    return head[0] & 0x0F, payload, buf


def ws_request(port, path, timeout=30):
    """(status, complete, body): complete when the echo came back and
    the close handshake finished; body: the echo (or the refusal's
    body). status None: the connection closed without an answer."""
    key = base64.b64encode(os.urandom(16)).decode()
    s = socket.create_connection(("127.0.0.1", port), timeout)
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                   "\r\n" % (path, key)).encode())
        head, rest = read_head(s)
        if head is None:
            return None, False, b""
        status = int(head.split(" ", 2)[1])
        if status != 101:
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            try:
                body, _ = read_exact(s, length, rest)
                return status, True, body
            except (ConnectionError, OSError):
                return status, False, rest
        try:
            s.sendall(frame(0x1, b"hello"))
            op, echo, rest = read_frame(s, rest)
            if "/drop" in path:
                # the backend drops the tunnel 0.2 s after the echo: wait
                # for it rather than close first (its library would answer
                # our close frame before it drops, and nothing would be
                # dropped at all)
                op, _, rest = read_frame(s, rest)
                return status, op == 0x8, echo
            s.sendall(frame(0x8, struct.pack(">H", 1000)))
            op, _, rest = read_frame(s, rest)
            return status, op == 0x8, echo
        except (ConnectionError, OSError):
            return status, False, b""
    finally:
        s.close()


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    with WsServer(tmp_path_factory.mktemp("ws")) as w:
        yield w


@pytest.fixture(scope="module", params=MPMS)
def matrix(request, backend, tmp_path_factory):
    dead, dead2 = dead_address(), dead_address()
    key = "http://" + backend.address

    def routes(prefix):
        return ("ProxyPass /{p}/ws/ ws://{a}/ timeout=2\n"
                "ProxyPass /{p}/up/ http://{a}/ upgrade=websocket "
                "timeout=2\n"
                "ProxyPass /{p}/wsdead/ ws://{d}/\n"
                "ProxyPass /{p}/updead/ http://{d2}/ upgrade=websocket\n"
                .format(p=prefix, a=backend.address, d=dead, d2=dead2))

    yield from matrix_of(request.param, tmp_path_factory, "ws",
                         ["proxy_wstunnel"], routes, FAULTS,
                         {"ws": key, "up": key, "wsdead": "http://" + dead,
                          "updead": "http://" + dead2}, ALLOWED, ws_request)


@pytest.mark.parametrize("fault", fault_params(FAULTS, PENDING))
def test_fault(matrix, fault):
    matrix.check(fault)


def test_echo_works(matrix):
    for s in STYLES:
        assert matrix.out[("%s-echo" % s, "on")].body == b"hello"


def test_both_styles_count_under_one_key(matrix):
    ws, up = (matrix.out[("%s-echo" % s, "on")] for s in STYLES)
    assert ws.upstream == up.upstream == matrix.keys["up"]
    # the echoes and the refused handshakes (403: the app's answer, a
    # success for the gateway) of both styles
    assert matrix.slot(matrix.keys["up"])["successes"] == sum(
        1 for f in FAULTS if f.cls is None)
