"""GwGuardStatusCode CLASS STATUS: validated at configtest, scoped and
merged per directory, applied to the final answer only (a balancer still
fails over on a refused member)."""

from conftest import get
from test_counting import by_name, wait_for


def test_status_code_scopes_and_failover(make_httpd, upstream, dead_port):
    conf = ("GwGuardStatusCode connect_refused 500\n"
            "ProxyPass /srv/ http://127.0.0.1:%d/\n"
            "<Location /loc/>\n"
            "  GwGuardStatusCode dns 504\n"
            "</Location>\n"
            "ProxyPass /loc/ http://127.0.0.1:%d/\n"
            "<Location /inner/>\n"
            "  GwGuardStatusCode connect_refused 502\n"
            "</Location>\n"
            "ProxyPass /inner/ http://127.0.0.1:%d/\n"
            "ProxyPass /dns/ http://gwguard-test.invalid:8080/\n"
            "<Location /dns504/>\n"
            "  GwGuardStatusCode dns 504\n"
            "</Location>\n"
            "ProxyPass /dns504/ http://gwguard-test.invalid:8081/\n"
            "<Proxy balancer://fo>\n"
            "  BalancerMember http://127.0.0.1:%d\n"
            "  BalancerMember http://127.0.0.1:%d\n"
            "</Proxy>\n"
            "ProxyPass /fo/ balancer://fo/\n"
            % (dead_port, dead_port, dead_port, dead_port, upstream.port))
    h = make_httpd(loglevel="warn gwguard:info").start(conf)
    assert get(h.url + "/srv/x")[0] == 500      # server scope
    assert get(h.url + "/loc/x")[0] == 500      # merged: outer kept
    assert get(h.url + "/inner/x")[0] == 502    # inner wins
    assert get(h.url + "/dns/x")[0] == 502      # the class default (docs/classes.md)
    assert get(h.url + "/dns504/x")[0] == 504
    # the refused member still makes the balancer try the next one
    assert get(h.url + "/fo/ok")[0] == 200
    dead = "http://127.0.0.1:%d" % dead_port
    st = wait_for(lambda: (lambda s: s if s["totals"]["requests"] >= 7
                           else None)(h.status()))
    assert st, h.status()
    assert by_name(st, dead)["statuses"]["500"] == 2
    assert by_name(st, dead)["statuses"]["502"] == 1
    assert by_name(st, dead)["classes"]["connect_refused"] == 4
    assert by_name(st, "http://127.0.0.1:%d" % upstream.port)["successes"] \
        == 1
    log = "\n".join(h.access_entries())
    assert '"GET /inner/x HTTP/1.1" 502 connect_refused SC' in log
    assert '"GET /dns504/x HTTP/1.1" 504 dns DF' in log

