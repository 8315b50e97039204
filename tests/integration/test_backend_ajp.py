"""The fault matrix of mod_proxy_ajp against apps/ajp_fault.py, an AJP13
fault server written for the tests (Debian's AJP server is Tomcat: a
JVM too heavy to start per test module, and one that cannot fail per
request without taking itself down); under event and prefork, each
fault compared with the same fault under `GwGuard Off`
(scheme_matrix.py)."""

import pytest

from backends import AjpServer
from scheme_matrix import Fault, SLEEP_S, fault_params, \
    scheme_fixtures, standard_faults

# With ping= (CPING/CPONG before each request) stock answers 504 for a
# response that times out (mod_proxy_ajp checks ping_timeout_set), and
# gwguard must not say less.
FAULTS = standard_faults() + [
    Fault("timeout_with_ping", "/sleep?s=%d" % SLEEP_S, "header_timeout",
          route="ping")]
# What mod_proxy_ajp logs when the backend fails (docs/backends.md)
ALLOWED = [r"AH00896", r"AH01030", r"AH00992", r"AH00878", r"AH00893"]
PENDING = {
    "reset_before_headers": "an AJP reset before headers (AH00878, stock "
                            "503) is counted connect_refused",
}


backend, matrix = scheme_fixtures(
    "ajp", "ajp", ["proxy_ajp"], AjpServer, FAULTS, ALLOWED,
    more=[("ping", "ping=1")])


@pytest.mark.parametrize("fault", fault_params(FAULTS, PENDING))
def test_fault(matrix, fault):
    matrix.check(fault)
