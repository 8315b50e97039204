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


def test_body_cut_seen_with_trusted_content_length(backend, make_httpd):
    """With `SetEnv ap_trust_cgilike_cl 1` mod_proxy_scgi keeps the
    backend's Content-Length, so a body cut by a clean close is short of
    it: the client sees the cut and gwguard counts body_reset (rule
    body_short). Without the variable the length is dropped and neither
    can tell (the strict xfail above)."""
    import re
    from httpd import BASE_MODULES
    from scheme_matrix import FULL_BODY, fetch
    from test_counting import wait_for
    h = make_httpd("event", modules=BASE_MODULES + ["proxy_scgi"],
                   loglevel="warn gwguard:info")
    h.allowed_errors += ALLOWED
    # the client sees the cut when httpd closes the kept-alive connection
    h.start('KeepAliveTimeout 1\nProxyPass /cl/ scgi://%s/\n'
            '<Location /cl/>\n  SetEnv ap_trust_cgilike_cl 1\n</Location>\n'
            % backend.address)
    status, complete, body = fetch(h.port, "/cl/diebody", timeout=15)
    assert status == 200 and not complete and len(body) < FULL_BODY
    assert fetch(h.port, "/cl/ok")[:2] == (200, True)
    key = "scgi://%s" % backend.address
    st = wait_for(lambda: (lambda s: s if s["totals"]["requests"] >= 2
                           else None)(h.status()))
    slot = next(u for u in st["upstreams"] if u["name"] == key)
    assert (slot["classes"]["body_reset"], slot["successes"]) == (1, 1)
    assert re.search(r"GWG00006: .*upstream=%s class=body_reset .*"
                     r"rule=body_short" % re.escape(key),
                     h.read_error_log())
