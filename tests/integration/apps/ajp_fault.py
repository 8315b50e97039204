#!/usr/bin/python3
"""An AJP13 fault server for mod_proxy_ajp, written for the tests: it
answers CPING and FORWARD_REQUEST packets (only the request URI is read
from them) with the fault the URI names (faultsrv.fault_of):

  ok  sleep?s=N  die (RST before SEND_HEADERS)  diebody (headers for
  100000 bytes, 1000 sent, RST)  slowbody (1000 bytes, then silence)
  status/NNN (the app's own HTML, ?json for JSON)

Packets from the server start with 0x1234, to the server with "AB";
strings are a 16-bit length, the bytes and a NUL."""

import struct

import faultsrv

FORWARD_REQUEST, CPING = 2, 10
SEND_BODY_CHUNK, SEND_HEADERS, END_RESPONSE, CPONG = 3, 4, 5, 9


def ajp_string(s):
    b = s.encode("latin-1")
    return struct.pack(">H", len(b)) + b + b"\0"


def packet(payload):
    return b"AB" + struct.pack(">H", len(payload)) + payload


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_packet(conn):
    head = read_exact(conn, 4)
    if not head or head[:2] != b"\x12\x34":
        return None
    return read_exact(conn, struct.unpack(">H", head[2:])[0])


def request_uri(payload):
    """FORWARD_REQUEST: code, method, protocol string, req_uri string,
    ...; the query string travels as an attribute, which is ignored
    here except for the fault's ?s= and ?json (looked for in the raw
    packet)."""
    pos = 2
    n = struct.unpack(">H", payload[pos:pos + 2])[0]
    pos += 2 + n + 1
    n = struct.unpack(">H", payload[pos:pos + 2])[0]
    uri = payload[pos + 2:pos + 2 + n].decode("latin-1")
    raw = payload.decode("latin-1", "replace")
    for q in ("s=", "json"):
        i = raw.find(q)
        if i >= 0:
            uri += "?" + raw[i:].split("\0", 1)[0]
            break
    return uri


def headers(status, msg, hdrs):
    out = bytes([SEND_HEADERS]) + struct.pack(">H", status) + ajp_string(
        msg) + struct.pack(">H", len(hdrs))
    for name, value in hdrs:
        out += ajp_string(name) + ajp_string(value)
    return packet(out)


def chunk(data):
    return packet(bytes([SEND_BODY_CHUNK]) + struct.pack(">H", len(data))
                  + data + b"\0")


END = packet(bytes([END_RESPONSE, 1]))


def answer(conn, target):
    """Returns False when the connection must not be reused."""
    def whole(code, body, ctype):
        conn.sendall(headers(code, "OK" if code == 200 else "App Error", [
            ("Content-Type", ctype), ("Content-Length", str(len(body)))])
            + chunk(body) + END)

    def partial():
        conn.sendall(headers(200, "OK", [("Content-Type", "text/plain"),
                                         ("Content-Length", "100000")])
                     + chunk(b"x" * 1000))

    return faultsrv.respond(conn, target, whole, partial)


def handle(conn):
    while True:
        payload = read_packet(conn)
        if not payload:
            return
        if payload[0] == CPING:
            conn.sendall(packet(bytes([CPONG])))
        elif payload[0] == FORWARD_REQUEST:
            if not answer(conn, request_uri(payload)):
                return


if __name__ == "__main__":
    faultsrv.serve_forever(faultsrv.parse_args(__doc__).listen, handle)
