"""The module under valgrind: a single-process httpd (-X) runs a request
matrix (success, refused, upstream 5xx, client abort, overflow, restart of
counting) and valgrind must report no error. Part of `make check` and
`make check-asan`."""

import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import get, abort_after_send
from httpd import HTTPD
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
    vlog = h.root / "logs" / "valgrind.log"
    proc = subprocess.Popen(
        ["valgrind", "--error-exitcode=99", "--track-origins=yes",
         "--log-file=%s" % vlog, HTTPD, "-X", "-f", str(h.conf_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        h._wait_listening(timeout=120)
        for path in ["/up/ok", "/dead/x", "/up/status/502", "/up/ok",
                     "/up/slow?ms=50", "/dead/y"]:
            get(h.url + path, timeout=60)
        abort_after_send("127.0.0.1", h.port, "/up/stream?chunks=50&ms=20")
        assert wait_for(lambda: h.status()["totals"]["requests"] >= 7,
                        timeout=60)
    finally:
        proc.terminate()
        rc = proc.wait(120)
    text = vlog.read_text()
    summary = re.findall(r"ERROR SUMMARY: (\d+) errors", text)
    assert summary and summary[-1] == "0", text[-4000:]
    assert rc != 99, text[-4000:]
