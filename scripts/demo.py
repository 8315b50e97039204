#!/usr/bin/env python3
"""make demo: a local httpd on 127.0.0.1 with mod_gwguard in front of
upstreams that fail in different ways; shows what clients get and what
gwguardctl reports, then stops everything it started."""

import subprocess
import sys
import tempfile
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tests" / "integration"))

from faultd import FaultUpstream          # noqa: E402
from httpd import Httpd, free_port, GWGUARDCTL   # noqa: E402
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


def main():
    upstream = FaultUpstream().start()
    dead = free_port()
    root = tempfile.mkdtemp(prefix="gwguard-demo-")
    h = Httpd(root, loglevel="warn gwguard:info")
    conf = ("ProxyPass /app/ http://127.0.0.1:%d/\n"
            "ProxyPass /down/ http://127.0.0.1:%d/\n"
            % (upstream.port, dead))
    conf += PAGES_CONF % (dead, TOP / "conf")
    try:
        h.start(conf)
        show("httpd with mod_gwguard on %s (ServerRoot %s)" % (h.url, root))
        print(conf.rstrip())
        show("requests (one connection each)")
        for path in ["/app/ok", "/app/ok", "/app/status/502", "/down/",
                     "/down/", "/app/ok"]:
            status, _, body = get(h.url + path)
            print("GET %-18s -> %d %s" % (path, status,
                                          body[:40].decode("latin-1")
                                          .strip().replace("\n", " ")))
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
        upstream.stop()
    print("\nStopped httpd and the upstream. Files are in %s" % root)


if __name__ == "__main__":
    main()
