#!/usr/bin/env python3
"""make demo: a local httpd on 127.0.0.1 with mod_gwguard in front of
upstreams that fail in every way the fault server (tests/integration/
faultd.py) can produce, and of a real PHP-FPM pool (php8.2-fpm, started
here on a unix socket, the Debian way), up and then stopped; shows what
clients get and what gwguardctl reports, then stops everything it
started. Bounded: about 30 s."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tests" / "integration"))

from backends import PhpFpm, missing, PHP_FPM  # noqa: E402
from faultd import Blackhole, FaultUpstream    # noqa: E402
from httpd import BASE_MODULES, Httpd, free_port, GWGUARDCTL  # noqa: E402
from conftest import get                  # noqa: E402


def show(title):
    print("\n== %s" % title)


def show_recent_and_explain(h):
    """The newest failures, then one of them explained: the request id is
    the one in the GWG00006 line (and on the page the client got)."""
    import re
    show("gwguardctl recent --shm %s" % h.shm)
    sys.stdout.flush()
    subprocess.run([str(GWGUARDCTL), "recent", "--shm", str(h.shm)],
                   check=True)
    ids = re.findall(r"GWG00006: .*class=connect_refused .*request_id=(\S+)",
                     h.read_error_log())
    if ids:
        show("gwguardctl explain %s" % ids[-1])
        sys.stdout.flush()
        subprocess.run([str(GWGUARDCTL), "explain", "--shm", str(h.shm),
                        ids[-1]], check=True)


# Error pages (docs/pages.md): the built-in page everywhere, and the
# example template of conf/ under /branded/.
PAGES_CONF = """<Location /branded/>
    ProxyPass http://127.0.0.1:%d/
    GwGuardErrorPage default %s/gwguard-error.html
    GwGuardPageVar brand "Demo Shop"
</Location>
"""


def show_pages(h):
    show("error pages: what a browser, an API client and curl get")
    for path, accept in [("/down/", None), ("/down/", "application/json"),
                         ("/down/", "application/problem+json"),
                         ("/down/", "text/plain"), ("/branded/", None)]:
        status, headers, body = get(h.url + path, headers={"Accept": accept}
                                    if accept else {})
        print("GET %s  Accept: %s" % (path, accept or "(none)"))
        print("  -> %d  %s" % (status, "  ".join(
            "%s: %s" % (k, headers[k]) for k in
            ("Content-Type", "Cache-Control", "Retry-After", "Proxy-Status")
            if k in headers)))
        text = body.decode("utf-8", "replace")
        if "html" in headers.get("Content-Type", ""):
            # the words a person reads, not the markup
            import html
            import re
            words = re.sub(r"<style.*?</style>|<[^>]+>", " ", text, flags=re.S)
            text = html.unescape(" ".join(words.split()))
        print("  " + text.strip()[:300].replace("\n", "\n  "))


# One route per way of failing; each has an upstream of its own, so
# `gwguardctl status` shows one row per class. ProxyTimeout 2 makes the
# timeouts quick.
FAULTS = [
    # route, upstream, path, what the upstream does
    ("ok", "app", "/ok", "answers 200"),
    ("refused", "dead", "/x", "nothing listens on the port"),
    ("ctimeout", "blackhole", "/x", "connects time out (SYNs dropped)"),
    ("dns", "dns", "/x", "the host name does not resolve"),
    ("hang", "app", "/hang", "reads the request, never answers"),
    ("reset", "app", "/reset", "resets the connection before answering"),
    ("garbage", "app", "/nocolon", "answers a header line without a colon"),
    ("stall", "app", "/stall", "sends part of the body, then nothing"),
    ("truncate", "app", "/truncate", "sends part of the body, then closes"),
    ("app5xx", "app", "/status/502", "answers its own 502"),
    ("off", "balancer", "/x", "a balancer whose members are all disabled"),
    ("breaker", "dead", "/x", "dead, behind GwGuardBreaker failures=2"),
    ("breaker", "dead", "/x", "  again"),
    ("breaker", "dead", "/x", "  again: the breaker is open now"),
]


def fault_conf(fault_ports):
    conf = "ProxyTimeout 2\n"
    for route, up, _, _ in FAULTS:
        if up == "balancer":
            conf += ("<Proxy balancer://off>\n  BalancerMember "
                     "http://127.0.0.1:%d status=+D\n</Proxy>\n"
                     "ProxyPass /%s/ balancer://off/\n"
                     % (fault_ports["app-ok"], route))
        elif up == "dns":
            conf += ("ProxyPass /%s/ http://gwguard-demo.invalid:8080/\n"
                     % route)
        elif route == "breaker":
            origin = "http://127.0.0.1:%d" % fault_ports[route]
            if origin not in conf:
                conf += ("GwGuardBreaker %s failures=2 window=30 "
                         "cooldown=60\nProxyPass /%s/ %s/\n"
                         % (origin, route, origin))
        else:
            conf += ("ProxyPass /%s/ http://127.0.0.1:%d/\n"
                     % (route, fault_ports[route]))
    return conf


def fetch_line(h, path):
    try:
        status, _, body = get(h.url + path)
        return "%d %s" % (status, body[:40].decode("latin-1").strip()
                          .replace("\n", " "))
    except Exception as e:          # a body cut short
        return "%s" % type(e).__name__


def show_faults(h):
    show("one request per way of failing (a fresh connection each)")
    for route, _, path, what in FAULTS:
        print("GET %-22s %-42s -> %s" % ("/%s%s" % (route, path), what,
                                         fetch_line(h, "/%s%s"
                                                    % (route, path))))


# The Debian way (php8.2-fpm.conf): .php files handed to the pool's
# socket with SetHandler.
PHP_CONF = """Alias /php/ "%s/"
<Directory "%s">
    Require all granted
    <FilesMatch "\\.php$">
        SetHandler "proxy:unix:%s|fcgi://localhost"
    </FilesMatch>
