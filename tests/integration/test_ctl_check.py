"""gwguardctl check: the same verdict as `apache2 -t` for bad GwGuard
values, clean on good configurations and on Debian's stock /etc/apache2,
each trap of docs/gwguardctl.md flagged with FILE:LINE, --strict, exit codes; and
--config finding GwGuardShmFile through the same reader."""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import get
from httpd import GWGUARDCTL, MODULE, MODDIR, TOP
from test_counting import wait_for


def ctl(*args, env=None):
    return subprocess.run([str(GWGUARDCTL)] + list(args), capture_output=True,
                          text=True, timeout=60, env=env)


def findings(out):
    """[(file, line, level, message)] from check's output."""
    return [(m.group(1), int(m.group(2)), m.group(3), m.group(4))
            for m in re.finditer(r"^(.+?):(\d+): (error|warning): (.*)$",
                                 out, re.M)]


def write_conf(tmp_path, body, name="httpd.conf"):
    root = tmp_path / "root"
    (root / "run").mkdir(parents=True, exist_ok=True)
    conf = root / name
    conf.write_text(
        'ServerRoot "%s"\n'
        'LoadModule mpm_event_module "%s/mod_mpm_event.so"\n'
        'LoadModule proxy_module "%s/mod_proxy.so"\n'
        'LoadModule proxy_http_module "%s/mod_proxy_http.so"\n'
        'LoadModule gwguard_module "%s"\n'
        'DefaultRuntimeDir run\n' % (root, MODDIR, MODDIR, MODDIR, MODULE)
        + body)
    return conf


GOOD = """
GwGuard On
GwGuardRecent 64
GwGuardMaxUpstreams 16
GwGuardShmFile gw.shm
ProxyPass /errors/ !
ProxyPass / http://127.0.0.1:9/
ErrorDocument 503 /errors/503.html
<VirtualHost *:80>
  <Location /api/>
    GwGuard Off
  </Location>
</VirtualHost>
"""


def test_good_config_is_clean(tmp_path):
    conf = write_conf(tmp_path, GOOD)
    p = ctl("check", "--config", str(conf), "--strict")
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout == ""
    assert "5 GwGuard directives, 0 errors, 0 warnings" in p.stderr


@pytest.mark.parametrize("line,words", [
    ("GwGuard maybe", "GwGuard: 'maybe' is not a valid value"),
    ("GwGuardRecent 2000000", "GwGuardRecent: '2000000' is out of range"),
    ("GwGuardMaxUpstreams 8", "GwGuardMaxUpstreams: '8' is out of range"),
    ("GwGuardShmFile /run/", "GwGuardShmFile: '/run/' names a directory"),
])
def test_same_verdict_as_configtest(tmp_path, line, words):
    """check and apache2 -t reject a bad value in the same words."""
    conf = write_conf(tmp_path, "Listen 127.0.0.1:9\n" + line + "\n")
    p = ctl("check", "--config", str(conf))
    assert p.returncode == 1
    f = findings(p.stdout)
    assert [x[:3] for x in f] == [(str(conf), 8, "error")], p.stdout
    assert f[0][3].startswith(words)
    t = subprocess.run(["/usr/sbin/apache2", "-t", "-f", str(conf)],
                       capture_output=True, text=True, timeout=30)
    assert t.returncode != 0
    # httpd: "AH00526: Syntax error on line 8 of FILE:" then the message
    said = t.stderr.split("line 8 of %s:\n" % conf, 1)[-1].splitlines()
    assert said and f[0][3] == said[0], (f[0][3], t.stderr)


@pytest.mark.parametrize("line", [
    "GwGuardShmFile gw.shm", "GwGuardMaxUpstreams 64", "GwGuardRecent 5"])
def test_server_only_rows_refused_in_vhost(tmp_path, line):
    """A row for the main server only (context S) is refused in a
    <VirtualHost> by the module (from the directive table, one rule for
    every such row) as by check, in the same words."""
    conf = write_conf(tmp_path, "Listen 127.0.0.1:9\n<VirtualHost *:80>\n"
                      + line + "\n</VirtualHost>\n")
    p = ctl("check", "--config", str(conf))
    f = findings(p.stdout)
    name = line.split()[0]
    assert [x[:3] for x in f] == [(str(conf), 9, "error")], p.stdout
    assert f[0][3] == "%s cannot occur within <VirtualHost> section" % name
    t = subprocess.run(["/usr/sbin/apache2", "-t", "-f", str(conf)],
                       capture_output=True, text=True, timeout=30)
    assert t.returncode != 0
    said = t.stderr.split("line 9 of %s:\n" % conf, 1)[-1].splitlines()
    assert said and said[0] == f[0][3], t.stderr


