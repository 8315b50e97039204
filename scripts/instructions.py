#!/usr/bin/python3
"""Instructions per request, stock httpd against mod_gwguard, by callgrind
on a single-process httpd (-X, event MPM, LogLevel crit): deterministic,
unlike req/s on a shared machine. Four comparisons (issue #12), each with
its goal, and the success once more with a breaker configured:

  success    healthy upstream: module loaded / not loaded
  success-breaker  the same, GwGuardBreaker configured (the fixups hook's
             check and worker lookup; goal as for success)
  builtin    refused upstream: built-in page / stock default error page
  template   refused upstream: GwGuardErrorPage default FILE (with
             {{request_id}} and {{time}}) / stock ErrorDocument 503 serving
             the same HTML as a static file
  breaker    breaker open / stock balancer member in error state

Each configuration runs twice, with 1 and with N + 1 requests on fresh
connections; the difference divided by N leaves out start-up and the
first request (which opens the breaker or puts the member in error).
Usage: scripts/instructions.py [--keep DIR] [N] [CASE...]
  (default N 300, all cases); --keep DIR keeps the profiles as
  DIR/CASE-{stock,gwguard}.out (N + 1 requests) and ...-1.out (one), for
  `callgrind_annotate --inclusive=yes DIR/builtin-gwguard.out` and
  `scripts/instructions_diff.py DIR CASE N` (per request, per function).
Runs with /usr/bin/python3 (the interpreter with pytest's deps), also when
invoked directly."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tests" / "integration"))

from conftest import get                         # noqa: E402
from faultd import FaultUpstream                 # noqa: E402
from httpd import Httpd, free_port, HTTPD        # noqa: E402

# A branded page of the size a site would write: the template has the two
# per-request placeholders, the static file the same bytes with fixed text.
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>503 Service Unavailable</title>
<style>body{margin:0;font:17px/1.5 system-ui,sans-serif;background:#0f2a44;
color:#fff}.card{max-width:34rem;margin:12vh auto;padding:2rem 1.5rem}
h1{font-size:2rem;margin:.5rem 0 1rem}.meta{font-size:.9rem;color:#d5e3f0}
</style></head>
<body><div class="card"><h1>We'll be right back</h1>
<p>The service behind this site is not answering right now.</p>
<p class="meta">Error 503 &middot; request <code>%s</code> &middot; %s</p>
</div></body></html>
"""
TEMPLATE = PAGE % ("{{request_id}}", "{{time}}")
STATIC = PAGE % ("static", "2026-01-01T00:00:00Z")
MARK = b"We'll be right back"
OPEN = "gwguard; error=destination_unavailable"


class Config:
    """One side of a comparison: its configuration, files and the answer
    every request must get (checked, so a broken set-up cannot pass for a
    cheap one)."""

    def __init__(self, module, conf, status, files=None, mark=None,
                 header=None):
        self.module, self.conf, self.status = module, conf, status
        self.files, self.mark, self.header = files or {}, mark, header


def cases(ok_port, dead):
    proxy = "ProxyPass /p/ http://127.0.0.1:%d/\n" % dead
    errdoc = ("ProxyPass /errors/ !\n" + proxy +
              "ErrorDocument 503 /errors/503.html\n")
    member = ("<Proxy balancer://b>\n  BalancerMember http://127.0.0.1:%d "
              "retry=600\n  ProxySet forcerecovery=Off\n</Proxy>\n"
              "ProxyPass /p/ balancer://b/\n" % dead)
    breaker = "GwGuardBreaker failures=1 window=60 cooldown=600\n" + proxy
    healthy = "ProxyPass /p/ http://127.0.0.1:%d/\n" % ok_port
    return [
        ("success", 1.01,
         Config(False, healthy, 200), Config(True, healthy, 200)),
        # the same success where an admin turned the breaker on: the
        # fixups hook's check and worker lookup (docs/breaker.md)
        ("success-breaker", 1.01,
         Config(False, healthy, 200),
         Config(True, "GwGuardBreaker failures=5 window=10 cooldown=30\n"
                + healthy, 200)),
        ("builtin", 1.05,
         Config(False, proxy, 503), Config(True, proxy, 503)),
        ("template", 0.90,
         Config(False, errdoc, 503, {"htdocs/errors/503.html": STATIC}, MARK),
         Config(True, "GwGuardErrorPage default pages/503.html\n" + proxy,
                503, {"pages/503.html": TEMPLATE}, MARK)),
        ("breaker", 0.85,
         Config(False, member, 503),
         Config(True, breaker, 503, header=("Proxy-Status", OPEN))),
    ]


