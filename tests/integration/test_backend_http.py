"""The fault matrix of mod_proxy_http against a real WSGI server:
gunicorn (Debian package gunicorn, sync workers) serving
apps/wsgi_fault.py; under event and prefork, each fault compared with
the same fault under `GwGuard Off` (scheme_matrix.py). The scheme
mod_gwguard was built for, now checked against a real server too: the
baseline the other schemes' matrices are held to."""

import pytest

from backends import GUNICORN, Gunicorn, missing
from scheme_matrix import fault_params, scheme_fixtures, standard_faults

pytestmark = pytest.mark.skipif(
    bool(missing(GUNICORN)), reason="gunicorn (Debian package gunicorn) "
    "is not installed")

FAULTS = standard_faults()
ALLOWED = []
PENDING = {}

backend, matrix = scheme_fixtures(
    "http", "http", [], Gunicorn, FAULTS, ALLOWED)


@pytest.mark.parametrize("fault", fault_params(FAULTS, PENDING))
def test_fault(matrix, fault):
    matrix.check(fault)
