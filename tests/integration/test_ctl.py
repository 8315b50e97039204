"""gwguardctl against a real segment: status, reset, finding the file,
refusing a corrupt one, exit codes and messages."""

import json
import os
import subprocess

from conftest import get
from httpd import GWGUARDCTL
from test_counting import by_name, wait_for


def ctl(*args, env=None):
    return subprocess.run([str(GWGUARDCTL)] + list(args), capture_output=True,
                          text=True, timeout=30, env=env)


def started(make_httpd, upstream, dead_port):
    h = make_httpd().start("ProxyPass /up/ http://127.0.0.1:%d/\n"
                           "ProxyPass /dead/ http://127.0.0.1:%d/\n"
                           % (upstream.port, dead_port))
    for p in ("/up/ok", "/up/ok", "/dead/x"):
        get(h.url + p)
    assert wait_for(lambda: h.status()["totals"]["requests"] == 3)
    return h


def test_help_version_and_usage_errors():
    p = ctl("--help")
    assert p.returncode == 0 and "gwguardctl status" in p.stdout
    assert "Examples:" in p.stdout and p.stderr == ""
    p = ctl("--version")
    assert p.returncode == 0 and p.stdout.startswith("gwguardctl 0.")
    for args in ([], ["frobnicate"], ["status", "--bogus"],
                 ["reset"], ["reset", "--all", "http://x:1"]):
        p = ctl(*args)
        assert p.returncode == 2, args
        assert p.stdout == ""
        assert "Try 'gwguardctl --help'" in p.stderr


def test_status_table_and_json(make_httpd, upstream, dead_port):
    h = started(make_httpd, upstream, dead_port)
    p = ctl("status", "--shm", str(h.shm))
    assert p.returncode == 0, p.stderr
    dead = "http://127.0.0.1:%d" % dead_port
    row = [l for l in p.stdout.splitlines() if l.startswith(dead)][0]
    assert row.split()[1:5] == ["1", "1", "100.0%", "connect_refused"]
    st = json.loads(ctl("status", "--json", "--shm", str(h.shm)).stdout)
    assert set(st) == {"version", "shm", "generation", "started", "reset",
                       "upstreams", "totals"}
    assert st["version"] == 1 and st["reset"] is None
    u = by_name(st, dead)
    assert set(u) == {"name", "worker", "balancer", "requests", "successes",
                      "failures", "classes", "statuses",
                      "consecutive_failures", "first_failure",
                      "last_failure", "breaker_until", "breaker_cooldown",
                      "breaker_panic", "breaker", "stale", "maintenance"}
    assert len(u["classes"]) == 15 and u["maintenance"] is None
    assert u["breaker_until"] is None and u["breaker"] == "closed"
    # KEY filter, and an unknown key
    only = json.loads(ctl("status", "--json", "--shm", str(h.shm),
                          dead).stdout)
    assert [x["name"] for x in only["upstreams"]] == [dead]
    p = ctl("status", "--shm", str(h.shm), "http://nope:1")
    assert p.returncode == 1 and "no upstream 'http://nope:1'" in p.stderr


def test_finding_the_segment(make_httpd, upstream, dead_port, tmp_path):
    h = started(make_httpd, upstream, dead_port)
    env = dict(os.environ, GWGUARD_SHM=str(h.shm))
    assert ctl("status", "--json", env=env).returncode == 0
    conf = tmp_path / "x.conf"
    conf.write_text("# comment\n  GwGuardShmFile \"%s\"\n" % h.shm)
    env.pop("GWGUARD_SHM")
    p = ctl("status", "--config", str(conf), env=env)
    assert p.returncode == 0, p.stderr
    p = ctl("status", "--shm", str(tmp_path / "none.shm"))
    assert p.returncode == 1
    assert "no such file" in p.stderr and p.stdout == ""


def assert_zeroed(u):
    """Every counter of a slot is back to zero (a reset)."""
    assert (u["requests"], u["successes"], u["failures"],
            u["consecutive_failures"]) == (0, 0, 0, 0), u
    assert set(u["classes"].values()) == {0}, u["classes"]
    assert set(u["statuses"].values()) == {0}, u["statuses"]
    assert u["first_failure"] is None and u["last_failure"] is None, u


