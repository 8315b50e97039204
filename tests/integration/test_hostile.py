"""Hostile local input against a real httpd (issue 11): .htaccess page
authors, a local user who can write the segment file, a client's path on
an admin's terminal, a huge configuration for `gwguardctl check`. Each
test reproduces what the code before the fix got wrong."""

import json
import os
import pwd
import re
import resource
import shutil
import struct
import subprocess
import tempfile
import time
import http.client
from pathlib import Path

import pytest

from conftest import get
from httpd import GWGUARDCTL
from test_counting import wait_for

NOBODY = pwd.getpwnam("nobody").pw_uid
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0,
                               reason="needs root to chown files to nobody "
                                      "(make check runs as root)")
LINGER = r"AH03092"
HTACCESS_ERR = r"\.htaccess: GwGuardErrorPage"
LINK_REFUSED = r"AH00037"            # httpd refusing the link itself

PAGE = ("<!DOCTYPE html><html lang=\"en\"><head><title>{{status}}</title>"
        "</head><body><p>%s</p></body></html>\n")


@pytest.fixture
def site_dir():
    """Readable by httpd's children (www-data when run as root)."""
    d = Path(tempfile.mkdtemp(prefix="gwguard-hostile-"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def ctl(*args):
    return subprocess.run([str(GWGUARDCTL)] + list(args),
                          capture_output=True, text=True, timeout=60)


# ---- item 1: what a .htaccess page author can reach ----

def page_dir(site, name, dead_port, page, options=None):
    d = site / name
    d.mkdir()
    (d / ".htaccess").write_text(
        "GwGuardErrorPage default %s\n"
        "RewriteEngine On\n"
        "RewriteRule ^down http://127.0.0.1:%d/ [P]\n" % (page, dead_port))
    return d


@ROOT_ONLY
def test_htaccess_template_stays_in_its_tree(make_httpd, dead_port,
                                             site_dir):
    h = make_httpd()
    h.allowed_errors += [LINGER, HTACCESS_ERR, LINK_REFUSED]
    site = site_dir / "site"
    site.mkdir()
    site.chmod(0o755)
    (site_dir / "outside").mkdir()
    (site_dir / "outside" / "secret.html").write_text(PAGE % "SECRET-OUT")
    (site_dir / "elsewhere.html").write_text(PAGE % "ELSEWHERE-PAGE")
    page_dir(site, "abs", dead_port, site_dir / "outside" / "secret.html")
    page_dir(site, "dotdot", dead_port, "../../outside/secret.html")
    # a link a page author (nobody) made to a file they do not own
    for name in ("owner", "follow"):
        d = page_dir(site, name, dead_port, "leak.html")
        os.symlink("/etc/passwd", d / "leak.html")
        os.lchown(d / "leak.html", NOBODY, NOBODY)
    # links allowed by Options: their owner owns the target, or FollowSymLinks
    d = page_dir(site, "ownerok", dead_port, "page.html")
    os.symlink(site_dir / "elsewhere.html", d / "page.html")
    d = page_dir(site, "followok", dead_port, "page.html")
    os.symlink(site_dir / "elsewhere.html", d / "page.html")
    os.lchown(d / "page.html", NOBODY, NOBODY)
    h.start('Alias /site/ "{s}/"\n'
            '<Directory "{s}">\nAllowOverride FileInfo\n'
            'Options SymLinksIfOwnerMatch\nRequire all granted\n'
            '</Directory>\n'
            '<Directory "{s}/follow">\nOptions FollowSymLinks\n</Directory>\n'
            '<Directory "{s}/followok">\nOptions FollowSymLinks\n'
            '</Directory>\n'.format(s=site))

    # outside the tree: the .htaccess is refused as a whole (500)
    for name, why in (("abs", "not an absolute one"),
                      ("dotdot", "stay inside the .htaccess directory")):
        status, _, body = get(h.url + "/site/%s/down" % name)
        assert status == 500 and b"SECRET-OUT" not in body, (name, body)
        assert wait_for(lambda: why in h.read_error_log()), name

    # a link whose owner does not own the target: httpd refuses to serve
    # it under SymLinksIfOwnerMatch; so does the page. (Options None would
    # also forbid the RewriteRule itself.)
    for name in ("owner",):
        assert get(h.url + "/site/%s/leak.html" % name)[0] == 403
        status, _, body = get(h.url + "/site/%s/down" % name)
        assert status == 503, (name, status)
        assert b"root:x:0:0" not in body, name
        assert b"Service Unavailable" in body or b"503" in body
    assert wait_for(lambda: "GWG00501" in h.read_error_log())

    # where Options allow the link, it is followed, as httpd does
    status, _, body = get(h.url + "/site/follow/down")
    assert status == 503 and b"root:x:0:0" in body
    for name in ("ownerok", "followok"):
        status, _, body = get(h.url + "/site/%s/down" % name)
        assert status == 503 and b"ELSEWHERE-PAGE" in body, (name, body)


# ---- item 2: the .htaccess template cache does not grow ----

def child_rss_kib(h):
    parent = h._pid()
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            st = (p / "status").read_text()
        except OSError:
            continue
        if re.search(r"^PPid:\s+%d$" % parent, st, re.M):
            return int(re.search(r"^VmRSS:\s+(\d+)", st, re.M).group(1))
    raise AssertionError("no httpd child")


def test_htaccess_template_cache_memory_is_bounded(make_httpd, site_dir):
    """200 templates (20 directories of 10) against a cache of 64: most
    requests evict; the child's memory must stay flat. Before the fix an
    evicted template was never freed (0.76 MiB per request with 80)."""
    h = make_httpd("prefork", mpm_lines=[
        "StartServers 1", "MinSpareServers 1", "MaxSpareServers 1",
        "MaxRequestWorkers 1", "ServerLimit 1", "MaxConnectionsPerChild 0",
        "MaxKeepAliveRequests 0"])
    h.allowed_errors.append("AH00161")      # one worker on purpose
    site = site_dir / "many"
    for n in range(20):
        d = site / ("d%02d" % n)
        d.mkdir(parents=True)
        lines = []
        for status in range(500, 505):
            for ext in ("html", "json"):
                name = "%d.%s" % (status, ext)
                (d / name).write_text(
                    PAGE % ("P%d-%d" % (n, status)) if ext == "html"
                    else '{"status": {{status}}, "d": %d}\n' % n)
                lines.append("GwGuardErrorPage %d %s" % (status, name))
        (d / ".htaccess").write_text("\n".join(lines) + "\n")
        (d / "ok.txt").write_text("ok\n")
    h.start('Alias /many/ "%s/"\n<Directory "%s">\nAllowOverride FileInfo\n'
            'Require all granted\n</Directory>\n' % (site, site))
    conn = http.client.HTTPConnection("127.0.0.1", h.port, timeout=20)
    sent = [0]

    def fetch(n):
        for _ in range(n):
            conn.request("GET", "/many/d%02d/ok.txt" % (sent[0] % 20))
            r = conn.getresponse()
            assert r.status == 200
            r.read()
            sent[0] += 1

    fetch(200)                              # warm up: pools, caches
    base = child_rss_kib(h)
    for _ in range(20):                     # 2,000 more, checked as we go
        fetch(100)
        grown = child_rss_kib(h) - base
        assert grown < 4 * 1024, "child RSS grew %d KiB in %d requests" % (
            grown, sent[0] - 200)
    conn.close()
    print("child RSS %d KiB, grew %d KiB over 2,000 requests"
          % (base, child_rss_kib(h) - base))


# ---- item 3: the segment's geometry is read once ----

SLOT_COUNT, INDEX_SIZE, RECENT_SIZE, RECENT_NEXT = 24, 28, 32, 128


def poke(path, offset, fmt, value):
    with open(path, "r+b") as f:
        f.seek(offset)
        old = f.read(struct.calcsize(fmt))
        f.seek(offset)
        f.write(struct.pack(fmt, value))
    return struct.unpack(fmt, old)[0]


def test_geometry_changed_in_the_file(make_httpd, dead_port):
    h = make_httpd()
    h.allowed_errors.append(LINGER)
    h.start("".join("ProxyPass /d%d/ http://127.0.0.1:%d/\n" % (i, dead_port
                                                                + 0)
                    for i in range(3)) +
            "ProxyPass /x/ http://127.0.0.2:%d/\n" % dead_port)
    assert get(h.url + "/d0/a")[0] == 503
    watch = subprocess.Popen([str(GWGUARDCTL), "watch", "--interval", "0.1",
                              "--count", "40", "--shm", str(h.shm)],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    saved = [(o, f, poke(h.shm, o, f, v)) for o, f, v in (
        (INDEX_SIZE, "<I", 1 << 30), (SLOT_COUNT, "<I", 1 << 30),
        (RECENT_SIZE, "<I", 1 << 30), (RECENT_NEXT, "<Q", (1 << 40) + 7))]
    try:
        # new keys (claims), failures (ring writes), in every child
        for i in range(40):
            assert get(h.url + "/x/%d" % i)[0] in (502, 503)
            assert get(h.url + "/d%d/%d" % (i % 3, i))[0] == 503
        assert watch.wait(60) == 0, watch.stderr.read()
        assert get(h.url + "/d1/after")[0] == 503
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
        for o, f, v in reversed(saved):
            poke(h.shm, o, f, v)
    # check_error_log (at teardown) fails on any child that crashed


# ---- item 4: who may own the segment file ----

@ROOT_ONLY
def test_untrusted_segment_file(make_httpd, dead_port, tmp_path):
    h = make_httpd()
    h.start("ProxyPass /d/ http://127.0.0.1:%d/\n" % dead_port)
    get(h.url + "/d/x")
    h.stop()
    os.chown(h.shm, NOBODY, NOBODY)
    os.chmod(h.shm, 0o644)
    copy = tmp_path / "nobody.shm"
    shutil.copy(h.shm, copy)
    os.chown(copy, NOBODY, NOBODY)
    p = ctl("status", "--shm", str(copy))
    assert p.returncode != 0 and "owned by uid %d" % NOBODY in p.stderr
    link = tmp_path / "link.shm"
    os.symlink(h.shm, link)
    p = ctl("status", "--shm", str(link))
    assert p.returncode != 0 and "symbolic link" in p.stderr, p.stderr
    os.chmod(copy, 0o666)
    os.chown(copy, 0, 0)
    p = ctl("status", "--shm", str(copy))
    assert p.returncode != 0 and "group or others" in p.stderr, p.stderr

    h.start("ProxyPass /d/ http://127.0.0.1:%d/\n" % dead_port)
    assert wait_for(lambda: "GWG00500" in h.read_error_log())
    assert "owned by uid %d" % NOBODY in h.read_error_log()
    st = os.stat(h.shm)
    assert st.st_uid == 0 and st.st_mode & 0o777 == 0o600
    assert ctl("status", "--shm", str(h.shm)).returncode == 0


# ---- item 6: a client's path on the admin's terminal ----

EVIL = "/down/a%0aFORGED-ROW%1b[2J%1b]2Jtitle%07%c2%9b"


def test_terminal_escapes_in_recent_and_explain(make_httpd, dead_port):
    h = make_httpd(loglevel="warn gwguard:info")
    h.start("ProxyPass /down/ http://127.0.0.1:%d/\n" % dead_port)
    assert get(h.url + EVIL)[0] == 503
    assert wait_for(lambda: "FORGED" in ctl("recent", "--shm",
                                            str(h.shm)).stdout)
    table = ctl("recent", "--shm", str(h.shm)).stdout
    rid = re.search(r"request_id=(\S+)", h.read_error_log()).group(1)
    explain = ctl("explain", "--shm", str(h.shm), rid).stdout
    for out in (table, explain):
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
        assert not any(line.startswith("FORGED")
                       for line in out.splitlines()), out
        assert "/down/a\\x0aFORGED-ROW\\x1b[2J\\x1b]2Jtitle\\x07" in out
    # the JSON keeps the bytes (escaped as JSON, not lost)
    entry = json.loads(ctl("recent", "--json", "--shm",
                           str(h.shm)).stdout)["recent"][0]
    assert entry["path"].startswith("/down/a\nFORGED-ROW\x1b[2J\x1b]2J")


# ---- item 7: `gwguardctl check` on long continuation lines ----

def limited():
    """1 GiB of address space: the old reader needed 4 GB here. Not for a
    sanitizer build (make check-asan), which reserves terabytes of shadow
    address space; there the peak RSS check below still holds."""
    if b"__asan_init" not in Path(GWGUARDCTL).read_bytes():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_check_long_continuations_linear(tmp_path):
    conf = tmp_path / "long.conf"
    conf.write_text("ServerRoot %s\nDefine X \\\n" % tmp_path
                    + "    aaaa \\\n" * 40000 + "    end\n")
    t0 = time.monotonic()
    p = subprocess.run([str(GWGUARDCTL), "check", "--config", str(conf)],
                       capture_output=True, text=True, timeout=60,
                       preexec_fn=limited)
    took = time.monotonic() - t0
    assert p.returncode == 0, p.stderr[-2000:]
    assert took < 5, "took %.1fs" % took          # apache2 -t: 0.01 s
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak < 512 * 1024, "a child peaked at %d KiB" % peak
    big = tmp_path / "big.conf"
    big.write_text("ServerRoot %s\nDefine Y " % tmp_path
                   + "x" * (2 << 20) + "\n")
    p = subprocess.run([str(GWGUARDCTL), "check", "--config", str(big)],
                       capture_output=True, text=True, timeout=60,
                       preexec_fn=limited)
    assert p.returncode == 1 and "line too long" in p.stdout, p.stdout[-500:]
