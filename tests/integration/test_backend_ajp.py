"""The fault matrix of mod_proxy_ajp against apps/ajp_fault.py, an AJP13
fault server written for the tests (Debian's AJP server is Tomcat: a
JVM too heavy to start per test module, and one that cannot fail per
request without taking itself down); under event and prefork, each
fault compared with the same fault under `GwGuard Off`
(scheme_matrix.py)."""

import pytest

from backends import AjpServer
from scheme_matrix import Fault, SLEEP_S, fault_params, \
    scheme_fixtures, standard_faults, with_rules

# With ping= (CPING/CPONG before each request) stock answers 504 for a
# response that times out (mod_proxy_ajp checks ping_timeout_set), and
# gwguard must not say less.
FAULTS = standard_faults() + [
    Fault("timeout_with_ping", "/sleep?s=%d" % SLEEP_S, "header_timeout",
          route="ping")]
# A reset after the request went out is told from a refused connect by
# the handler's read of the client body, which mod_proxy_ajp does only
# after sending the request (docs/backends.md): the row must be
# ajp_head_reset, answered 502 where stock says 503.
FAULTS = with_rules(FAULTS, {"reset_before_headers": "ajp_head_reset",
                             "refused": "connect"})
# What mod_proxy_ajp logs when the backend fails (docs/backends.md)
ALLOWED = [r"AH00896", r"AH01030", r"AH00992", r"AH00878", r"AH00893"]
PENDING = {
}


backend, matrix = scheme_fixtures(
    "ajp", "ajp", ["proxy_ajp"], AjpServer, FAULTS, ALLOWED,
    more=[("ping", "ping=1")])


@pytest.mark.parametrize("fault", fault_params(FAULTS, PENDING))
def test_fault(matrix, fault):
    matrix.check(fault)
