"""The circuit breaker (GwGuardBreaker, docs/breaker.md) against a real httpd
and a fault upstream that counts the connections and requests it gets:
threshold, window and cooldown; no connection while open; exactly one
trial in half-open under concurrent load; recovery; a flapping upstream;
balancer failover with zero client errors; reset; configuration."""

import math
import re
import threading
import time

import pytest

from conftest import get
from test_counting import by_name, wait_for


def key_of(port):
    return "http://127.0.0.1:%d" % port


def breaker(h, key):
    return by_name(h.status(), key)["breaker"]


def tags(h, prefix="GWG004"):
    """The breaker's log tags in the order they were logged."""
    return re.findall(r"\b(%s\d\d)\b" % prefix, h.read_error_log())


def failing_proxy(h, upstream, breaker_args):
    upstream.force = "/close"
    return h.start("GwGuardBreaker %s\nProxyPass /up/ %s/\n"
                   % (breaker_args, key_of(upstream.port)))


def fail_until_open(h, upstream, n, key):
    """n requests that fail at the upstream; the breaker must then be
    open (its state is written before the answer is complete, so poll)."""
    for _ in range(n):
        assert get(h.url + "/up/x")[0] == 502
    assert wait_for(lambda: breaker(h, key) == "open"), h.status()


def sleep_until(deadline):
    """Waits for a moment measured on time.monotonic(): the bound a test
    reasons about, not a guess at how long something takes."""
    while time.monotonic() < deadline:
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