def test_includes_conditionals_and_variables(tmp_path):
    root = tmp_path / "root"
    (root / "conf.d").mkdir(parents=True)
    (root / "conf.d" / "10-good.conf").write_text("GwGuardRecent 10\n")
    (root / "conf.d" / "20-bad.conf").write_text(
        "<IfModule mod_gwguard.c>\n  GwGuardRecent ${RECENT}\n"
        "</IfModule>\n")
    (root / "conf.d" / "ignored.txt").write_text("GwGuardRecent nope\n")
    conf = write_conf(tmp_path,
                      "Define RECENT lots\n"
                      "<IfDefine !RECENT>\n  GwGuard nonsense\n</IfDefine>\n"
                      "<IfModule mod_nothere.c>\n  GwGuard nonsense\n"
                      "</IfModule>\n"
                      "GwGuard \\\n    On\n"
                      "Include conf.d/*.conf\n"
                      "IncludeOptional optional.d/*.conf\n")
    p = ctl("check", "--config", str(conf))
    assert p.returncode == 1
    bad = str(root / "conf.d" / "20-bad.conf")
    assert findings(p.stdout) == [
        (bad, 2, "error", "GwGuardRecent: 'lots' is not a whole number; "
         "expected a number from 0 to 1000000")], p.stdout
    assert "3 GwGuard directives" in p.stderr


def test_each_trap(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "page.html").write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" '
        'href="https://fonts.example/x.css"></head><body>'
        '<img src="/static/logo.png">{{request_id}}</body></html>\n')
    conf = write_conf(tmp_path,
                      "GwGuardShmFile /proc/gwguard-test/g.shm\n"
                      "ProxyPass / http://127.0.0.1:9/\n"
                      "ErrorDocument 502 /errors/502.html\n"
                      "GwGuardErrorPage 502 page.html\n")
    p = ctl("check", "--config", str(conf))
    assert p.returncode == 0, p.stdout         # warnings only
    f = findings(p.stdout)
    assert [(x[1], x[2]) for x in f] == [(9, "warning"), (10, "warning"),
                                         (10, "warning"), (7, "warning")]
    assert "ErrorDocument 502 /errors/502.html is itself proxied to " \
        "http://127.0.0.1:9/" in f[0][3]
    assert "external resource, https://fonts.example/x.css" in f[1][3]
    assert "loads /static/logo.png, which is proxied" in f[2][3]
    assert "shared segment /proc/gwguard-test/g.shm cannot be created" \
        in f[3][3]
    # --strict makes warnings fail
    p = ctl("check", "--config", str(conf), "--strict")
    assert p.returncode == 1 and "(--strict: failing)" in p.stderr


def test_unwritable_shm_directory(tmp_path):
    """As an ordinary user (root writes anywhere), in a directory of its
    own under /tmp: pytest's 0700 temp dirs are not searchable by it."""
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv")
    base = Path(tempfile.mkdtemp(prefix="gwg-check-"))
    try:
        base.chmod(0o755)
        ro = base / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        conf = base / "httpd.conf"
        conf.write_text("LoadModule gwguard_module %s\n"
                        "GwGuardShmFile %s/g.shm\n" % (MODULE, ro))
        conf.chmod(0o644)
        cmd = [str(GWGUARDCTL), "check", "--config", str(conf)]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534",
                   "--clear-groups", str(Path(shutil.copy(GWGUARDCTL,
                                                           base / "ctl")))] \
                + cmd[1:]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stdout + p.stderr     # a warning
        assert findings(p.stdout) == [(str(conf), 2, "warning",
            "the shared segment %s/g.shm cannot be created: directory %s "
            "is not writable (uid %d)" % (ro, ro, 65534 if os.geteuid() == 0
                                          else os.geteuid()))], p.stdout
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_unknown_and_unloaded(tmp_path):
    conf = tmp_path / "x.conf"
    conf.write_text("GwGuard On\n<IfModule mod_gwguard.c>\n  GwGuard Off\n"
                    "</IfModule>\n")
    p = ctl("check", "--config", str(conf))
    assert p.returncode == 1
    f = findings(p.stdout)
    assert [x[:3] for x in f] == [(str(conf), 1, "error")], p.stdout
    assert f[0][3].startswith("Invalid command 'GwGuard'"), f
    conf2 = write_conf(tmp_path, "GwGuardFrobnicate 1\n</Location>\n")
    f = findings(ctl("check", "--config", str(conf2)).stdout)
    assert [(x[1], x[2]) for x in f] == [(8, "error"), (7, "error")]


