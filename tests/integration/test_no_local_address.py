"""`no_local_address` for real (issue 10, item 5): httpd's connect to
its upstream fails with EADDRNOTAVAIL (AH00957, 99) because no local
port is left to connect from.

ap_proxy_connect_backend (proxy_util.c) lets the kernel pick the source
of an unbound socket; when the ephemeral range has no port left for that
destination, apr_socket_connect gives EADDRNOTAVAIL, logged AH00957 with
99 (`ProxySourceAddress` that is not local fails earlier, in bind,
AH00956, and the connect then goes ahead unbound, so it cannot show it).
To exhaust the range without touching the machine, the test moves its
own thread into a private network namespace (unshare(CLONE_NEWNET), root
only), where loopback is its own and the range can be one port: the
test holds a connection to the upstream from that port, so httpd's
connect to the same upstream finds none. httpd, started from that
thread, lives in the namespace too; everything listens on 127.0.0.1 of
that namespace, and the thread returns to its own namespace at the end.
"""

import ctypes
import json
import os
import re
import socket
import subprocess

import pytest

from httpd import Httpd, free_port
from test_backend_fcgi import get_full
from test_counting import by_name, wait_for

CLONE_NEWNET = 0x40000000
RANGE = "/proc/sys/net/ipv4/ip_local_port_range"


class PrivateNet:
    """The calling thread in a network namespace of its own, with
    loopback up, for the duration of a with block."""

    def __enter__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        if self.libc.unshare(CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            os.close(self.home)
            pytest.skip("a private network namespace needs root "
                        "(CAP_SYS_ADMIN): unshare: %s" % os.strerror(err))
        # only this thread's children see the new namespace
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True,
                       timeout=10)
        return self

    def __exit__(self, *exc):
        back = self.libc.setns(self.home, CLONE_NEWNET)
        os.close(self.home)
        assert back == 0, "could not return to the test's own namespace"


def test_no_local_address(tmp_path):
    if not os.path.exists("/usr/sbin/ip") and not os.path.exists("/sbin/ip"):
        pytest.skip("ip (Debian package iproute2) is not installed")
    with PrivateNet():
        upstream = socket.socket()
        upstream.bind(("127.0.0.1", 0))
        upstream.listen(8)
        up_port = upstream.getsockname()[1]
        key = "http://127.0.0.1:%d" % up_port
        h = Httpd(tmp_path / "httpd", loglevel="warn gwguard:info")
        # the failed connect, and mod_proxy putting the worker in error
        h.allowed_errors += [r"AH00957", r"AH00959", r"AH01114"]
        h.start("ProxyPass /nla/ %s/ retry=0\n"
                "ProxyPass /off/nla/ %s/ retry=0\n"
                "<Location /off/>\n  GwGuard Off\n</Location>\n"
                % (key, key))
        held = None
        try:
            # one ephemeral port, taken towards the upstream by `held`;
            # the test's requests come from ports of their own
            sources = [free_port() for _ in range(3)]
            spare = sources.pop()
            with open(RANGE, "w") as f:
                f.write("%d %d" % (spare, spare))
            held = socket.create_connection(("127.0.0.1", up_port))
            assert held.getsockname()[1] == spare

            status, headers, body = get_full(h.port, "/nla/x", sources[0])
            assert status == 503
            assert b"no local address" in body
            assert b"nothing is listening" not in body
            assert "proxy_configuration_error" in headers.get(
                "Proxy-Status", ""), headers
            # stock says the same 503, and nothing about why
            status, _, body = get_full(h.port, "/off/nla/x", sources[1])
            assert status == 503 and b"no local address" not in body
            log = h.read_error_log()
            assert re.search(r"\(99\)[^\n]*AH00957: ", log), log
            assert re.search(r"GWG00006: upstream failure: upstream=%s "
                             r"class=connect_refused .*local="
                             r"no_local_address" % re.escape(key), log), log
            assert wait_for(lambda: by_name(h.status(), key)["classes"]
                            ["connect_refused"] == 1)
            recent = json.loads(h.ctl("recent", "--json", "--shm",
                                      str(h.shm), key).stdout)["recent"]
            assert len(recent) == 1
            out = h.ctl("explain", "--shm", str(h.shm),
                        recent[0]["request_id"]).stdout
            assert "Local fault:    no_local_address" in out, out
        finally:
            if held:
                held.close()
            h.stop()
            upstream.close()
    h.check_error_log()