</Directory>
"""


def show_php(h, pool):
    show("PHP-FPM (php8.2-fpm -F, pool %s on %s)" % (pool.pool, pool.sock))
    for path in ["/php/fault.php/ok", "/php/fault.php/status/503",
                 "/php/fault.php/sleep?s=4"]:
        print("GET %-28s -> %s" % (path, fetch_line(h, path)))
    pool.stop()
    print("(pool stopped)")
    print("GET %-28s -> %s" % ("/php/fault.php/ok",
                                fetch_line(h, "/php/fault.php/ok")))


def main():
    upstream = FaultUpstream().start()
    dead = free_port()
    root = tempfile.mkdtemp(prefix="gwguard-demo-")
    h = Httpd(root, loglevel="warn gwguard:info",
              modules=BASE_MODULES + ["proxy_fcgi"])
    started = [upstream]
    ports = {"dead": dead}
    for route, up, _, _ in FAULTS:
        if up == "app":
            u = FaultUpstream().start()
            started.append(u)
            ports[route] = u.port
        elif up == "dead":
            ports[route] = free_port()
        elif up == "blackhole":
            b = Blackhole()
            started.append(b)
            ports[route] = b.port
    ports["app-ok"] = ports["ok"]
    conf = ("ProxyPass /app/ http://127.0.0.1:%d/\n"
            "ProxyPass /down/ http://127.0.0.1:%d/\n"
            % (upstream.port, dead))
    conf += PAGES_CONF % (dead, TOP / "conf")
    conf += fault_conf(ports)
    pool = None
    if not missing(PHP_FPM):
        pool = PhpFpm(Path(root) / "php-fpm", unix=True, pool="demo")
        pool.start()
        started.append(pool)
        htdocs = Path(root) / "php"
        htdocs.mkdir()
        (htdocs / "fault.php").write_text(Path(pool.script).read_text())
        os.chmod(htdocs, 0o755)
        conf += PHP_CONF % (htdocs, htdocs, pool.sock)
    try:
        h.start(conf)
        show("httpd with mod_gwguard on %s (ServerRoot %s)" % (h.url, root))
        print(conf.rstrip())
        show_faults(h)
        if pool:
            show_php(h, pool)
        else:
            show("PHP-FPM: skipped, php8.2-fpm is not installed")
        show_pages(h)
        show("access log: %{GWGUARD_CLASS}e %{GWGUARD_CODE}e "
             "%{GWGUARD_UPSTREAM}e")
        print("\n".join(h.access_entries()))
        show("error log (GWG lines)")
        print("\n".join(l for l in h.read_error_log().splitlines()
                        if "GWG" in l))
        show("gwguardctl status --shm %s" % h.shm)
        sys.stdout.flush()
        subprocess.run([str(GWGUARDCTL), "status", "--shm", str(h.shm)],
                       check=True)
        show_recent_and_explain(h)
    finally:
        h.stop()
        for u in started:
            u.stop()
    print("\nStopped httpd, the upstreams and php-fpm. Files are in %s"
          % root)


if __name__ == "__main__":
    main()
