"""The Debian package, installed system-wide: `make deb` builds it from
this tree (lintian must pass), apt-get installs an older build of it and
then this one over it, the module is enabled the Debian way and serves
from the system's mods-enabled, gwguardctl reads the counters from the
package's default path, and remove and purge leave nothing behind.

Runs as root only (make check in CI); the private httpd listens on
127.0.0.1, never the distro service. Whatever the outcome, a finaliser
purges the package and puts /etc/apache2 and /var/lib/apache2 back as
they were (a2enmod also enables proxy and proxy_http, which a2dismod of
gwguard rightly leaves on)."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import get
from httpd import Httpd, TOP

PKG = "libapache2-mod-gwguard"
ETC = Path("/etc/apache2")
ENABLED = ETC / "mods-enabled"
STATE = Path("/var/lib/apache2")
RUN_DIR = Path("/var/run/apache2")
LOCK_DIR = Path("/var/lock/apache2")
SEGMENT = RUN_DIR / "gwguard.shm"
CTL = "/usr/sbin/gwguardctl"
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
VERSION = re.search(r'#define GWG_VERSION "([^"]+)"',
                    (TOP / "mod_gwguard" / "gwg_version.h").read_text())[1]
APT_ENV = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
# other helpers may hold the dpkg lock for a while
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=300"]


def installed_version():
    p = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", PKG],
                       capture_output=True, text=True)
    return p.stdout if p.returncode == 0 else ""


def distro_apache_running():
    try:
        pid = int((RUN_DIR / "apache2.pid").read_text())
        os.kill(pid, 0)
        return True
    except (OSError, ValueError):
        return False


pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="installs a package "
                       "system-wide: runs as root (make check in CI)"),
    pytest.mark.skipif(not (ETC / "apache2.conf").exists(),
                       reason="Debian's apache2 is not installed"),
]


def run(*cmd, timeout=120, check=True, env=None):
    p = subprocess.run(list(cmd), capture_output=True, text=True,
                       timeout=timeout, env=env)
    if check:
        assert p.returncode == 0, "%s failed (%d):\n%s%s" % (
            " ".join(cmd), p.returncode, p.stdout[-3000:], p.stderr[-3000:])
    return p


def tree(d):
    """Every path under d, relative, with a symlink's target."""
    if not d.exists():
        return set()
    return {(str(p.relative_to(d)),
             os.readlink(p) if p.is_symlink() else None)
            for p in d.rglob("*")}


class SystemHttpd(Httpd):
    """A private httpd from a test config that takes its modules from the
    system's mods-enabled/*.load (and the package's gwguard.conf), with
    Debian's runtime directory, so the segment is at the default path."""

    def __init__(self, root):
        super().__init__(root)
        self.shm = SEGMENT

    def base_config(self):
        return "\n".join([
            'ServerRoot "%s"' % self.root,
            "ServerName 127.0.0.1",
            "Listen 127.0.0.1:%d" % self.port,
            'PidFile "%s/run/httpd.pid"' % self.root,
            'DefaultRuntimeDir "%s"' % RUN_DIR,
            'ErrorLog "%s"' % self.error_log,
            "LogLevel warn",
            "IncludeOptional %s/*.load" % ENABLED,
            "IncludeOptional %s/gwguard.conf" % ENABLED,
            "User www-data", "Group www-data",
            'DocumentRoot "%s/htdocs"' % self.root,
            "TypesConfig /etc/mime.types",
            # as Debian's apache2.conf: no .htaccess lookups
            "<Directory />\n    AllowOverride None\n</Directory>",
            "Timeout 10", "GracefulShutdownTimeout 3", "ProxyTimeout 5",
            'LogFormat "%h \\"%r\\" %>s %{GWGUARD_CLASS}e" gw',
            'CustomLog "%s" gw' % self.access_log,
        ]) + "\n"


def status():
    """gwguardctl of the package, no options: the default path."""
    return json.loads(run(CTL, "status", "--json").stdout)