def concurrent(url, n):
    """n requests at once (a barrier lines the threads up); returns the
    statuses, in no particular order, as each thread finishes. Whatever
    a thread raises is its result, so the test sees it."""
    results, barrier = [], threading.Barrier(n)

    def one():
        try:
            barrier.wait(10)
            results.append(get(url, timeout=40)[0])
        except Exception as e:              # noqa: BLE001 -- reported
            results.append(repr(e))

    threads = [threading.Thread(target=one, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    return results, threads


def test_threshold_window_cooldown_and_no_connection_while_open(
        make_httpd, upstream):
    h = make_httpd(loglevel="warn gwguard:info")
    cooldown = 600           # long: the open phase is checked, not timed
    failing_proxy(h, upstream, "failures=3 window=4 cooldown=%d" % cooldown)
    key = key_of(upstream.port)

    # two failures stay under the threshold; the window then runs out
    for _ in range(2):
        assert get(h.url + "/up/x")[0] == 502
    assert wait_for(lambda: by_name(h.status(), key)["failures"] == 2)
    # both are recorded, so the window began before now: 4 s on, it is over
    sleep_until(time.monotonic() + 4.1)
    assert breaker(h, key) == "closed"
    for _ in range(2):                       # a new window: 2 of 3
        assert get(h.url + "/up/x")[0] == 502
    assert wait_for(lambda: by_name(h.status(), key)["failures"] == 4)
    assert breaker(h, key) == "closed"
    assert upstream.connections == 4

    # the third failure inside the window opens it; it opened between
    # these two wall-clock readings (the module's clock is CLOCK_REALTIME)
    before_open = time.time()
    assert get(h.url + "/up/x")[0] == 502
    assert wait_for(lambda: breaker(h, key) == "open")
    after_open = time.time()
    assert tags(h) == ["GWG00400"]

    # open: 503 circuit_open at once, no connection at all, and
    # Retry-After is the seconds left (the last request comes 1.5 s
    # later, so a full cooldown there is wrong)
    conns, reqs = upstream.connections, upstream.requests
    upstream.force = None                    # healed, but still open
    for i in range(5):
        if i == 4:
            sleep_until(time.monotonic() + 1.5)
        sent, t0 = time.time(), time.monotonic()
        status, headers, _ = get(h.url + "/up/x")
        answered = time.time()
        assert status == 503
        assert time.monotonic() - t0 < 2
        left = int(headers["Retry-After"])
        assert (math.ceil(before_open + cooldown - answered) <= left
                <= math.ceil(after_open + cooldown - sent)), (
            left, sent - after_open)
    assert left < cooldown
    assert (upstream.connections, upstream.requests) == (conns, reqs)
    st = wait_for(lambda: (lambda u: u if u["classes"]["circuit_open"] == 5
                           else None)(by_name(h.status(), key)))
    assert st, by_name(h.status(), key)
    assert st["statuses"]["503"] == 5
    assert "circuit_open UO %s" % key in "\n".join(h.access_entries())
    assert re.search(r"GWG00006: upstream failure: upstream=%s "
                     r"class=circuit_open code=UO status=503"
                     % re.escape(key), h.read_error_log())

    assert re.search(r"\[gwguard:warn\].*GWG00400: upstream=%s breaker=open"
                     % re.escape(key), h.read_error_log())


def test_cooldown_ends_in_a_trial_that_closes(make_httpd, upstream):
    """Not before the cooldown: the first success comes at least cooldown
    seconds after the request that opened the breaker was sent."""
    h = make_httpd(loglevel="warn gwguard:info")
    failing_proxy(h, upstream, "failures=1 window=10 cooldown=3")
    key = key_of(upstream.port)
    before_open = time.monotonic()
    fail_until_open(h, upstream, 1, key)
    conns = upstream.connections
    upstream.force = None
    first_ok = wait_for(lambda: get(h.url + "/up/ok")[0] == 200 and
                        time.monotonic(), timeout=20)
    assert first_ok, h.status()
    assert first_ok - before_open >= 3 - 0.01
    assert wait_for(lambda: breaker(h, key) == "closed")
    assert tags(h) == ["GWG00400", "GWG00401", "GWG00402"]
    assert get(h.url + "/up/ok")[0] == 200
    assert upstream.connections > conns
    log = h.read_error_log()
    assert re.search(r"\[gwguard:notice\].*GWG00402: upstream=%s "
                     r"breaker=closed" % re.escape(key), log)


def test_exactly_one_trial_in_half_open(make_httpd, upstream, mpm):
    h = make_httpd(mpm)
    failing_proxy(h, upstream, "failures=2 window=10 cooldown=2")
    key = key_of(upstream.port)
    fail_until_open(h, upstream, 2, key)
    opened_by = time.monotonic()             # it opened before this

    upstream.force = "/gate"                 # healthy, held until released
    sleep_until(opened_by + 2.1)             # the cooldown is over
    before = upstream.requests
    n = 24
    results, threads = concurrent(h.url + "/up/x", n)
    # every request but the trial is answered while the trial is held (a
    # second trial would be held too, and this would never be true)
    assert wait_for(lambda: len(results) >= n - 1, timeout=40), results
    assert wait_for(lambda: upstream.requests - before >= 1)
    assert upstream.requests - before == 1
    assert sorted(results) == [503] * (n - 1)
    upstream.gate.set()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), results
    assert sorted(results, key=str) == [200] + [503] * (n - 1)
    assert wait_for(lambda: breaker(h, key) == "closed")
    assert tags(h) == ["GWG00400", "GWG00401", "GWG00402"]
    u = by_name(h.status(), key)
    assert u["classes"]["circuit_open"] == n - 1


def test_flapping_upstream_opens_reopens_and_recovers(make_httpd, upstream):
    h = make_httpd()
    upstream.force = None
    h.start("GwGuardBreaker failures=3 window=20 cooldown=2\n"
            "ProxyPass /up/ %s/\n" % key_of(upstream.port))
    key = key_of(upstream.port)

    # failures interleaved with successes still add up inside the window
    for i in range(5):
        upstream.force = "/close" if i % 2 == 0 else None
        assert get(h.url + "/up/x")[0] == (502 if i % 2 == 0 else 200)
    assert wait_for(lambda: breaker(h, key) == "open")

    # still failing at the trial: open again, for another cooldown
    upstream.force = "/close"
    trial = [0.0]

    def trial_failed():
        trial[0] = time.monotonic()          # sent after this
        return get(h.url + "/up/x")[0] == 502
    assert wait_for(trial_failed, timeout=15)
    conns = upstream.connections
    status = get(h.url + "/up/x")[0]
    # reopened when the trial failed, after trial[0]: refused until at
    # least trial[0] + 2 s (a check that came too late fails, not skips)
    assert time.monotonic() - trial[0] < 2, "answered too late to tell"
    assert status == 503
    assert upstream.connections == conns
    assert wait_for(lambda: tags(h)[:3] == ["GWG00400", "GWG00401",
                                            "GWG00403"]), tags(h)

    # healed: the next trial closes it
    upstream.force = None
    assert wait_for(lambda: get(h.url + "/up/x")[0] == 200, timeout=15)
    assert wait_for(lambda: breaker(h, key) == "closed")
    # each transition logged once: opened, (half-open, failed)..., closed
    assert re.fullmatch(r"GWG00400 GWG00401 GWG00403 (GWG00401 GWG00403 )*"
                        r"GWG00401 GWG00402", " ".join(tags(h))), tags(h)


@pytest.mark.parametrize("dead", ["broken", "refused"])
def test_balancer_fails_over_with_zero_client_errors(make_httpd, upstream,
                                                     dead_port, dead):
    """One member dead, one healthy. 'broken' accepts connections and
    closes them (502, which mod_proxy never fails over); 'refused' has
    nothing listening (mod_proxy fails over itself, retrying the member
    every second). Once the breaker is open, clients see no error and
    the dead member gets no connection."""
    from faultd import FaultUpstream
    bad = FaultUpstream().start()
    try:
        bad.force = "/close"
        bad_port = bad.port if dead == "broken" else dead_port
        h = make_httpd(loglevel="warn gwguard:info")
        h.start("GwGuardBreaker failures=2 window=30 cooldown=60\n"
                "<Proxy balancer://pool>\n"
                "  BalancerMember http://127.0.0.1:%d retry=1\n"
                "  BalancerMember http://127.0.0.1:%d retry=1\n"
                "</Proxy>\nProxyPass /lb/ balancer://pool/\n"
                % (bad_port, upstream.port))
        bad_key = key_of(bad_port)

        def is_open():
            get(h.url + "/lb/ok")
            try:
                return breaker(h, bad_key) == "open"
            except AssertionError:
                return False
        assert wait_for(is_open, timeout=30), h.status()

        conns = bad.connections
        outcomes = []              # every request's status or exception
        stop = time.monotonic() + 4

        def load():
            while time.monotonic() < stop:
                try:
                    outcomes.append(get(h.url + "/lb/ok")[0])
                except Exception as e:      # noqa: BLE001 -- reported
                    outcomes.append(repr(e))
        threads = [threading.Thread(target=load) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
        assert len(outcomes) >= 20
        assert [o for o in outcomes if o != 200] == []
        assert bad.connections == conns
        st = h.status()
        assert by_name(st, bad_key)["classes"]["circuit_open"] >= 1
        assert by_name(st, bad_key)["breaker"] == "open"
        assert by_name(st, key_of(upstream.port))["failures"] == 0
    finally:
        bad.stop()


def test_all_members_open_answers_circuit_open(make_httpd, upstream):
    """With every member's breaker open and the panic threshold off
    (panic=0; test_degrade.py tests the default), mod_proxy's
    forcerecovery puts the members back, gwguard refuses each: 503
    circuit_open at once and no connection to any member."""
    from faultd import FaultUpstream
    other = FaultUpstream().start()
    try:
        upstream.force = other.force = "/close"
        h = make_httpd()
        h.start("GwGuardBreaker failures=1 window=10 cooldown=600 panic=0\n"
                "<Proxy balancer://pool>\n"
                "  BalancerMember %s\n  BalancerMember %s\n"
                "</Proxy>\nProxyPass /lb/ balancer://pool/\n"
                % (key_of(upstream.port), key_of(other.port)))
        keys = [key_of(upstream.port), key_of(other.port)]

        def both_open():
            get(h.url + "/lb/x")
            st = h.status()
            return all(any(u["name"] == k and u["breaker"] == "open"
                           for u in st["upstreams"]) for k in keys)
        assert wait_for(both_open, timeout=20)
        conns = upstream.connections + other.connections
        for _ in range(4):
            assert get(h.url + "/lb/x")[0] == 503
        assert upstream.connections + other.connections == conns
        assert wait_for(lambda: h.access_entries()[-1].endswith(
            "503 circuit_open UO %s" % keys[0]) or
            h.access_entries()[-1].endswith("503 circuit_open UO %s"
                                             % keys[1]))
    finally:
        other.stop()


def test_upstream_5xx_counts_only_when_intercepted(make_httpd, upstream):
    upstream.force = "/status/503"
    h = make_httpd()
    h.start("GwGuardBreaker failures=2 window=10 cooldown=600\n"
            "ProxyPass /up/ %s/\n"
            "<Location /caught/>\n  ProxyErrorOverride On\n</Location>\n"
            "ProxyPass /caught/ %s/\n"
            % (key_of(upstream.port), key_of(upstream.port)))
    key = key_of(upstream.port)
    for _ in range(4):          # passed through: the client got it
        assert get(h.url + "/up/x")[0] == 503
    assert wait_for(lambda: by_name(h.status(), key)["requests"] == 4)
    assert breaker(h, key) == "closed"
    for _ in range(2):          # caught by the gateway: a failure
        assert get(h.url + "/caught/x")[0] == 503
    assert wait_for(lambda: breaker(h, key) == "open")
    conns, reqs = upstream.connections, upstream.requests
    assert get(h.url + "/up/x")[0] == 503
    assert (upstream.connections, upstream.requests) == (conns, reqs)


def test_upstream_5xx_replaced_by_intercept_counts(make_httpd, upstream):
    upstream.force = "/status/502"
    h = make_httpd()
    h.start("GwGuardBreaker failures=2 window=10 cooldown=600\n"
            "<Location /caught/>\n  GwGuardIntercept On\n</Location>\n"
            "ProxyPass /caught/ %s/\n" % key_of(upstream.port))
    key = key_of(upstream.port)
    for _ in range(2):          # replaced by gwguard's page: a failure
        status, _, body = get(h.url + "/caught/x")
        assert status == 502 and b"upstream says" not in body
    assert wait_for(lambda: breaker(h, key) == "open")
    up = by_name(h.status(), key)
    assert up["classes"]["upstream_5xx"] == 2
    assert up["statuses"]["502"] == 2       # the pages gwguard sent
    conns = upstream.connections
    assert get(h.url + "/caught/x")[0] == 503
    assert upstream.connections == conns


def test_reset_breaker_closes_it(make_httpd, upstream):
    h = make_httpd()
    failing_proxy(h, upstream, "failures=1 window=10 cooldown=600")
    key = key_of(upstream.port)
    fail_until_open(h, upstream, 1, key)
    upstream.force = None
    assert get(h.url + "/up/ok")[0] == 503
    # the table says when it half-opens
    table = h.ctl("status", "--shm", str(h.shm), key).stdout
    assert re.search(r"%s .* open \(half-opens in (\d+)s\)\n"
                     % re.escape(key), table), table
    assert 590 <= int(re.search(r"half-opens in (\d+)s", table).group(1)) \
        <= 600
    # and the JSON says when, as a time
    until = by_name(h.status(), key)["breaker_until"]
    assert until and until.endswith("Z")
    # a plain reset leaves the breaker alone
    h.ctl("reset", "--shm", str(h.shm), key)
    assert breaker(h, key) == "open"
    assert get(h.url + "/up/ok")[0] == 503
    out = h.ctl("reset", "--shm", str(h.shm), "--breaker", key)
    assert "and its breaker" in out.stdout
    assert breaker(h, key) == "closed"
    conns = upstream.connections
    assert get(h.url + "/up/ok")[0] == 200
    assert upstream.connections == conns + 1
    # a failure after the reset counts from zero again: 1 of 1 opens it
    upstream.force = "/close"
    fail_until_open(h, upstream, 1, key)


def test_per_origin_settings(make_httpd, upstream):
    """Off by default; one origin gets a breaker of its own."""
    from faultd import FaultUpstream
    other = FaultUpstream().start()
    try:
        upstream.force = other.force = "/close"
        h = make_httpd()
        h.start("GwGuardBreaker %s/ failures=1 window=10 cooldown=600\n"
                "ProxyPass /up/ %s/\nProxyPass /other/ %s/\n"
                % (key_of(upstream.port), key_of(upstream.port),
                   key_of(other.port)))
        for _ in range(3):
            assert get(h.url + "/other/x")[0] == 502
        fail_until_open(h, upstream, 1, key_of(upstream.port))
        assert breaker(h, key_of(other.port)) == "closed"
        assert get(h.url + "/up/x")[0] == 503
        assert get(h.url + "/other/x")[0] == 502
        assert other.connections == 4
    finally:
        other.stop()


def test_virtual_host_settings_apply_to_its_requests(make_httpd, upstream):
    """The main server has no breaker; a virtual host turns it on. The
    breaker is the upstream's, but only the virtual host consults it."""
    from httpd import free_port
    upstream.force = "/close"
    port2 = free_port()
    h = make_httpd()
    h.start("ProxyPass /up/ %s/\n"
            "Listen 127.0.0.1:%d\n<VirtualHost 127.0.0.1:%d>\n"
            "  GwGuardBreaker failures=1 window=10 cooldown=600\n"
            "</VirtualHost>\n" % (key_of(upstream.port), port2, port2))
    key = key_of(upstream.port)
    for _ in range(3):
        assert get(h.url + "/up/x")[0] == 502
    assert wait_for(lambda: by_name(h.status(), key)["failures"] == 3)
    assert breaker(h, key) == "closed"
    vhost = "http://127.0.0.1:%d" % port2
    assert get(vhost + "/up/x")[0] == 502
    assert wait_for(lambda: breaker(h, key) == "open")
    conns = upstream.connections
    assert get(vhost + "/up/x")[0] == 503
    assert upstream.connections == conns
    assert get(h.url + "/up/x")[0] == 502       # not consulted here
    assert upstream.connections == conns + 1


def test_open_breaker_survives_graceful_restart(make_httpd, upstream):
    h = make_httpd()
    conf = ("GwGuardBreaker failures=1 window=10 cooldown=600\n"
            "ProxyPass /up/ %s/\n" % key_of(upstream.port))
    upstream.force = "/close"
    h.start(conf)
    key = key_of(upstream.port)
    fail_until_open(h, upstream, 1, key)
    h.graceful(conf)
    conns = upstream.connections
    upstream.force = None
    assert get(h.url + "/up/x")[0] == 503
    assert upstream.connections == conns
    assert breaker(h, key) == "open"




def test_good_breaker_values_pass_configtest(make_httpd):
    h = make_httpd()
    h.write_config("GwGuardBreaker failures=5 window=10 cooldown=30\n"
                   "GwGuardBreaker http://127.0.0.1:8080 Off\n"
                   "GwGuardBreaker HTTP://Example.COM cooldown=5 "
                   "failures=1\n"
                   "<VirtualHost 127.0.0.1:%d>\n"
                   "  GwGuardBreaker On\n</VirtualHost>\n" % h.port)
    proc = h.configtest()
    assert proc.returncode == 0, proc.stderr


def test_open_breaker_decides_before_the_scheme_handlers(make_httpd,
                                                         upstream):
    """A plain worker's open breaker answers from mod_proxy's pre_request:
    for a refused request mod_proxy runs no scheme handler (its AH01143
    "Running scheme" line never comes), in every child; the half-open
    trial still goes to the upstream through them."""
    h = make_httpd(loglevel="warn proxy:debug gwguard:info")
    failing_proxy(h, upstream, "failures=1 window=60 cooldown=2")
    key = key_of(upstream.port)
    fail_until_open(h, upstream, 1, key)
    opened_by = time.monotonic()
    ran = h.read_error_log().count("AH01143")
    assert ran >= 1                      # the failing attempt ran one
    upstream.force = None
    for _ in range(6):                   # fresh connections: both children
        assert get(h.url + "/up/x")[0] == 503
    assert h.read_error_log().count("AH01143") == ran
    st = wait_for(lambda: (lambda u: u if u["classes"]["circuit_open"] == 6
                           else None)(by_name(h.status(), key)))
    assert st, by_name(h.status(), key)
    sleep_until(opened_by + 2.1)
    assert get(h.url + "/up/ok")[0] == 200         # the trial
    assert h.read_error_log().count("AH01143") == ran + 1
    assert wait_for(lambda: breaker(h, key) == "closed")
