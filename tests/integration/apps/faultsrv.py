"""What the protocol fault servers in this directory share: the
--listen argument (127.0.0.1:PORT or a unix socket path), a listening
socket for it, a thread per connection, the fault named by a request
path, and an abortive close (RST)."""

import argparse
import os
import re
import socket
import struct
import threading
import time
from urllib.parse import parse_qs

MAX_S = 30      # no fault holds a connection longer than this


def listening_socket(address):
    if address.startswith("/"):
        if os.path.exists(address):
            os.unlink(address)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(address)
        os.chmod(address, 0o666)
    else:
        host, port = address.rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(port)))
    s.listen(128)
    return s


def parse_args(doc):
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--listen", required=True,
                    help="127.0.0.1:PORT or /path/to.sock")
    return ap.parse_args()


def fault_of(target):
    """(fault, seconds, json) from a request target: the last path
    segment (ok, sleep, die, diebody, slowbody, status/NNN, ...)."""
    path, _, query = target.partition("?")
    q = parse_qs(query, keep_blank_values=True)
    m = re.search(r"/(status/\d{3}|[a-z]+)$", path)
    return (m.group(1) if m else "ok",
            min(MAX_S, int(q.get("s", ["10"])[0])), "json" in q)


def reset(sock):
    """Closes with RST, as a killed process's socket would."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def serve_forever(address, handle):
    """Accepts on address; handle(conn) runs in a thread per connection
    with a MAX_S socket timeout."""
    lsock = listening_socket(address)

    def run(conn):
        conn.settimeout(MAX_S)
        try:
            handle(conn)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=run, args=(conn,), daemon=True).start()


def app_error_body(code, as_json):
    if as_json:
        return b'{"app_error": %d}' % code, "application/json"
    return (b"<!doctype html><title>app error</title>"
            b"<p>the app says %d</p>\n" % code, "text/html; charset=utf-8")


def hold():
    time.sleep(MAX_S)


def respond(conn, target, answer, partial):
    """Serves the fault that target names with a protocol's two senders:
    answer(code, body, ctype) sends a whole response, partial() the head
    of a 100000-byte one and its first 1000 bytes. Returns False when the
    connection is gone."""
    fault, seconds, as_json = fault_of(target)
    if fault == "sleep":
        time.sleep(seconds)
    elif fault == "die":
        reset(conn)
        return False
    elif fault in ("diebody", "slowbody"):
        partial()
        if fault == "slowbody":
            hold()
        time.sleep(0.2)
        reset(conn)
        return False
    if fault.startswith("status/"):
        code = int(fault[7:])
        body, ctype = app_error_body(code, as_json)
    else:
        code, body, ctype = 200, b"ok\n", "text/plain"
    answer(code, body, ctype)
    return True
