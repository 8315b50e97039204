"""The module under valgrind: a single-process httpd (-X) runs a request
matrix (success, refused, upstream 5xx, client abort, overflow, restart of
counting) and valgrind must report no error. Part of `make check` and
`make check-asan`."""

import os
import shutil

import pytest

from conftest import get, abort_after_send
from test_counting import wait_for

pytestmark = pytest.mark.skipif(
    not shutil.which("valgrind") or os.environ.get("GWG_VALGRIND") == "0",
    reason="needs valgrind (scripts/deps.sh installs it), and "
           "GWG_VALGRIND=0 turns it off")


def test_request_matrix_under_valgrind(make_httpd, upstream, dead_port):
    h = make_httpd(loglevel="warn gwguard:info")
    h.write_config("GwGuardMaxUpstreams 16\n"
                   "ProxyPass /up/ http://127.0.0.1:%d/\n"
                   "ProxyPass /dead/ http://127.0.0.1:%d/\n"
                   % (upstream.port, dead_port))
    with h.under_valgrind():
        for path in ["/up/ok", "/dead/x", "/up/status/502", "/up/ok",
                     "/up/slow?ms=50", "/dead/y"]:
            get(h.url + path, timeout=60)
        abort_after_send("127.0.0.1", h.port, "/up/stream?chunks=50&ms=20")
        assert wait_for(lambda: h.status()["totals"]["requests"] >= 7,
                        timeout=60)


def test_scheme_paths_under_valgrind(make_httpd, upstream, dead_port,
                                     tmp_path):
    """The paths of issue 10 without a backend process: a FastCGI unix
    socket httpd cannot reach (a local fault, a unix key), a dead FastCGI
    pool behind SetHandler and a RewriteRule [P] target (keys from the
    URL, within their budget), a balancer failover with a GWG00100 line."""
    from pathlib import Path
    from httpd import BASE_MODULES
    apps = Path(__file__).resolve().parent / "apps"   # readable by httpd
    h = make_httpd(loglevel="warn gwguard:info",
                   modules=BASE_MODULES + ["proxy_fcgi"])
    h.allowed_errors += [r"AH02454", r"AH01079"]
    h.write_config(
        "GwGuardMaxUpstreams 16\n"
        'ProxyPass /nosock/ "unix:%s/absent.sock|fcgi://nosock/"\n'
        'Alias /sh "%s"\n<Directory "%s">\n  Require all granted\n'
        "</Directory>\n"
        '<Location /sh/>\n  SetHandler "proxy:fcgi://127.0.0.1:%d"\n'
        "</Location>\n"
        "RewriteEngine On\n"
        "RewriteRule ^/rw/(.*)$ http://127.0.0.1:%d/$1 [P]\n"
        "<Proxy balancer://fo>\n  BalancerMember http://127.0.0.1:%d\n"
        "  BalancerMember http://127.0.0.1:%d\n</Proxy>\n"
        "ProxyPass /fo/ balancer://fo/\n"
        % (tmp_path, apps, apps, dead_port, upstream.port, dead_port,
           upstream.port))
    with h.under_valgrind():
        for path in ["/nosock/x", "/sh/fault.php", "/rw/ok", "/fo/ok",
                     "/fo/ok", "/rw/status/503"]:
            get(h.url + path, timeout=60)
        assert wait_for(lambda: h.status()["totals"]["requests"] >= 7,
                        timeout=60)
