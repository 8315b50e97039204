"""HTTP/2 on both sides of httpd.

Upstream: the fault matrix of mod_proxy_http2 (h2c://, cleartext with
prior knowledge) against apps/h2_fault.py, an h2c server on python3-h2
written for the tests (nghttpd, the Debian h2 server, only serves files:
it cannot sleep, die or answer 5xx on demand); under event and prefork,
each fault compared with the same fault under `GwGuard Off`
(scheme_matrix.py). A healthy nghttpd proves the h2c:// route itself.

Client: mod_http2 in front (`Protocols h2c http/1.1`), nghttp as the
client; the status it sees must be the status gwguard counts and logs."""

import re
import subprocess

import pytest

from backends import H2Server, NGHTTPD, Nghttpd, missing
from faultd import FaultUpstream
from httpd import BASE_MODULES, Httpd
from scheme_matrix import MPMS, fault_params, fetch, find_slot, \
    less_precise, scheme_fixtures, standard_faults
from test_counting import wait_for

FAULTS = standard_faults()
ALLOWED = []
PENDING = {
}


backend, matrix = scheme_fixtures(
    "h2c", "h2c", ["proxy_http2"], H2Server, FAULTS, ALLOWED)


@pytest.mark.parametrize("fault", fault_params(FAULTS, PENDING))
def test_fault(matrix, fault):
    matrix.check(fault)


# ---- HTTP/2 clients: mod_http2 in front (h2c, prior knowledge), nghttp
# (nghttp2-client) as the client. When the upstream closes before the
# response headers, the status the client sees must be the status that
# gwguard counts and logs.

NGHTTP = "/usr/bin/nghttp"
H2_CASES = [("http", "/close"), ("http", "/reset"),
            ("h2c", "/die")]


def nghttp_status(url):
    """The :status an h2 client receives (prior knowledge), or None."""
    proc = subprocess.run([NGHTTP, "-v", "-t", "20", url],
                          capture_output=True, text=True, timeout=40)
    found = re.findall(r"recv \(stream_id=\d+\) :status: (\d+)",
                       proc.stdout)
    return int(found[-1]) if found else None


@pytest.fixture(scope="module", params=MPMS)
def h2front(request, backend, tmp_path_factory):
    if missing(NGHTTP):
        pytest.skip("nghttp (Debian package nghttp2-client) is not "
                    "installed")
    up = FaultUpstream().start()
    h = Httpd(tmp_path_factory.mktemp("h2front-" + request.param) / "h",
              mpm=request.param, modules=BASE_MODULES + ["http2",
                                                         "proxy_http2"],
              loglevel="warn gwguard:info")
    h.allowed_errors += ALLOWED
    conf = "Protocols h2c http/1.1\nProxyTimeout 2\n"
    for prefix in ("on", "off"):
        conf += ("ProxyPass /%s/http/ http://127.0.0.1:%d/\n"
                 "ProxyPass /%s/h2c/ h2c://%s/\n"
                 % (prefix, up.port, prefix, backend.address))
    conf += "<Location /off/>\n    GwGuard Off\n</Location>\n"
    h.start(conf)
    keys = {"http": "http://127.0.0.1:%d" % up.port,
            "h2c": "h2c://" + backend.address}
    try:
        yield h, keys
    finally:
        h.stop()
        up.stop()
    h.check_error_log()


@pytest.mark.parametrize("route,path", H2_CASES)
def test_h2_client_sees_the_counted_status(h2front, route, path):
    h, keys = h2front
    stock = nghttp_status("%s/off/%s%s" % (h.url, route, path))
    seen = nghttp_status("%s/on/%s%s" % (h.url, route, path))
    assert seen is not None and stock is not None
    st = wait_for(lambda: (lambda u: u if u and u["failures"] >= 1
                           else None)(find_slot(h.status(), keys[route])))
    assert st, h.status()
    lines = [l for l in h.read_error_log().splitlines() if "GWG00006" in l
             and "upstream=%s " % keys[route] in l]
    logged = [int(re.search(r" status=(\d+)", l).group(1)) for l in lines]
    assert logged and logged[-1] == seen, (seen, logged, stock)
    assert st["statuses"].get(str(seen), 0) >= 1, (seen, st["statuses"])
    assert not less_precise(seen, stock), (seen, stock)


def test_h2c_route_to_nghttpd(make_httpd, tmp_path):
    """A real h2c server (nghttpd) behind h2c://: served and counted as
    a success under the worker's key; then stopped: connect_refused."""
    if missing(NGHTTPD):
        pytest.skip("nghttpd (Debian package nghttp2-server) is not "
                    "installed")
    srv = Nghttpd(tmp_path / "nghttpd").start()
    key = "h2c://" + srv.address
    try:
        h = make_httpd("event", modules=BASE_MODULES + ["http2",
                                                        "proxy_http2"],
                       loglevel="warn gwguard:info").start(
            "ProxyPass /n/ %s/ disablereuse=on\n" % key)
        status, _, body = fetch(h.port, "/n/ok")
        assert (status, body) == (200, b"ok from nghttpd\n")
    finally:
        srv.stop()
    assert fetch(h.port, "/n/ok")[0] == 503
    slot = wait_for(lambda: (lambda u: u if u and u["requests"] == 2
                             else None)(find_slot(h.status(), key)))
    assert slot, h.status()
    assert (slot["successes"], slot["classes"]["connect_refused"]) == (1, 1)
