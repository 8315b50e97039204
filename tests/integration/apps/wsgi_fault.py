"""A WSGI fault app, served by uWSGI (uwsgi and SCGI protocols) and
gunicorn (HTTP) in tests/integration/backends.py. The fault is the last
path segment of the request URI:

  ok            200 "ok"
  sleep?s=N     sleep N seconds (at most 30), then 200
  die           SIGKILL this worker before any output
  diebody       headers for 100000 bytes, 1000 sent, then SIGKILL
  slowbody      headers for 100000 bytes, 1000 sent, then 30 s of nothing
  status/NNN    status NNN with the app's own HTML (?json: JSON)
"""

import os
import re
import signal
import time
from urllib.parse import parse_qs

MAX_S = 30


def _die():
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(5)


def _partial(then):
    yield b"x" * 1000
    time.sleep(0.2)
    then()
    yield b"y" * 99000


def application(environ, start_response):
    uri = environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
    path, _, query = uri.partition("?")
    query = parse_qs(query or environ.get("QUERY_STRING", ""),
                     keep_blank_values=True)
    m = re.search(r"/(status/\d{3}|[a-z]+)$", path)
    fault = m.group(1) if m else "ok"
    if fault == "sleep":
        time.sleep(min(MAX_S, int(query.get("s", ["10"])[0])))
    elif fault == "die":
        _die()
    elif fault in ("diebody", "slowbody"):
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", "100000")])
        return _partial(_die if fault == "diebody"
                        else lambda: time.sleep(MAX_S))
    elif fault.startswith("status/"):
        code = int(fault[7:])
        if "json" in query:
            body, ctype = (b'{"app_error": %d}' % code, "application/json")
        else:
            body = (b"<!doctype html><title>app error</title>"
                    b"<p>the app says %d</p>\n" % code)
            ctype = "text/html; charset=utf-8"
        start_response("%d App Error" % code, [
            ("Content-Type", ctype), ("Content-Length", str(len(body)))])
        return [body]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\n"]
