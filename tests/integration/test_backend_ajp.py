"""The fault matrix of mod_proxy_ajp against a real SCGI server: uWSGI
(Debian's uwsgi with its python3 plugin) with `--ajp-socket`, serving
apps/wsgi_fault.py; under event and prefork, each fault compared with
the same fault under `GwGuard Off` (scheme_matrix.py)."""

import pytest

from backends import AjpServer
from scheme_matrix import MPMS, dead_address, fault_params, matrix_of, \
    standard_faults

FAULTS = standard_faults()
# What mod_proxy_ajp logs when the backend fails (docs/backends.md)
ALLOWED = [r"AH00896", r"AH01030", r"AH00992", r"AH00878", r"AH00893"]
PENDING = {
    "reset_before_headers": "an AJP reset before headers (AH00878, stock "
                            "503) is counted connect_refused",
}


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    with AjpServer(tmp_path_factory.mktemp("ajp")) as u:
        yield u


@pytest.fixture(scope="module", params=MPMS)
def matrix(request, backend, tmp_path_factory):
    dead = dead_address()

    def routes(prefix):
        return ("ProxyPass /%s/app/ ajp://%s/ timeout=2\n"
                "ProxyPass /%s/dead/ ajp://%s/\n"
                % (prefix, backend.address, prefix, dead))

    yield from matrix_of(request.param, tmp_path_factory, "ajp",
                         ["proxy_ajp"], routes, FAULTS,
                         {"app": "ajp://" + backend.address,
                          "dead": "ajp://" + dead},
                         ALLOWED)


@pytest.mark.parametrize("fault", fault_params(FAULTS, PENDING))
def test_fault(matrix, fault):
    matrix.check(fault)
