"""Keys of mod_proxy's default workers (issue 10, item 3): a request a
`RewriteRule ... [P]` sends is keyed by its real target, never the
default worker's `*://*:80`; a breaker on one such target never refuses
another; and since a client can vary such targets at will, they get a
quarter of GwGuardMaxUpstreams, then `*overflow*`, while declared
workers keep their own slots."""

from conftest import get
from httpd import free_port
from test_counting import by_name


def test_rewrite_targets_get_their_own_keys_and_breakers(make_httpd,
                                                         upstream):
    dead = free_port()
    h = make_httpd()
    h.start("GwGuardBreaker failures=3 window=60 cooldown=60\n"
            "RewriteEngine On\n"
            "RewriteRule ^/dead/(.*)$ http://127.0.0.1:%d/$1 [P]\n"
            "RewriteRule ^/good/(.*)$ http://127.0.0.1:%d/$1 [P]\n"
            % (dead, upstream.port))
    for i in range(5):
        assert get(h.url + "/dead/x%d" % i)[0] == 503
    for i in range(3):
        assert get(h.url + "/good/ok")[0] == 200
    st = h.status()
    names = {u["name"] for u in st["upstreams"]}
    assert not any(n.startswith("*:") or n.startswith("*://")
                   for n in names), names
    bad = by_name(st, "http://127.0.0.1:%d" % dead)
    good = by_name(st, "http://127.0.0.1:%d" % upstream.port)
    assert bad["breaker"] == "open"
    assert bad["classes"]["connect_refused"] == 3
    assert bad["classes"]["circuit_open"] == 2
    # refusals are gwguard's own answers, not attempts at the upstream
    assert bad["requests"] == 3 and bad["failures"] == 3
    assert good["breaker"] == "closed" and good["successes"] == 3
    assert good["worker"] == "proxy:reverse"


def test_url_keys_have_a_budget(make_httpd, upstream):
    h = make_httpd()
    h.start("GwGuardMaxUpstreams 16\n"
            "RewriteEngine On\n"
            "RewriteCond %%{QUERY_STRING} ^port=(\\d+)$\n"
            "RewriteRule ^/any$ http://127.0.0.1:%%1/ [P]\n"
            "ProxyPass /declared/ http://127.0.0.1:%d/\n" % upstream.port)
    ports = [free_port() for _ in range(8)]
    for p in ports:
        assert get(h.url + "/any?port=%d" % p)[0] == 503
    assert get(h.url + "/declared/ok")[0] == 200
    st = h.status()
    names = [u["name"] for u in st["upstreams"]]
    from_urls = [n for n in names if n.startswith("http://127.0.0.1:")
                 and int(n.rsplit(":", 1)[1]) in ports]
    assert len(from_urls) == 16 // 4, names
    overflow = by_name(st, "*overflow*")
    assert overflow["classes"]["connect_refused"] == 8 - 16 // 4
    assert by_name(st, "http://127.0.0.1:%d" % upstream.port)["successes"] \
        == 1
    assert "GWG00009" in h.read_error_log()
