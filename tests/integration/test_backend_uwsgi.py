"""The fault matrix of mod_proxy_uwsgi against a real uWSGI (Debian's
uwsgi with its python3 plugin, apps/wsgi_fault.py), under event and
prefork, each fault compared with the same fault under `GwGuard Off`
(scheme_matrix.py says what is checked)."""

import pytest

from backends import Uwsgi, missing, UWSGI
from scheme_matrix import fault_params, \
    scheme_fixtures, standard_faults, with_rules

pytestmark = pytest.mark.skipif(
    bool(missing(UWSGI)), reason="uwsgi (Debian packages uwsgi and "
    "uwsgi-plugin-python3) is not installed")

# The classifier row of each fault, as docs/backends.md names them:
# mod_proxy_uwsgi's 500 for an unreadable head is cgi_head_reset, never
# mod_proxy_http's head_race (which sees the same EOF, nothing read, 500).
FAULTS = with_rules(standard_faults(), {
    "refused": "connect", "timeout": "head_timeout",
    "reset_before_headers": "cgi_head_reset", "reset_mid_body": "body_short",
    "slow_body": "body_timeout", "app_500": "upstream_5xx",
    "app_503": "upstream_5xx", "app_503_json": "upstream_5xx"})
# What mod_proxy_uwsgi logs when its backend fails (docs/backends.md):
# only the connect failure; a read failure is a silent 500.
ALLOWED = [r"AH10101"]
PENDING = {
}


backend, matrix = scheme_fixtures(
    "uwsgi", "uwsgi", ["proxy_uwsgi"], lambda d: Uwsgi(d, "uwsgi"), FAULTS,
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


def test_error_override_feeds_breaker(backend, make_httpd):
    """ProxyErrorOverride On: mod_proxy_uwsgi returns the app's 503 to
    httpd's error path without mod_proxy_http's note; it is upstream_5xx
    (not a reset) and a breaker failure, as for HTTP."""
    from httpd import BASE_MODULES
    from scheme_matrix import override_feeds_breaker
    h = make_httpd("event", modules=BASE_MODULES + ["proxy_uwsgi"],
                   loglevel="warn gwguard:info")
    h.allowed_errors += ALLOWED
    app = "uwsgi://%s" % backend.address
    h.start("GwGuardBreaker failures=2 window=60 cooldown=600\n"
            "ProxyPass /pass/ %s/\nProxyPass /caught/ %s/\n"
            "<Location /caught/>\n  ProxyErrorOverride On\n</Location>\n"
            % (app, app))
    override_feeds_breaker(h, app, "/pass", "/caught", b"the app says")