def refused(key):
    for u in status()["upstreams"]:
        if u["name"] == key:
            return u["classes"]["connect_refused"]
    return 0


def wait_for(fn, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fn():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in %ss" % timeout)


@pytest.fixture
def system_state():
    """Skips where the test would disturb an admin's system; afterwards
    purges the package and restores what the install changed."""
    if installed_version():
        pytest.skip("%s is installed on this machine; the test would "
                    "replace it" % PKG)
    if list(ETC.rglob("*gwguard*")):
        pytest.skip("mod_gwguard files are in /etc/apache2 (a source "
                    "install?); the package would meet them")
    # A running distro apache2 would be restarted by the maintainer
    # scripts (with the module): a policy-rc.d that says no (exit 101, as
    # in Debian's build chroots) keeps it as it is, for the test's time.
    policy = None
    if distro_apache_running() and not POLICY_RC_D.exists():
        policy = POLICY_RC_D
        policy.write_text("#!/bin/sh\n# test_deb.py: no service restarts "
                          "while it runs; deleted when it ends\nexit 101\n")
        policy.chmod(0o755)
    before = {d: tree(d) for d in (ENABLED, STATE)}
    made = [d for d in (RUN_DIR, LOCK_DIR) if not d.exists()]
    yield before
    subprocess.run(APT + ["purge", PKG], capture_output=True, env=APT_ENV,
                   timeout=300)
    for d, old in before.items():
        for rel, _ in sorted(tree(d) - old, reverse=True):
            p = d / rel
            if p.is_symlink() or p.is_file():
                p.unlink()
            elif p.is_dir() and not any(p.iterdir()):
                p.rmdir()
    for f in RUN_DIR.glob("gwguard.shm*"):
        f.unlink()
    for d in made:
        shutil.rmtree(d, ignore_errors=True)
    if policy:
        policy.unlink()


def build_packages(tmp_path):
    """This tree's package, and the same one repacked as an older
    version, to upgrade from."""
    # the unit tests run in make check already; no -dbgsym to build
    env = dict(os.environ,
               DEB_BUILD_OPTIONS="parallel=2 nocheck noautodbgsym")
    p = run(str(TOP / "scripts" / "deb.sh"), timeout=900, env=env,
            check=False)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-4000:]
    arch = run("dpkg", "--print-architecture").stdout.strip()
    new = TOP / "build" / "deb" / ("%s_%s_%s.deb" % (PKG, VERSION, arch))
    assert new.exists(), "make deb made no %s" % new.name
    old_version = VERSION + "~older1"
    unpacked = tmp_path / "old"
    run("dpkg-deb", "-R", str(new), str(unpacked))
    control = unpacked / "DEBIAN" / "control"
    control.write_text(re.sub(r"(?m)^Version: .*$", "Version: " + old_version,
                              control.read_text()))
    old = tmp_path / ("%s_%s_%s.deb" % (PKG, old_version, arch))
    run("dpkg-deb", "--root-owner-group", "-b", str(unpacked), str(old))
    run("dpkg", "--compare-versions", old_version, "lt", VERSION)
    return old, new


