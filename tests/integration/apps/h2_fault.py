#!/usr/bin/python3
"""An h2c (HTTP/2 over cleartext, prior knowledge) fault server on
python3-h2, for mod_proxy_http2's h2c:// workers. nghttpd serves only
files, so it cannot fail on demand; this one answers each stream with
the fault its :path names (faultsrv.fault_of):

  ok  sleep?s=N  die (RST of the TCP connection before HEADERS)
  diebody (HEADERS for 100000 bytes, 1000 sent, RST)  slowbody (1000
  bytes, then silence)  status/NNN (the app's own HTML, ?json: JSON)
  rststream (RST_STREAM INTERNAL_ERROR before HEADERS)

A connection's streams are served one after another, in its thread."""

import h2.config
import h2.connection
import h2.events

import faultsrv


def send(conn, h2c):
    data = h2c.data_to_send()
    if data:
        conn.sendall(data)


def respond(conn, h2c, sid, target):
    """Returns False when the connection is gone."""
    def whole(code, body, ctype):
        h2c.send_headers(sid, [(":status", str(code)),
                               ("content-type", ctype),
                               ("content-length", str(len(body)))])
        h2c.send_data(sid, body, end_stream=True)
        send(conn, h2c)

    def partial():
        h2c.send_headers(sid, [(":status", "200"),
                               ("content-type", "text/plain"),
                               ("content-length", "100000")])
        h2c.send_data(sid, b"x" * 1000)
        send(conn, h2c)

    if faultsrv.fault_of(target)[0] == "rststream":
        h2c.reset_stream(sid, error_code=2)
        send(conn, h2c)
        return True
    return faultsrv.respond(conn, target, whole, partial)


def handle(conn):
    h2c = h2.connection.H2Connection(
        config=h2.config.H2Configuration(client_side=False,
                                         header_encoding="utf-8"))
    h2c.initiate_connection()
    send(conn, h2c)
    pending = {}
    while True:
        data = conn.recv(65536)
        if not data:
            return
        for ev in h2c.receive_data(data):
            if isinstance(ev, h2.events.RequestReceived):
                pending[ev.stream_id] = dict(ev.headers).get(":path", "/")
                if ev.stream_ended:
                    if not respond(conn, h2c, ev.stream_id,
                                   pending.pop(ev.stream_id)):
                        return
            elif isinstance(ev, h2.events.StreamEnded) \
                    and ev.stream_id in pending:
                if not respond(conn, h2c, ev.stream_id,
                               pending.pop(ev.stream_id)):
                    return
            elif isinstance(ev, h2.events.ConnectionTerminated):
                send(conn, h2c)
                return
        send(conn, h2c)


if __name__ == "__main__":
    faultsrv.serve_forever(faultsrv.parse_args(__doc__).listen, handle)
