"""The fault matrix of mod_proxy_uwsgi against a real uWSGI (Debian's
uwsgi with its python3 plugin, apps/wsgi_fault.py), under event and
prefork, each fault compared with the same fault under `GwGuard Off`
(scheme_matrix.py says what is checked)."""

import pytest

from backends import Uwsgi, missing, UWSGI
from scheme_matrix import MPMS, dead_address, fault_params, matrix_of, \
    standard_faults

pytestmark = pytest.mark.skipif(
    bool(missing(UWSGI)), reason="uwsgi (Debian packages uwsgi and "
    "uwsgi-plugin-python3) is not installed")

FAULTS = standard_faults()
# What mod_proxy_uwsgi logs when its backend fails (docs/backends.md):
# only the connect failure; a read failure is a silent 500.
ALLOWED = [r"AH10101"]
PENDING = {
}


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    with Uwsgi(tmp_path_factory.mktemp("uwsgi"), "uwsgi") as u:
        yield u


@pytest.fixture(scope="module", params=MPMS)
def matrix(request, backend, tmp_path_factory):
    dead = dead_address()

    def routes(prefix):
        return ("ProxyPass /%s/app/ uwsgi://%s/ timeout=2\n"
                "ProxyPass /%s/dead/ uwsgi://%s/\n"
                % (prefix, backend.address, prefix, dead))

    yield from matrix_of(request.param, tmp_path_factory, "uwsgi",
                         ["proxy_uwsgi"], routes, FAULTS,
                         {"app": "uwsgi://" + backend.address,
                          "dead": "uwsgi://" + dead},
                         ALLOWED)


@pytest.mark.parametrize("fault", fault_params(FAULTS, PENDING))
def test_fault(matrix, fault):
    matrix.check(fault)


def test_unix_socket_key(make_httpd, tmp_path):
    """Over a unix socket the key is the scheme and the socket path, so
    two sockets are two keys; the classes are those of TCP."""
    from conftest import get
    from scheme_matrix import find_slot
    from test_counting import wait_for
    from httpd import BASE_MODULES
    with Uwsgi(tmp_path / "uwsgi-unix", "uwsgi", unix=True,
               processes=2) as u:
        h = make_httpd("event", modules=BASE_MODULES + ["proxy_uwsgi"],
                       loglevel="warn gwguard:info").start(
            'ProxyPass /u/ "%s/"\n' % u.url())
        assert get(h.url + "/u/ok")[0] == 200
        assert get(h.url + "/u/die")[0] == 502
        key = "uwsgi+unix:" + u.sock
        st = wait_for(lambda: (lambda s: s if s["totals"]["requests"] >= 2
                               else None)(h.status()))
        slot = find_slot(st, key)
        assert slot, [x["name"] for x in st["upstreams"]]
        assert slot["classes"]["reset_before_headers"] == 1
