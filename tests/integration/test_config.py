"""Configuration: bad directive values fail `apache2 -t` naming the
directive, the value and what is allowed; loading without mod_proxy says
what to load; the shm path is honoured."""

from httpd import BASE_MODULES

# Bad values and their messages are listed in docs/bad-input.md and
# tried by test_bad_input.py.


def test_good_values_pass_configtest(make_httpd, tmp_path):
    h = make_httpd()
    h.write_config("GwGuard On\nGwGuardMaxUpstreams 16\nGwGuardRecent 0\n"
                   "GwGuardShmFile %s/x.shm\n<Location /a>\nGwGuard off\n"
                   "</Location>\n" % tmp_path)
    proc = h.configtest()
    assert proc.returncode == 0, proc.stderr
    assert "Syntax OK" in proc.stderr


def test_without_mod_proxy_says_what_to_load(make_httpd):
    h = make_httpd(modules=[m for m in BASE_MODULES
                            if not m.startswith(("proxy", "lbmethod"))])
    h.write_config()
    proc = h.configtest()
    assert proc.returncode != 0
    assert "mod_gwguard needs mod_proxy: load proxy_module" in proc.stderr
    assert "a2enmod proxy proxy_http" in proc.stderr


def test_without_proxy_http_warns(make_httpd):
    h = make_httpd(modules=["authz_core", "proxy"])
    h.write_config()
    proc = h.configtest()
    assert proc.returncode == 0, proc.stderr
    assert "GWG00010" in proc.stderr


def test_shm_file_directive_is_used(make_httpd, tmp_path, upstream):
    shm = tmp_path / "custom.shm"
    h = make_httpd(loglevel="warn gwguard:info")
    h.shm = shm
    h.start("GwGuardShmFile %s\nGwGuardMaxUpstreams 32\nGwGuardRecent 7\n"
            "ProxyPass /up/ http://127.0.0.1:%d/\n" % (shm, upstream.port))
    assert shm.exists() and (shm.stat().st_mode & 0o777) == 0o600
    assert not (h.root / "run" / "gwguard.shm").exists()
    st = h.status()
    assert st["shm"] == str(shm)
    assert "32 upstream slots, 7 recent failures" in h.read_error_log()


def test_unwritable_shm_dir_serves_without_counting(make_httpd, upstream):
    h = make_httpd()
    h.start("GwGuardShmFile /proc/gwguard.shm\n"
            "ProxyPass /up/ http://127.0.0.1:%d/\n" % upstream.port)
    h.allowed_errors.append("GWG00003")
    from conftest import get
    assert get(h.url + "/up/ok")[0] == 200
    log = h.read_error_log()
    assert "GWG00003: cannot set up the shared counters at /proc/gwguard.shm"\
        in log
    assert "GWG00005" in log     # each child says so once, and serves