def test_usage_and_missing_file(tmp_path):
    assert ctl("check", "--bogus").returncode == 2
    assert ctl("check", "extra").returncode == 2
    p = ctl("check", "--config", str(tmp_path / "none.conf"))
    assert p.returncode == 1
    assert "cannot read configuration file" in p.stdout


@pytest.mark.skipif(not Path("/etc/apache2/apache2.conf").exists(),
                    reason="Debian's apache2 is not installed")
def test_debian_stock_layout():
    """Debian's own /etc/apache2 reads cleanly, through envvars, the
    mods-enabled/*.load Includes and IfModule sections."""
    p = ctl("check", "--strict")
    assert p.returncode == 0, p.stdout + p.stderr
    d = ctl("check", "--dump").stdout
    # envvars resolved ${APACHE_RUN_DIR}; mods-enabled and sites-enabled read
    assert re.search(r"apache2\.conf:\d+: S DefaultRuntimeDir "
                     r"/var/run/apache2$", d, re.M), d[:2000]
    assert re.search(r"mods-enabled/mpm_\w+\.load:\d+: S LoadModule mpm_",
                     d)
    assert re.search(r"sites-enabled/.*: V DocumentRoot ", d)
    # <IfModule mod_ssl.c> in ports.conf: mod_ssl is not enabled by default
    enabled = os.listdir("/etc/apache2/mods-enabled")
    if "ssl.load" not in enabled:
        assert "Listen 443" not in d
    assert "${" not in d


@pytest.mark.skipif(not Path("/etc/apache2/apache2.conf").exists(),
                    reason="Debian's apache2 is not installed")
def test_debian_layout_with_gwguard(tmp_path):
    """A copy of Debian's layout with the module enabled a2enmod-style
    and a trap in a site: found, with the file and line."""
    etc = tmp_path / "apache2"
    shutil.copytree("/etc/apache2", etc, symlinks=True)
    # the Debian pieces this project ships, as a2enmod would enable them
    for name in ("gwguard.load", "gwguard.conf"):
        shutil.copy(TOP / "conf" / name, etc / "mods-available" / name)
    for m in ("proxy.load", "proxy_http.load", "gwguard.load",
              "gwguard.conf"):
        link = etc / "mods-enabled" / m
        if not link.exists():
            link.symlink_to(etc / "mods-available" / m)
    (etc / "sites-enabled" / "zz-app.conf").write_text(
        "<VirtualHost *:80>\n  ProxyPass / http://127.0.0.1:8080/\n"
        "  ErrorDocument 503 /maintenance.html\n  GwGuardRecent 5\n"
        "</VirtualHost>\n")
    conf = etc / "apache2.conf"
    # ServerRoot is Debian's compiled-in /etc/apache2: point the copy at
    # itself the way an admin would, with -d; here by a ServerRoot line
    text = conf.read_text()
    conf.write_text('ServerRoot "%s"\n' % etc + text)
    enabled = ctl("check", "--config", str(conf), "--dump").stdout
    assert re.search(r"mods-enabled/gwguard\.conf:\d+: S GwGuard On",
                     enabled), enabled[-3000:]
    p = ctl("check", "--config", str(conf))
    f = findings(p.stdout)
    site = str(etc / "sites-enabled" / "zz-app.conf")
    assert (site, 4, "error",
            "GwGuardRecent cannot occur within <VirtualHost> section") in f
    assert any(x[0] == site and x[1] == 3 and x[2] == "warning"
               and "is itself proxied" in x[3] for x in f), p.stdout
    assert p.returncode == 1
    # the shipped pieces themselves are clean (a warning about the run
    # directory is possible where /var/run/apache2 does not exist yet)
    assert not [x for x in f if "gwguard." in x[0] and
                x[2] == "error"], p.stdout


