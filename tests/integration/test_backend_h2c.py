"""The fault matrix of mod_proxy_http2 against a real SCGI server: uWSGI
(Debian's uwsgi with its python3 plugin) with `--h2c-socket`, serving
apps/wsgi_fault.py; under event and prefork, each fault compared with
the same fault under `GwGuard Off` (scheme_matrix.py)."""

import pytest

from backends import H2Server
from scheme_matrix import MPMS, dead_address, fault_params, matrix_of, \
    standard_faults

FAULTS = standard_faults()
ALLOWED = []
PENDING = {
    "reset_mid_body": "an h2c body reset is `other`",
    "slow_body": "an h2c body timeout is `other`",
}


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    with H2Server(tmp_path_factory.mktemp("h2c")) as u:
        yield u


@pytest.fixture(scope="module", params=MPMS)
def matrix(request, backend, tmp_path_factory):
    dead = dead_address()

    def routes(prefix):
        return ("ProxyPass /%s/app/ h2c://%s/ timeout=2\n"
                "ProxyPass /%s/dead/ h2c://%s/\n"
                % (prefix, backend.address, prefix, dead))

    yield from matrix_of(request.param, tmp_path_factory, "h2c",
                         ["proxy_http2"], routes, FAULTS,
                         {"app": "h2c://" + backend.address,
                          "dead": "h2c://" + dead},
                         ALLOWED)


@pytest.mark.parametrize("fault", fault_params(FAULTS, PENDING))
def test_fault(matrix, fault):
    matrix.check(fault)
