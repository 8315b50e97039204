"""The fault matrix of mod_proxy_scgi against a real SCGI server: uWSGI
(Debian's uwsgi with its python3 plugin) with `--scgi-socket`, serving
apps/wsgi_fault.py; under event and prefork, each fault compared with
the same fault under `GwGuard Off` (scheme_matrix.py)."""

import pytest

from backends import Uwsgi, missing, UWSGI
from scheme_matrix import fault_params, \
    scheme_fixtures, standard_faults

pytestmark = pytest.mark.skipif(
    bool(missing(UWSGI)), reason="uwsgi (Debian packages uwsgi and "
    "uwsgi-plugin-python3) is not installed")

FAULTS = standard_faults()
# What mod_proxy_scgi (and core) log when the backend fails
# (docs/backends.md); the two without an AH number are mod_proxy_scgi's
# ap_scan_script_header_err_brigade messages.
ALLOWED = [r"AH00866", r"AH00860", r"End of script output before headers",
           r"Script timed out before returning headers", r"AH00574"]
PENDING = {
    "reset_mid_body": "an SCGI body cut short is not classified (stock "
                      "ends the chunked body as if complete)",
}


backend, matrix = scheme_fixtures(
    "scgi", "scgi", ["proxy_scgi"], lambda d: Uwsgi(d, "scgi"), FAULTS,
    ALLOWED)


@pytest.mark.parametrize("fault", fault_params(FAULTS, PENDING))
def test_fault(matrix, fault):
    matrix.check(fault)
