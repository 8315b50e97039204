"""The module under valgrind: a single-process httpd (-X) runs a request
matrix (success, refused, upstream 5xx, client abort, overflow, restart of
counting) and valgrind must report no error. Part of `make check` and
`make check-asan`."""

import os
import shutil

import pytest

from conftest import get, abort_after_send
from test_counting import wait_for

pytestmark = pytest.mark.skipif(
    not shutil.which("valgrind") or os.environ.get("GWG_VALGRIND") == "0",
    reason="needs valgrind (scripts/deps.sh installs it), and "
           "GWG_VALGRIND=0 turns it off")


def test_request_matrix_under_valgrind(make_httpd, upstream, dead_port):
    h = make_httpd(loglevel="warn gwguard:info")
    h.write_config("GwGuardMaxUpstreams 16\n"
                   "ProxyPass /up/ http://127.0.0.1:%d/\n"
                   "ProxyPass /dead/ http://127.0.0.1:%d/\n"
                   % (upstream.port, dead_port))
    with h.under_valgrind():
        for path in ["/up/ok", "/dead/x", "/up/status/502", "/up/ok",
                     "/up/slow?ms=50", "/dead/y"]:
            get(h.url + path, timeout=60)
        abort_after_send("127.0.0.1", h.port, "/up/stream?chunks=50&ms=20")
        assert wait_for(lambda: h.status()["totals"]["requests"] >= 7,
                        timeout=60)
