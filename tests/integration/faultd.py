"""A fault-injecting HTTP upstream for the integration tests.

It listens on 127.0.0.1 only and picks its fault per request from the path,
in the manner of mod_h2's test module, so one upstream serves every case:

  /ok                  200 with a small body
  /status/NNN          status NNN (add ?json to answer application/json)
  /hang                read the request, then say nothing until closed
  /close               close the connection before any response
  /reset               reset (RST) the connection before any response
  /slow?ms=N           wait N ms, then 200
  /stream?chunks=N&ms=M  200 with N 64 KiB chunks, M ms apart
  /gate                wait until the test sets .gate (an Event), then 200

A test can switch the whole upstream between failing and healthy by
setting .force to a request target (e.g. "/close"): every request is then
served as if it had asked for that target; None serves by path again.

Every accepted connection and every request is counted, so a test can
prove that httpd did (or did not) reach the upstream.
"""

import socket
import struct
import threading
import time
from urllib.parse import urlsplit, parse_qs

MAX_HANG_S = 30


class FaultUpstream:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.requests = 0
        self.force = None
        self.gate = threading.Event()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self.gate.set()
        try:
            socket.create_connection(("127.0.0.1", self.port), 1).close()
        except OSError:
            pass
        self.sock.close()
        self._thread.join(5)

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self._stop.is_set():
                conn.close()
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,),
                             daemon=True).start()

    def _serve(self, conn):
        conn.settimeout(MAX_HANG_S)
        try:
            while self._serve_one(conn):
                pass
        except OSError:
            pass
        finally:
            conn.close()

    def _read_head(self, conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        return data.split(b"\r\n\r\n", 1)[0].decode("latin-1")

    def _serve_one(self, conn):
        head = self._read_head(conn)
        if head is None:
            return False
        with self._lock:
            self.requests += 1
        target = head.split("\r\n", 1)[0].split(" ")[1]
        target = self.force or target
        url = urlsplit(target)
        query = parse_qs(url.query, keep_blank_values=True)
        path = url.path
        if path == "/hang":
            deadline = time.monotonic() + MAX_HANG_S
            while time.monotonic() < deadline and not self._stop.is_set():
                try:
                    if not conn.recv(1):
                        break
                except socket.timeout:
                    break
            return False
        if path == "/gate":
            self.gate.wait(MAX_HANG_S)
            return self._answer(conn, 200, b"gate ok\n")
        if path == "/close":
            return False
        if path == "/reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            return False
        if path == "/slow":
            time.sleep(int(query.get("ms", ["100"])[0]) / 1000.0)
            return self._answer(conn, 200, b"slow ok\n")
        if path == "/stream":
            return self._stream(conn, int(query.get("chunks", ["50"])[0]),
                                int(query.get("ms", ["50"])[0]))
        if path.startswith("/status/"):
            status = int(path.split("/")[2])
            if "json" in query:
                return self._answer(conn, status,
                                    b'{"upstream_error":true}',
                                    "application/json")
            return self._answer(conn, status, b"upstream says %d\n" % status)
        return self._answer(conn, 200, b"ok\n")

    def _stream(self, conn, chunks, ms):
        chunk = b"x" * 65536
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: %d\r\n\r\n" % (chunks * len(chunk)))
        for _ in range(chunks):
            if self._stop.is_set():
                return False
            conn.sendall(chunk)
            time.sleep(ms / 1000.0)
        return True

    def _answer(self, conn, status, body, ctype="text/plain"):
        conn.sendall(b"HTTP/1.1 %d Upstream\r\nContent-Type: %s\r\n"
                     b"Content-Length: %d\r\n\r\n%s"
                     % (status, ctype.encode(), len(body), body))
        return True
