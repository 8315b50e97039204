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
  /garbage             a reply that is not HTTP at all (no status line)
  /badversion          "HTTP/2.0 200 OK": a corrupt HTTP/1 status line
  /bigheader           a header line over httpd's 8 KiB limit
  /nocolon             a header line without a colon
  /headstall           the status line, then nothing until closed
  /truncate            headers for 100000 bytes, 1000 sent, then close
  /stall               headers and part of the body, then nothing
  /gate                wait until the test sets .gate (an Event), then 200
  /cacheable           200, fresh for 1 s, with Last-Modified and ETag
                       (validators, so mod_cache may serve it stale);
                       the body names the request number

FaultUpstream(tls=(certfile, keyfile)) speaks the same over TLS.
Blackhole() is a loopback port whose connects time out (see its doc).

A test can switch the whole upstream between failing and healthy by
setting .force to a request target (e.g. "/close"): every request is then
served as if it had asked for that target; None serves by path again.

Every accepted connection and every request is counted, so a test can
prove that httpd did (or did not) reach the upstream.
"""

import socket
import ssl
import struct
import subprocess
import threading
import time
from urllib.parse import urlsplit, parse_qs

MAX_HANG_S = 30

# Replies sent as they are, then the connection is closed.
RAW = {
    "/garbage": b"THIS IS NOT HTTP\r\n\r\nnor is this\n",
    "/badversion": b"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
    "/bigheader": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 10000
                  + b"\r\nContent-Length: 0\r\n\r\n",
    "/nocolon": b"HTTP/1.1 200 OK\r\nthis line has no colon\r\n"
                b"Content-Length: 0\r\n\r\n",
}


class FaultUpstream:
    def __init__(self, tls=None):
        self.tls = None
        if tls:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(*tls)
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

    def _hold(self, conn):
        """Says nothing more until the peer closes (or a deadline)."""
        deadline = time.monotonic() + MAX_HANG_S
        while time.monotonic() < deadline and not self._stop.is_set():
            try:
                if not conn.recv(1):
                    break
            except socket.timeout:
                break
        return False

    def _serve(self, conn):
        conn.settimeout(MAX_HANG_S)
        try:
            if self.tls:
                conn = self.tls.wrap_socket(conn, server_side=True)
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
            return self._hold(conn)
        if path in RAW:
            conn.sendall(RAW[path])
            return False
        if path == "/headstall":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")
            return self._hold(conn)
        if path == "/truncate":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n"
                         b"\r\n" + b"x" * 1000)
            time.sleep(0.2)
            return False
        if path == "/stall":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n"
                         b"\r\n" + b"x" * 1000)
            return self._hold(conn)
        if path == "/gate":
            self.gate.wait(MAX_HANG_S)
            return self._answer(conn, 200, b"gate ok\n")
        if path == "/close":
            return False
        if path == "/cacheable":
            body = b"cacheable #%d\n" % self.requests
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         b"Cache-Control: max-age=1\r\n"
                         b"Last-Modified: Sat, 01 Nov 2025 00:00:00 GMT\r\n"
                         b"ETag: \"v1\"\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(body), body))
            return True
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


class Blackhole:
    """A loopback port where connect() times out: a listening socket that
    never accepts, with a backlog of 0 and its accept queue already full,
    so the kernel drops further SYNs instead of answering or refusing."""

    def __init__(self, fillers=4):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.fill = []
        for _ in range(fillers):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", self.port))
            self.fill.append(s)
            time.sleep(0.05)

    def drops_syns(self, timeout=0.5):
        """Whether a connect really times out here (it proves the trick
        works on this kernel before a test relies on it)."""
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.settimeout(timeout)
        try:
            probe.connect(("127.0.0.1", self.port))
            return False
        except socket.timeout:
            return True
        except OSError:
            return False
        finally:
            probe.close()

    def stop(self):
        for s in self.fill:
            s.close()
        self.sock.close()


def make_cert(dirpath, name):
    """A self-signed certificate for 127.0.0.1, made with openssl now.
    Returns (certfile, keyfile)."""
    cert = str(dirpath / ("%s.crt" % name))
    key = str(dirpath / ("%s.key" % name))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key