def check(cfg, answer):
    status, headers, body = answer
    if (status != cfg.status or (cfg.mark and cfg.mark not in body) or
            (cfg.header and headers.get(cfg.header[0]) != cfg.header[1])):
        sys.exit("instructions: expected %d%s%s, got %d %r: %r"
                 % (cfg.status, " with the branded page" if cfg.mark
                    else "", " and %s: %s" % cfg.header if cfg.header
                    else "", status, headers, body[:200]))


def total(cfg, requests, keep=None):
    """Instructions of one `apache2 -X` run answering `requests` requests;
    keep: where to copy the profile."""
    root = tempfile.mkdtemp(prefix="gwguard-cg-")
    h = Httpd(root, loglevel="crit", access_log=False,
              load_gwguard=cfg.module)
    for rel, text in cfg.files.items():
        (h.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (h.root / rel).write_text(text)
    h.write_config(cfg.conf)
    out = Path(root) / "callgrind.out"
    out.touch()
    if os.geteuid() == 0:       # the child writes it after switching user
        shutil.chown(out, "www-data", "www-data")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind",
                             "--callgrind-out-file=%s" % out, HTTPD, "-X",
                             "-f", str(h.conf_file)],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        h._wait_listening(timeout=120)
        for i in range(requests):
            answer = get(h.url + "/p/ok", timeout=60)
            if i > 0:       # the first opens the breaker, or is the same
                check(cfg, answer)
    finally:
        proc.terminate()
        proc.wait(120)
    text = subprocess.run(["callgrind_annotate", str(out)],
                          capture_output=True, text=True).stdout
    if keep:
        shutil.copy(out, keep)
    shutil.rmtree(root, ignore_errors=True)
    return int(re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS",
                         text).group(1).replace(",", ""))


def per_request(cfg, n, keep):
    return (total(cfg, n + 1, keep and keep + ".out")
            - total(cfg, 1, keep and keep + "-1.out")) / n


def measure(n=300, only=None, show=print, keep=None):
    """[(case, goal, stock, gwguard)] in instructions per request."""
    upstream = FaultUpstream().start()
    results = []
    try:
        for name, goal, stock, gw in cases(upstream.port, free_port()):
            if only and name not in only:
                continue
            s = per_request(stock, n, keep and "%s/%s-stock" % (keep, name))
            g = per_request(gw, n, keep and "%s/%s-gwguard" % (keep, name))
            results.append((name, goal, s, g))
            show(line(name, goal, s, g))
    finally:
        upstream.stop()
    return results


TITLES = {
    "success": "success: module loaded / not loaded",
    "success-breaker": "success, breaker configured / module not loaded",
    "builtin": "refused: built-in page / stock default error page",
    "template": "refused: template FILE page / stock ErrorDocument file",
    "breaker": "breaker open / stock balancer member in error",
}


def verdict(ratio, goal):
    return "%s (goal <= %.2f)" % ("met" if ratio <= goal else "NOT met", goal)


def line(name, goal, s, g):
    return ("%-56s stock %6.0f, gwguard %6.0f instr/request: ratio %.3f %s"
            % (TITLES[name], s, g, g / s, verdict(g / s, goal)))


def main():
    args, keep = sys.argv[1:], None
    if args[:1] == ["--keep"] and len(args) > 1:
        keep = args[1]
        os.makedirs(keep, exist_ok=True)
        args = args[2:]
    n = int(args.pop(0)) if args and args[0].isdigit() else 300
    unknown = [a for a in args if a not in TITLES]
    if unknown:
        sys.exit("instructions: unknown case %s; known are %s"
                 % (", ".join(unknown), ", ".join(TITLES)))
    if not shutil.which("valgrind"):
        sys.exit("instructions: valgrind is not installed")
    measure(n, set(args), keep=keep)


if __name__ == "__main__":
    main()
