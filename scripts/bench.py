#!/usr/bin/python3
"""make bench: what mod_gwguard costs, measured against stock httpd in the
same run. Two kinds of figures, each a ratio with its goal (issue #12):
instructions per request by callgrind (scripts/instructions.py: four
comparisons, deterministic), and req/s by wrk, two configurations run
alternately (A B A B ...) on 127.0.0.1 so machine noise hits both alike;
the success-path wrk comparison is repeated (BENCH_SUCCESS_RUNS runs of
fresh servers, each with an identical second stock server alongside as a
control of the noise) and its spread reported. Writes docs/performance.md
with the machine, the commands and the figures.
"""

import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tests" / "integration"))
sys.path.insert(0, str(TOP / "scripts"))

from httpd import Httpd, free_port, GWGUARDCTL, BUILD   # noqa: E402
import instructions                                     # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "4"))
CONNS = int(os.environ.get("BENCH_CONNS", "32"))
# The success path: more and shorter runs than the others, since a
# server instance's own speed varies by a few per cent (the control shows
# it) and only more instances average that out.
SUCCESS_RUNS = int(os.environ.get("BENCH_SUCCESS_RUNS", "9"))
SUCCESS_ROUNDS = int(os.environ.get("BENCH_SUCCESS_ROUNDS", "3"))
SUCCESS_SECONDS = int(os.environ.get("BENCH_SUCCESS_SECONDS", "3"))
INSTR_N = int(os.environ.get("BENCH_INSTR_N", "300"))     # 0: skip
MPM_LINES = ["StartServers 2", "ThreadsPerChild 32", "MinSpareThreads 8",
             "MaxSpareThreads 64", "MaxRequestWorkers 64", "ServerLimit 2"]
WRK = ["wrk", "-t2", "-c%d" % CONNS, "-d%ds" % SECONDS]
BEGIN = "<!-- written by make bench: do not edit -->"
END = "<!-- end of make bench output -->"


def wrk(url, seconds=SECONDS):
    cmd = WRK[:-1] + ["-d%ds" % seconds]
    out = subprocess.run(cmd + [url], capture_output=True, text=True,
                         timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps


def alternate(urls, rounds=ROUNDS, seconds=SECONDS):
    """Runs each url `rounds` times, interleaved; returns {name: [rps...]}."""
    results = {name: [] for name in urls}
    for name, url in urls.items():
        wrk(url, seconds)                           # warm up
    for _ in range(rounds):
        for name, url in urls.items():
            results[name].append(wrk(url, seconds))
    return results


def summary(samples):
    return min(samples), statistics.median(samples), max(samples)


def gateway(root, name, conf, module, htdocs=None):
    h = Httpd(Path(root) / name, load_gwguard=module, access_log=False,
              mpm_lines=MPM_LINES, loglevel="crit")
    for rel, text in (htdocs or {}).items():
        f = h.root / "htdocs" / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    h.write_config(conf)
    if module is False or h.configtest().returncode == 0:
        return h.start(conf)
    return None


class Report:
    def __init__(self):
        self.rows = []
        self.instr = []             # (case, goal, stock, gwguard)
        self.success = []           # the success ratio of each run
        self.control = []           # stock / stock, the same runs

    def ratio(self, title, results, a, b, goal=None):
        amin, amed, amax = summary(results[a])
        bmin, bmed, bmax = summary(results[b])
        r = amed / bmed
        verdict = "" if goal is None else (
            "met (goal >= %.2f)" % goal if r >= goal
            else "NOT met (goal >= %.2f)" % goal)
        self.rows.append((title, a, (amin, amed, amax), b, (bmin, bmed, bmax),
                          r, verdict))
        print("%-58s %8.0f vs %8.0f req/s  ratio %.3f %s"
              % (title, amed, bmed, r, verdict))

    def note(self, line):
        self.rows.append(line)
        print(line)


def bench_success(root, rep, upstream_port):
    """SUCCESS_RUNS runs, each with fresh servers and its own A B C A B C
    rounds: gwguard, stock, and a second stock server as the control (two
    identical configurations: their ratio is the noise). A run's ratio
    moves with its server instances on a shared machine, so every run's
    ratio is kept; the figure is their median, with the spread and the
    control's beside it."""
    conf = "ProxyPass /p/ http://127.0.0.1:%d/\n" % upstream_port
    for run in range(SUCCESS_RUNS):
        a = gateway(root, "success-gwguard-%d" % run, conf, True)
        b = gateway(root, "success-stock-%d" % run, conf, False)
        c = gateway(root, "success-control-%d" % run, conf, False)
        try:
            res = alternate({"gwguard": a.url + "/p/tiny.txt",
                             "stock": b.url + "/p/tiny.txt",
                             "control": c.url + "/p/tiny.txt"},
                            SUCCESS_ROUNDS, SUCCESS_SECONDS)
            rep.ratio("success path: module loaded / not loaded (run %d)"
                      % (run + 1), res, "gwguard", "stock", 0.99)
            rep.success.append(statistics.median(res["gwguard"])
                               / statistics.median(res["stock"]))
            rep.control.append(statistics.median(res["control"])
                               / statistics.median(res["stock"]))
        finally:
            for h in (a, b, c):
                h.stop()
    lo, med, hi = summary(rep.success)
    rep.note("success path wrk ratio over %d runs: min %.3f, median %.3f, "
             "max %.3f: goal >= 0.99 %s" % (len(rep.success), lo, med, hi,
                                            "met" if lo >= 0.99 else
                                            "met by the median"
                                            if med >= 0.99 else "NOT met"))
    lo, med, hi = summary(rep.control)
    rep.note("control, stock / stock (identical configurations) over the "
             "same %d runs: min %.3f, median %.3f, max %.3f: the noise a "
             "single run's ratio carries" % (len(rep.control), lo, med, hi))


def bench_instructions(rep):
    if INSTR_N <= 0:
        rep.note("instructions: skipped (BENCH_INSTR_N=0)")
        return
    if not shutil.which("valgrind"):
        rep.note("instructions: skipped, valgrind not installed")
        return
    rep.instr = instructions.measure(INSTR_N)


def bench_refused(root, rep):
    dead = free_port()
    conf = "ProxyPass /p/ http://127.0.0.1:%d/\n" % dead
    errdoc = ('ProxyPass /errors/ !\nProxyPass /p/ http://127.0.0.1:%d/\n'
              'ErrorDocument 503 /errors/503.html\n' % dead)
    page = ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            "<title>503</title></head><body><h1>Service Unavailable</h1>"
            "</body></html>\n")
    a = gateway(root, "refused-gwguard", conf, True)
    b = gateway(root, "refused-errordoc", errdoc, False,
                {"errors/503.html": page})
    c = gateway(root, "refused-stock", conf, False)
    try:
        res = alternate({"gwguard": a.url + "/p/x", "errordoc": b.url +
                         "/p/x", "stock": c.url + "/p/x"})
        rep.ratio("refused: gwguard page / stock ErrorDocument file", res,
                  "gwguard", "errordoc", 1.3)
        rep.ratio("refused: gwguard page / stock default error page", res,
                  "gwguard", "stock", 0.98)
    finally:
        for h in (a, b, c):
            h.stop()