def test_config_finds_the_segment(make_httpd, dead_port, tmp_path):
    """--config resolves GwGuardShmFile like the module: relative to
    DefaultRuntimeDir, itself relative to ServerRoot, through Include."""
    h = make_httpd().start("ProxyPass /dead/ http://127.0.0.1:%d/\n"
                           % dead_port)
    get(h.url + "/dead/x")
    assert wait_for(lambda: h.status()["totals"]["requests"] == 1)
    inc = tmp_path / "inc.conf"
    inc.write_text("<IfModule mod_gwguard.c>\n  GwGuardShmFile %s\n"
                   "</IfModule>\n" % h.shm.name)
    conf = tmp_path / "main.conf"
    conf.write_text('ServerRoot "%s"\nDefine RT run\n'
                    'LoadModule gwguard_module "%s"\n'
                    'DefaultRuntimeDir ${RT}\nInclude "%s"\n'
                    % (h.root, MODULE, inc))
    env = dict(os.environ)
    env.pop("GWGUARD_SHM", None)
    p = ctl("status", "--json", "--config", str(conf), env=env)
    assert p.returncode == 0, p.stderr
    assert str(h.shm) in p.stdout


@pytest.mark.skipif(not os.access("/usr/sbin/php-fpm8.2", os.X_OK),
                    reason="php-fpm8.2 (Debian package php8.2-fpm) is not "
                    "installed")
def test_two_sockets_one_worker_trap(make_httpd, tmp_path):
    """Two PHP-FPM pools on two unix sockets behind ProxyPassMatch
    targets that differ only in the socket share one worker in httpd
    (ap_proxy_get_worker_ex drops the unix: part): the second route is
    served by the first pool. check warns at the second route with the
    fix, and the fix (a host per socket) gives each pool its requests."""
    from backends import APPS, PhpFpm, stop_all
    from httpd import BASE_MODULES
    pools = [PhpFpm(tmp_path / n, unix=True, pool=n).start()
             for n in ("pool-a", "pool-b")]
    try:
        route = 'ProxyPassMatch ^/%s/(.*)$ "%s%s/$1"\n'
        trap = (route % ("a", pools[0].fcgi_url(), APPS)
                + route % ("b", pools[1].fcgi_url(), APPS))
        fixed = (route % ("a", pools[0].fcgi_url("pool-a"), APPS)
                 + route % ("b", pools[1].fcgi_url("pool-b"), APPS))
        h = make_httpd("event", modules=BASE_MODULES + ["proxy_fcgi"])
        h.start(trap)
        assert get(h.url + "/a/fault.php/pool")[2] == b"pool=pool-a\n"
        # the trap: pool-b's route answered by pool-a
        assert get(h.url + "/b/fault.php/pool")[2] == b"pool=pool-a\n"
        p = ctl("check", "--config", str(h.conf_file))
        f = [x for x in findings(p.stdout) if "worker" in x[3]]
        lines = h.conf_file.read_text().splitlines()
        assert len(f) == 1, p.stdout
        assert lines[f[0][1] - 1].startswith("ProxyPassMatch ^/b/"), f
        assert ("this route to %s: httpd serves it with the worker "
                "fcgi://localhost%s/$1 of ProxyPassMatch at %s:%d, which "
                "connects to %s" % (pools[1].sock, APPS, h.conf_file,
                                    f[0][1] - 1, pools[0].sock)) in f[0][3]
        assert '"unix:%s|fcgi://pool-b%s/$1"' % (pools[1].sock, APPS) \
            in f[0][3]
        h.graceful(fixed)
        assert get(h.url + "/b/fault.php/pool")[2] == b"pool=pool-b\n"
        assert get(h.url + "/a/fault.php/pool")[2] == b"pool=pool-a\n"
        p = ctl("check", "--config", str(h.conf_file))
        assert not [x for x in findings(p.stdout) if "worker" in x[3]], \
            p.stdout
    finally:
        stop_all(pools)
