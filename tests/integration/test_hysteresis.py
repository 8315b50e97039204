"""Quiet logs under flapping (issue 10, item 8): an upstream that
alternates 500 and 200 writes one "starts failing" line (GWG00007, warn)
and no "recovered" line (GWG00008, notice) at the default LogLevel, not
one of each per request; a run of successes then recovers it once."""

from conftest import get
from test_counting import by_name


def tags(h, tag):
    return [l for l in h.read_error_log().splitlines() if tag in l]


def test_flapping_upstream_logs_once(make_httpd, upstream, mpm):
    h = make_httpd(mpm=mpm)          # LogLevel warn: what admins run
    h.start("ProxyPass /app/ http://127.0.0.1:%d/\n" % upstream.port)
    key = "http://127.0.0.1:%d" % upstream.port
    for i in range(100):
        path = "/app/status/500" if i % 2 == 0 else "/app/ok"
        status, _, _ = get(h.url + path)
        assert status == (500 if i % 2 == 0 else 200)
    st = by_name(h.status(), key)
    assert st["classes"]["upstream_5xx"] == 50 and st["successes"] == 50
    assert len(tags(h, "GWG00007")) == 1
    assert tags(h, "GWG00008") == []
    for i in range(10):
        assert get(h.url + "/app/ok")[0] == 200
    recovered = tags(h, "GWG00008")
    assert len(recovered) == 1 and "after 50 failures" in recovered[0]
    assert len(tags(h, "GWG00007")) == 1
    # healthy again: the next failure is a new episode
    assert get(h.url + "/app/status/500")[0] == 500
    assert len(tags(h, "GWG00007")) == 2