def bench_breaker(root, rep, upstream_port):
    dead = free_port()
    conf = ("GwGuardBreaker failures=1 window=60 cooldown=600\n"
            "ProxyPass /p/ http://127.0.0.1:%d/\n" % dead)
    stock = ("<Proxy balancer://b>\n  BalancerMember http://127.0.0.1:%d "
             "retry=600\n  ProxySet forcerecovery=Off\n</Proxy>\n"
             "ProxyPass /p/ balancer://b/\n" % dead)
    static = "ProxyPass /p/ !\n"
    a = gateway(root, "breaker-gwguard", conf, True)
    if a is None:
        rep.note("breaker: skipped, this build has no GwGuardBreaker")
        return
    b = gateway(root, "breaker-stock", stock, False)
    c = gateway(root, "breaker-static", static, False,
                {"p/x": "tiny\n"})
    d = gateway(root, "breaker-refused", "ProxyPass /p/ http://127.0.0.1:"
                "%d/\n" % dead, True)
    try:
        for h in (a, b):                # open the breaker / mark in error
            subprocess.run(["curl", "-s", "-o", "/dev/null", h.url + "/p/x"],
                           timeout=10)
        res = alternate({"gwguard": a.url + "/p/x", "stock": b.url + "/p/x",
                         "static": c.url + "/p/x",
                         "refused": d.url + "/p/x"})
        rep.ratio("breaker open / stock balancer member in error", res,
                  "gwguard", "stock", 1.0)
        rep.ratio("breaker open / gwguard connect_refused (reported)", res,
                  "gwguard", "refused")
        rep.ratio("breaker open / stock tiny static file (reported)", res,
                  "gwguard", "static")
    finally:
        for h in (a, b, c, d):
            h.stop()


def bench_core(rep, tmp):
    out = subprocess.run([str(BUILD / "counter_bench"), tmp, "1000000"],
                         capture_output=True, text=True, timeout=300,
                         check=True).stdout
    for line in out.splitlines():
        rep.note("core: " + line)


def bench_ctl(rep, tmp):
    shm = os.path.join(tmp, "big.shm")
    subprocess.run([str(BUILD / "populate"), shm, "10000"], check=True,
                   capture_output=True, timeout=120)
    times = []
    for _ in range(5):
        t0 = time.monotonic()
        subprocess.run([str(GWGUARDCTL), "status", "--json", "--shm", shm],
                       stdout=subprocess.DEVNULL, check=True, timeout=60)
        times.append((time.monotonic() - t0) * 1000)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    med = statistics.median(times)
    rep.note("gwguardctl status --json, 10000 upstreams: median %.1f ms "
             "(min %.1f, max %.1f), peak RSS %d KiB: goal < 100 ms %s"
             % (med, min(times), max(times), peak,
                "met" if med < 100 else "NOT met"))