def test_reset_keys_and_all(make_httpd, upstream, dead_port):
    h = started(make_httpd, upstream, dead_port)
    dead = "http://127.0.0.1:%d" % dead_port
    up = "http://127.0.0.1:%d" % upstream.port
    p = ctl("reset", "--shm", str(h.shm), dead, "http://typo:1")
    assert p.returncode == 1 and "nothing was reset" in p.stderr
    d = by_name(h.status(), dead)
    assert (d["requests"], d["failures"], d["consecutive_failures"]) == \
        (1, 1, 1), d
    p = ctl("reset", "--shm", str(h.shm), dead)
    assert p.returncode == 0, p.stderr
    st = h.status()
    assert_zeroed(by_name(st, dead))
    assert by_name(st, up)["requests"] == 2
    assert st["reset"] is not None
    assert ctl("reset", "--all", "--shm", str(h.shm)).returncode == 0
    assert h.status()["totals"]["requests"] == 0
    # counting goes on after a reset
    get(h.url + "/up/ok")
    assert wait_for(lambda: by_name(h.status(), up)["requests"] == 1)


def test_reset_several_keys_and_the_overflow_slot(make_httpd, request):
    """`reset K1 K2` zeroes both and nothing else; --all also zeroes the
    *overflow* slot that upstreams beyond GwGuardMaxUpstreams share."""
    from httpd import refusing_port
    held = [refusing_port() for _ in range(18)]
    request.addfinalizer(lambda: [s.close() for s, _ in held])
    keys = ["http://127.0.0.1:%d" % port for _, port in held]
    h = make_httpd().start("GwGuardMaxUpstreams 16\n" + "".join(
        "ProxyPass /d%d/ %s/\n" % (i, k) for i, k in enumerate(keys)))
    for i in range(18):
        assert get(h.url + "/d%d/x" % i)[0] == 503
    assert wait_for(lambda: h.status()["totals"]["requests"] == 18)
    st = h.status()
    assert by_name(st, "*overflow*")["consecutive_failures"] == 2
    p = ctl("reset", "--shm", str(h.shm), keys[0], keys[1])
    assert p.returncode == 0, p.stderr
    st = h.status()
    assert_zeroed(by_name(st, keys[0]))
    assert_zeroed(by_name(st, keys[1]))
    assert by_name(st, keys[2])["failures"] == 1
    assert st["totals"]["requests"] == 16
    assert ctl("reset", "--all", "--shm", str(h.shm)).returncode == 0
    st = h.status()
    for u in st["upstreams"]:       # *overflow* is listed while it counts
        assert_zeroed(u)
    assert st["totals"]["requests"] == 0


def test_corrupt_file_is_refused(make_httpd, upstream, dead_port, tmp_path):
    bad = tmp_path / "bad.shm"
    bad.write_bytes(b"GWGUARD\0" + b"\xff" * 600)
    p = ctl("status", "--shm", str(bad))
    assert p.returncode == 1
    assert "refusing to use it" in p.stderr and p.stdout == ""
    bad.write_bytes(b"hello")
    p = ctl("status", "--shm", str(bad))
    assert p.returncode == 1 and "truncated" in p.stderr


def test_permission_messages(make_httpd, upstream, dead_port):
    if os.geteuid() != 0:
        import pytest
        pytest.skip("needs root to run gwguardctl as another user")
    h = started(make_httpd, upstream, dead_port)
    os.chmod(h.root / "run", 0o755)
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534",
                 "--clear-groups", str(GWGUARDCTL)]
    p = subprocess.run(as_nobody + ["status", "--shm", str(h.shm)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1
    assert "permission denied: reading needs read permission" in p.stderr
    p = subprocess.run(as_nobody + ["reset", "--all", "--shm", str(h.shm)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1
    assert "reset needs write permission" in p.stderr


def test_default_segment_path_is_the_modules(tmp_path):
    """Without --shm, gwguardctl looks where the module puts the segment:
    GwGuardShmFile (default gwguard.shm) in DefaultRuntimeDir (default
    httpd's compiled-in one, `apxs -q runtimedir`), relative to
    ServerRoot; and a usage error comes before any segment is looked for."""
    env = {k: v for k, v in os.environ.items() if k != "GWGUARD_SHM"}
    conf = tmp_path / "a.conf"
    conf.write_text("ServerRoot %s\nDefaultRuntimeDir run\n" % tmp_path)
    p = ctl("status", "--config", str(conf), env=env)
    assert p.returncode == 1
    assert str(tmp_path / "run" / "gwguard.shm") in p.stderr, p.stderr
    conf.write_text("ServerRoot %s\n" % tmp_path)
    runtime = subprocess.run(["apxs", "-q", "runtimedir"], capture_output=True,
                             text=True, timeout=30).stdout.strip()
    want = os.path.join(tmp_path if not runtime.startswith("/") else "/",
                        runtime, "gwguard.shm")
    p = ctl("status", "--config", str(conf), env=env)
    assert want in p.stdout + p.stderr, (want, p.stdout, p.stderr)
    p = ctl("status", "--config", str(conf), "--bogus", env=env)
    assert p.returncode == 2 and "gwguard.shm" not in p.stderr
