"""mod_gwguard works whatever the order of the LoadModule lines: it finds
mod_proxy's hooks in pre_config, once every module is loaded. So Debian's
mods-enabled/gwguard.load, which sorts before proxy.load, works; and the
first name, proxy_gwguard.load, still works for links made by an older
`make install`, alone or together with gwguard.load."""

import re
import time
from pathlib import Path

from conftest import get
from httpd import MODULE, MODDIR, TOP

DEBIAN_MODS = Path("/etc/apache2/mods-available")
SHIPPED_SO = "/usr/lib/apache2/modules/mod_gwguard.so"


def wait_for(fn, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("condition not met in %ss" % timeout)


def refused_count(h, key):
    for u in h.status()["upstreams"]:
        if u["name"] == key:
            return u["classes"]["connect_refused"]
    return 0


def expect_refused(h, dead_port, n):
    """One request to the dead port: answered by gwguard (503), counted as
    connect_refused, the n-th such count."""
    key = "http://127.0.0.1:%d" % dead_port
    assert get(h.url + "/dead/x")[0] == 503
    wait_for(lambda: refused_count(h, key) == n)
    # the access log line is written after the answer went out: poll
    wait_for(lambda: re.search(r'"GET /dead/x HTTP/1.1" 503 connect_refused '
                               r'\S+ %s' % re.escape(key),
                               "\n".join(h.access_entries())))


def test_gwguard_loaded_before_mod_proxy(make_httpd, dead_port):
    h = make_httpd(modules=["authz_core"], load_gwguard=False)
    conf = ('LoadModule gwguard_module "%s"\n'
            'LoadModule proxy_module "%s/mod_proxy.so"\n'
            'LoadModule proxy_http_module "%s/mod_proxy_http.so"\n'
            "ProxyPass /dead/ http://127.0.0.1:%d/\n"
            % (MODULE, MODDIR, MODDIR, dead_port))
    h.write_config(conf)
    proc = h.configtest()
    assert proc.returncode == 0 and "Syntax OK" in proc.stderr, proc.stderr
    assert "GWG00001" not in proc.stderr
    h.start(conf)
    expect_refused(h, dead_port, 1)
    # a restart deregisters every hook and reads the config again; the
    # hooks come back in the new generation's pre_config
    h.graceful()
    expect_refused(h, dead_port, 2)


def enabled_tree(h, names):
    """A mods-enabled directory as a2enmod makes it: Debian's own proxy
    .load files and ours from conf/, pointed at the built module."""
    d = h.root / "mods-enabled"
    d.mkdir()
    for name in ("proxy.load", "proxy_http.load"):
        (d / name).write_text((DEBIAN_MODS / name).read_text())
    for name in names:
        text = (TOP / "conf" / name).read_text()
        assert SHIPPED_SO in text and "# Depends: proxy proxy_http" in text
        (d / name).write_text(text.replace(SHIPPED_SO, str(MODULE)))
    return d


def test_load_files_old_and_new_name(make_httpd, dead_port):
    for names in (["gwguard.load"], ["proxy_gwguard.load"],
                  ["gwguard.load", "proxy_gwguard.load"]):
        h = make_httpd(modules=["authz_core"], load_gwguard=False)
        d = enabled_tree(h, names)
        conf = ("IncludeOptional %s/*.load\n"
                "ProxyPass /dead/ http://127.0.0.1:%d/\n" % (d, dead_port))
        h.write_config(conf)
        proc = h.configtest()
        assert proc.returncode == 0, (names, proc.stderr)
        # AH01574: "module gwguard_module is already loaded, skipping"
        assert "AH01574" not in proc.stderr, (names, proc.stderr)
        h.start(conf)
        expect_refused(h, dead_port, 1)
        h.stop()