def instruction_lines(rep):
    if not rep.instr:
        return []
    lines = [
        "### Instructions per request (callgrind)",
        "",
        "`scripts/instructions.py %d`: `apache2 -X` (event MPM, LogLevel "
        "crit) under" % INSTR_N,
        "`valgrind --tool=callgrind`, %d requests on fresh connections "
        "minus a one-request" % INSTR_N,
        "run, divided by %d; deterministic, so one run is the figure." %
        INSTR_N,
        "",
        "| comparison | stock | gwguard | gwguard/stock | goal |",
        "|---|---|---|---|---|",
    ]
    for name, goal, s, g in rep.instr:
        lines.append("| %s | %.0f | %.0f | %.3f | %s |" % (
            instructions.TITLES[name], s, g, g / s,
            instructions.verdict(g / s, goal)))
    return lines + [""]


def write_doc(rep, started):
    lines = [
        "# Performance",
        "",
        "Measured by `make bench` (scripts/bench.py); numbers from the last",
        "run, written by the script. Instruction counts are by callgrind",
        "(deterministic). Every wrk ratio compares two configurations",
        "run alternately (A B A B, %d rounds of %d s, `%s`) against"
        % (ROUNDS, SECONDS, " ".join(WRK)),
        "the same upstream on 127.0.0.1 (a stock httpd serving a tiny static",
        "file); ratios are of medians. LogLevel crit, no access log, event",
        "MPM (%s). The success path is measured in %d separate runs"
        % (", ".join(MPM_LINES), SUCCESS_RUNS),
        "(fresh servers each, %d rounds of %d s), each with a second stock "
        "server alongside" % (SUCCESS_ROUNDS, SUCCESS_SECONDS),
        "as a control; the figure is the median of the runs' ratios, and "
        "the spread of both is reported.",
        "",
        "Machine: %s, %s, %d CPUs, Linux %s; %s." % (
            platform.node(), platform.machine(), os.cpu_count(),
            platform.release(), subprocess.run(
                ["/usr/sbin/apache2", "-v"], capture_output=True,
                text=True).stdout.splitlines()[0]),
        "Run at %s; wrk and both httpds share the machine's cores, so" %
        started,
        "absolute req/s are low and noisy; the ratios are the result.",
        "",
    ] + instruction_lines(rep) + [
        "### Requests per second (wrk)",
        "",
        "| measurement | A | A req/s min/med/max | B | B req/s min/med/max "
        "| A/B | goal |",
        "|---|---|---|---|---|---|---|",
    ]
    notes = []
    for row in rep.rows:
        if isinstance(row, str):
            notes.append(row)
            continue
        title, a, (amin, amed, amax), b, (bmin, bmed, bmax), r, v = row
        lines.append("| %s | %s | %.0f / %.0f / %.0f | %s | %.0f / %.0f / "
                     "%.0f | %.3f | %s |" % (title, a, amin, amed, amax, b,
                                             bmin, bmed, bmax, r, v or "-"))
    lines += ["", "Other figures:", ""]
    lines += ["- " + n for n in notes]
    lines += ["", "Reproduce: `make bench` (BENCH_ROUNDS, BENCH_SECONDS, "
              "BENCH_CONNS, BENCH_SUCCESS_RUNS, BENCH_SUCCESS_ROUNDS, "
              "BENCH_SUCCESS_SECONDS and BENCH_INSTR_N override "
              "the defaults); the instruction counts alone: "
              "`scripts/instructions.py 300`."]
    # the figures replace the generated part; notes written by people
    # after the end marker are kept
    doc = TOP / "docs" / "performance.md"
    kept = ""
    if doc.exists() and END in doc.read_text():
        kept = doc.read_text().split(END, 1)[1]
    doc.write_text(BEGIN + "\n" + "\n".join(lines) + "\n" + END + kept)


def main():
    if not shutil.which("wrk"):
        sys.exit("bench: wrk is not installed (apt-get install wrk)")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rep = Report()
    root = tempfile.mkdtemp(prefix="gwguard-bench-")
    up = Httpd(Path(root) / "upstream", load_gwguard=False, access_log=False,
               mpm_lines=MPM_LINES, loglevel="crit",
               modules=["authz_core", "mime"])
    (up.root / "htdocs" / "tiny.txt").write_text("ok\n")
    bench_instructions(rep)        # before the wrk servers: quiet cores
    up.start()
    try:
        bench_success(root, rep, up.port)
        bench_refused(root, rep)
        bench_breaker(root, rep, up.port)
    finally:
        up.stop()
    bench_core(rep, root)
    bench_ctl(rep, root)
    write_doc(rep, started)
    print("wrote docs/performance.md")


if __name__ == "__main__":
    main()
