"""Without a breaker to consult, proxy's pre_request hook finds the worker
in the child's table of declared workers (gwg_wmatch.c) and mod_proxy's
own lookup (ap_proxy_get_worker_ex) does not run; what the table cannot
tell stays mod_proxy's. It must be the worker mod_proxy would find. Each
URL below is sent twice, to a server whose module looks up (GwGuard On)
and to one where mod_proxy does (GwGuard Off), and the workers the two
report at trace2 are compared."""

import re

from conftest import get
from test_breaker_early import refusing_pair
from test_counting import wait_for

FOUND = re.compile(r"\w+: found worker (\S+) for (\S+)( \(the child's table\))?"
                   r"|using default reverse proxy worker for (\S+)")


def chosen(h):
    """[(url, worker, by_table)] in the error log's order; worker "*" is
    mod_proxy's default reverse proxy worker."""
    out = []
    for m in FOUND.finditer(h.read_error_log()):
        if m.group(4):
            out.append((m.group(4), "*", False))
        else:
            out.append((m.group(2), m.group(1), bool(m.group(3))))
    return out


def run(make_httpd, on, conf, paths):
    """The workers reported, and each request's GWGUARD_UPSTREAM (the key
    of the worker the attempt really used; "-" with GwGuard Off)."""
    h = make_httpd(loglevel="warn proxy:trace2 gwguard:trace2")
    h.start(("" if on else "GwGuard Off\n") + conf)
    try:
        before = len(h.access_entries())    # start() may have asked too
        for p in paths:
            get(h.url + p)
        # a line is written after its answer went out: wait for the last
        assert wait_for(lambda: len(h.access_entries())
                        >= before + len(paths))
        # by request line: threads may write them in another order
        key = {re.search(r'"GET (\S+) ', ln).group(1): ln.split()[-1]
               for ln in h.access_entries()[before:]}
        return chosen(h), [key.get(p) for p in paths]
    finally:
        h.stop()


def key_of_worker(name):
    """A declared worker's upstream key: its scheme, host and port."""
    return re.match(r"\w+://[^/]+", name).group(0)


def test_worker_is_the_one_mod_proxy_finds(make_httpd, upstream):
    socks, short, longer = refusing_pair()
    try:
        compare(make_httpd, upstream.port, short, longer)
    finally:
        for s in socks:
            s.close()


def compare(make_httpd, up, short, longer):
    # longest first: mod_proxy shares a worker whose name is a prefix of
    # one defined after it (AH01146), so each is a worker of its own
    conf = ("ProxyPass /p2/ http://127.0.0.1:%(up)d/ab/\n"
            "ProxyPass /p1/ http://127.0.0.1:%(up)d/a\n"
            "ProxyPass /p0/ http://127.0.0.1:%(up)d/\n"
            "ProxyPass /s/ http://127.0.0.1:%(short)d\n"
            "ProxyPass /upper/ HTTP://LOCALHOST:%(longer)d/\n"
            "RewriteEngine On\n"
            "RewriteRule ^/r/(\\d+)/(.*)$ http://127.0.0.1:$1/$2 [P]\n"
            "RewriteRule ^/l/(\\d+)/(.*)$ http://localhost:$1/$2 [P]\n"
            % {"up": up, "short": short, "longer": longer})
    paths = ["/p0/x", "/p1/x", "/p2/x", "/s/", "/upper/x",
             "/r/%d/x" % up, "/r/%d/a" % up, "/r/%d/abc" % up,
             "/r/%d/ab/x" % up, "/r/%d/A/x" % up,
             # a string prefix of the short worker's name, another port
             "/r/%d/x" % longer, "/r/%d/x" % short,
             # the worker defined in upper case
             "/l/%d/x" % longer]
    for extra in ("", "ProxyPassMatch ^/m/(.*)$ http://127.0.0.1:%d/$1\n"
                  % up):
        table, keys = run(make_httpd, True, conf + extra, paths)
        stock, _ = run(make_httpd, False, conf + extra, paths)
        assert [(u, w) for u, w, _ in table] == \
            [(u, w) for u, w, _ in stock], (table, stock)
        assert len(table) == len(paths) == len(keys), (table, keys)
        # and the attempt went to that worker (its key, not another's)
        for (url, worker, _), key in zip(stock, keys):
            if worker != "*":
                assert key == key_of_worker(worker), (url, worker, key)
        assert not any(by for _, _, by in stock)
        by_table = [u for u, _, by in table if by]
        if extra:
            # a ProxyPassMatch worker: no table for this server
            assert by_table == [], table
        else:
            # the table answered every URL a declared worker takes
            assert len(by_table) == len([w for _, w, _ in table
                                         if w != "*"]) >= 10, table


def test_scheme_handler_takes_the_entry_of_its_own_worker(make_httpd,
                                                         upstream):
    """pre_request keeps the worker it found (and its table entry) in a
    thread-local for the scheme handler; a balancer member, which the
    table does not find, must still get its own entry, not the one kept
    from the thread's previous request. One process with one thread, so
    every request follows the previous one on the same thread."""
    from faultd import FaultUpstream
    member = FaultUpstream().start()
    try:
        h = make_httpd(mpm="prefork", mpm_lines=[
            "StartServers 1", "MinSpareServers 1", "MaxSpareServers 1",
            "MaxRequestWorkers 1", "ServerLimit 1"])
        h.start("ProxyPass /a/ http://127.0.0.1:%d/\n"
                "<Proxy balancer://m>\n  BalancerMember http://127.0.0.1:%d\n"
                "</Proxy>\nProxyPass /b/ balancer://m/\n"
                % (upstream.port, member.port))
        paths = ["/a/ok", "/b/ok"] * 3
        for p in paths:
            assert get(h.url + p)[0] == 200
        assert wait_for(lambda: len(h.access_entries()) >= len(paths))
        keys = [ln.split()[-1] for ln in h.access_entries()[-len(paths):]]
        assert keys == ["http://127.0.0.1:%d" % upstream.port,
                        "http://127.0.0.1:%d" % member.port] * 3, keys
    finally:
        member.stop()