@pytest.fixture
def httpd_root():
    """A ServerRoot that www-data may search all the way down (pytest's
    tmp_path is in a root-only directory; the status page's directory
    walk runs as www-data)."""
    root = Path(tempfile.mkdtemp(prefix="gwguard-deb-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_deb_lifecycle(system_state, tmp_path, httpd_root, dead_port):
    old, new = build_packages(tmp_path)

    # install (the older build): enabled the Debian way, with its deps
    run(*APT, "install", str(old), env=APT_ENV, timeout=300)
    assert installed_version() == "install ok installed %s~older1" % VERSION
    for m in ("gwguard.load", "gwguard.conf", "proxy.load", "proxy_http.load"):
        assert (ENABLED / m).is_symlink(), m
    assert os.readlink(ENABLED / "gwguard.load") == \
        "../mods-available/gwguard.load"
    assert "already enabled" in run("a2enmod", "gwguard").stdout
    run("apache2ctl", "-t")
    assert VERSION in run(CTL, "--version").stdout

    # serve: a classified failure, read back from the default path
    h = SystemHttpd(httpd_root)
    h.start("ProxyPass /dead/ http://127.0.0.1:%d/\n" % dead_port)
    key = "http://127.0.0.1:%d" % dead_port
    try:
        assert get(h.url + "/dead/x")[0] == 503
        wait_for(lambda: refused(key) == 1)
        assert status()["shm"] == str(SEGMENT)
        # the package's gwguard.conf serves the status page to this host
        code, _, body = get(h.url + "/gwguard-status?format=json")
        assert code == 200
        assert [u["classes"]["connect_refused"]
                for u in json.loads(body)["upstreams"]
                if u["name"] == key] == [1]
        assert '"GET /dead/x HTTP/1.1" 503 connect_refused' in \
            "\n".join(h.access_entries())

        # the admin turns it off; the upgrade (to this tree's build, under
        # the running server) respects that and keeps the counters
        run("a2dismod", "gwguard")
        run(*APT, "install", str(new), env=APT_ENV, timeout=300)
        assert installed_version() == "install ok installed %s" % VERSION
        assert not (ENABLED / "gwguard.load").is_symlink()
        assert refused(key) == 1
        # on again: httpd loads the new module and goes on counting
        run("a2enmod", "gwguard")
        assert (ENABLED / "gwguard.load").is_symlink()
        h.graceful()
        assert get(h.url + "/dead/x")[0] == 503
        wait_for(lambda: refused(key) == 2)
    finally:
        h.stop()
    h.check_error_log()

    files = [Path(f) for f in run("dpkg", "-L", PKG).stdout.split()]
    conffiles = [ETC / "mods-available" / n
                 for n in ("gwguard.load", "gwguard.conf")]

    # remove: disabled, configuration and counters kept, the rest gone
    run(*APT, "remove", PKG, env=APT_ENV, timeout=300)
    assert installed_version().startswith("deinstall ok config-files")
    assert not (ENABLED / "gwguard.load").exists()
    assert not (ENABLED / "gwguard.load").is_symlink()
    assert not (ENABLED / "gwguard.conf").is_symlink()
    assert all(c.exists() for c in conffiles)
    assert SEGMENT.exists()
    left = [f for f in files if f.is_file() and f not in conffiles]
    assert not left, left
    run("apache2ctl", "-t")

    # purge: nothing left, the segment neither
    run(*APT, "purge", PKG, env=APT_ENV, timeout=300)
    assert installed_version() == ""
    assert run("dpkg", "-L", PKG, check=False).returncode != 0
    # a directory the package shipped into may stay (/lib is the system's
    # link to usr/lib); files and links of its own may not
    left = [f for f in files if (f.is_file() or f.is_symlink())
            and not f.is_dir()]
    assert not left, left
    assert not list(RUN_DIR.glob("gwguard.shm*"))
    assert not [p for p in STATE.rglob("*gwguard*")]
    assert not [p for p in ETC.rglob("*gwguard*")]


def test_package_layout_is_make_install(tmp_path):
    """make install (as a source install) puts every file where the
    package does; the package adds only its docs."""
    make_install = set()
    dest = tmp_path / "root"
    run("make", "-C", str(TOP), "--no-print-directory", "install",
        "DESTDIR=%s" % dest, "COMPAT_LOAD=", timeout=600)
    for p in dest.rglob("*"):
        if p.is_file():
            make_install.add("/" + str(p.relative_to(dest)))
    debs = sorted((TOP / "build" / "deb").glob("%s_*.deb" % PKG))
    if not debs:
        pytest.skip("no package built yet (test_deb_lifecycle builds it)")
    listing = run("dpkg-deb", "-c", str(debs[-1])).stdout
    in_deb = {line.split()[-1].lstrip(".") for line in listing.splitlines()
              if line.startswith("-")}
    in_deb = {re.sub(r"\.gz$", "", f) for f in in_deb
              if not f.startswith("/usr/share/doc/")}
    assert in_deb == make_install
