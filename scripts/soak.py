#!/usr/bin/env python3
"""The chaos soak (issue 11): one real httpd in front of 50 upstreams of
mixed faults, concurrent clients (some aborting), graceful restarts,
one full stop/start, resets of one key and of all at random moments, a
breaker that flaps; event, then prefork. At the end the counts the
clients observed must equal the segment's counters exactly, per upstream
and class, but for the band around a reset (see docs/reliability.md); no
child may crash, and neither file descriptors nor memory may grow past a
stated bound. httpd runs with CoreDumpDirectory; any core is turned into
a backtrace with gdb and printed.

    SOAK_SECONDS=600 scripts/soak.py            # make soak: 600 s per MPM
    scripts/soak.py --seconds 30                # the form make check runs
    scripts/soak.py --cycles 300                # stop/start cycles only

Exit status 0 when every check held; the report goes to stdout.
"""

import argparse
import collections
import http.client
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tests" / "integration"))

from faultd import FaultUpstream, Blackhole       # noqa: E402
from httpd import Httpd, GWGUARDCTL, free_port    # noqa: E402

# What each upstream does (path on the fault server), how many of them.
# None as the path: a dead port (connect refused) or a blackhole.
KINDS = [
    ("ok", "/ok", 11), ("slow", "/slow?ms=150", 5),
    ("s500", "/status/500", 4), ("s503", "/status/503", 3),
    ("close", "/close", 4), ("reset", "/reset", 3),
    ("garbage", "/garbage", 3), ("badversion", "/badversion", 2),
    ("bigheader", "/bigheader", 2), ("nocolon", "/nocolon", 1),
    ("truncate", "/truncate", 3), ("headstall", "/headstall", 2),
    ("hang", "/hang", 1), ("stall", "/stall", 1),
    ("dead", None, 3), ("blackhole", None, 1), ("flap", "/ok", 1),
]
# the class a truncated answer means, per kind (the answer had started)
CUT_CLASS = {"truncate": "body_reset", "stall": "body_timeout"}
PROXY_STATUS = {
    "connection_refused": "connect_refused",
    "connection_timeout": "connect_timeout",
    "dns_error": "dns", "tls_protocol_error": "tls",
    "tls_certificate_error": "tls",
    "http_response_timeout": "header_timeout",
    "connection_terminated": "reset_before_headers",
    "http_protocol_error": "bad_response",
    "http_response_header_size": "bad_response",
    "connection_limit_reached": "unavailable",
    "proxy_internal_error": "other",
}
# Requests that finished up to this long before a reset may still have
# been counted after it: the count is written as the request ends, which
# can be just after the client has its answer.
RESET_BAND_S = 2.0
CHILD_RSS_GROWTH_KIB = 16 * 1024
PARENT_RSS_GROWTH_KIB = 8 * 1024
FD_GROWTH = 8


def log(msg):
    print("[soak %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class Upstream:
    def __init__(self, index, kind, path):
        self.index = index
        self.kind = kind
        self.path = path
        self.server = None
        self.port = None

    @property
    def prefix(self):
        return "/u%d/" % self.index

    @property
    def key(self):
        return "http://127.0.0.1:%d" % self.port


class Obs:
    """One client request: which upstream, when, what the client saw."""
    __slots__ = ("up", "start", "end", "cls")

    def __init__(self, up, start, end, cls):
        self.up, self.start, self.end, self.cls = up, start, end, cls


class Soak:
    def __init__(self, mpm, seconds, workdir, clients=16, seed=None):
        self.mpm = mpm
        self.seconds = seconds
        self.workdir = Path(workdir)
        self.clients = clients
        self.rng = random.Random(seed)
        self.ups = []
        self.servers = []
        self.obs = []
        self.lock = threading.Lock()
        self.running = threading.Event()        # clients may start requests
        self.stop_all = threading.Event()
        self.in_flight = 0
        self.resets = []                        # (key or None, t0, t1)
        self.events = collections.Counter()
        self.samples = collections.defaultdict(list)  # pid -> [(rss, fds)]
        self.parent_samples = []
        self.cores = self.workdir / "cores"
        self.failures = []

    # ---- setup ----

    def make_upstreams(self):
        i = 0
        for kind, path, n in KINDS:
            for _ in range(n):
                u = Upstream(i, kind, path)
                if kind == "dead":
                    u.port = free_port()
                elif kind == "blackhole":
                    bh = Blackhole()
                    self.servers.append(bh)
                    u.port = bh.port
                else:
                    u.server = FaultUpstream().start()
                    self.servers.append(u.server)
                    u.port = u.server.port
                self.ups.append(u)
                i += 1
        self.flap = [u for u in self.ups if u.kind == "flap"][0]

    def config(self):
        lines = ["CoreDumpDirectory \"%s\"" % self.cores,
                 "GwGuardBreaker %s failures=3 window=5 cooldown=1"
                 % self.flap.key,
                 "<IfModule mpm_event_module>",
                 "AsyncRequestWorkerFactor 4", "</IfModule>"]
        for u in self.ups:
            # disablereuse: no pooled backend connections, so a child's
            # descriptors return to their baseline whenever it is idle
            lines.append("ProxyPass %s http://127.0.0.1:%d/ timeout=1 "
                         "connectiontimeout=1 retry=0 disablereuse=On"
                         % (u.prefix, u.port))
        return "\n".join(lines) + "\n"

    def mpm_lines(self):
        if self.mpm == "prefork":
            return ["StartServers 8", "MinSpareServers 8",
                    "MaxSpareServers 16", "MaxRequestWorkers 40",
                    "ServerLimit 40"]
        return ["StartServers 2", "ThreadsPerChild 25",
                "MinSpareThreads 25", "MaxSpareThreads 75",
                "MaxRequestWorkers 75", "ServerLimit 3"]

    # ---- clients ----

    def observe(self, u, conn, abort):
        """Sends one request; returns the class the client saw, or
        'abort' (we hung up) / 'error' (no answer)."""
        target = u.prefix + (u.path or "x").lstrip("/")
        if abort:
            conn.connect()
            conn.sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                               % target).encode())
            time.sleep(0.02)
            return "abort"
        conn.request("GET", target)
        resp = conn.getresponse()
        ps = resp.getheader("Proxy-Status") or ""
        try:
            resp.read()
        except (http.client.IncompleteRead, OSError):
            return CUT_CLASS.get(u.kind, "cut:" + u.kind)
        m = re.search(r"error=([a-z_]+)", ps)
        if m:
            err = m.group(1)
            if err == "destination_unavailable":
                return "circuit_open" if u is self.flap else "unavailable"
            return PROXY_STATUS.get(err, "other")
        if resp.status >= 500:
            return "upstream_5xx"
        if resp.status == 200:
            return "success"
        return "status:%d" % resp.status

    def client(self, port):
        rng = random.Random(self.rng.random())
        while not self.stop_all.is_set():
            if not self.running.wait(0.2):
                continue
            u = rng.choice(self.ups)
            abort = u.kind == "slow" and rng.random() < 0.3
            with self.lock:
                if not self.running.is_set():
                    continue
                self.in_flight += 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            start = time.monotonic()
            try:
                cls = self.observe(u, conn, abort)
            except (OSError, http.client.HTTPException):
                cls = "error"
            finally:
                conn.close()
            end = time.monotonic()
            with self.lock:
                self.in_flight -= 1
                self.obs.append(Obs(u, start, end, cls))

    def quiesce(self, timeout=30):
        self.running.clear()
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.02)

    # ---- chaos ----

    def ctl(self, cmd, *args):
        return subprocess.run([str(GWGUARDCTL), cmd, "--shm",
                               str(self.h.shm)] + list(args),
                              capture_output=True, text=True, timeout=60)

    def reset(self, key):
        t0 = time.monotonic()
        p = self.ctl("reset", *(["--all"] if key is None else [key]))
        t1 = time.monotonic()
        if p.returncode != 0:
            self.failures.append("gwguardctl reset failed: %s" % p.stderr)
        with self.lock:
            self.resets.append((key, t0, t1))
        self.events["reset --all" if key is None else "reset KEY"] += 1

    def flapper(self):
        failing = False
        while not self.stop_all.wait(1.5):
            failing = not failing
            self.flap.server.force = "/close" if failing else None
            self.events["flap"] += 1

    def sample(self):
        """RSS and open descriptors of the parent and every child."""
        parent = self.h._pid()
        if not parent:
            return
        for p in Path("/proc").iterdir():
            if not p.name.isdigit():
                continue
            try:
                st = (p / "status").read_text()
                fds = len(os.listdir(p / "fd"))
            except OSError:
                continue
            rss = int(re.search(r"^VmRSS:\s+(\d+)", st, re.M).group(1)) \
                if "VmRSS" in st else 0
            if int(p.name) == parent:
                self.parent_samples.append((rss, fds))
            elif re.search(r"^PPid:\s+%d$" % parent, st, re.M):
                self.samples[int(p.name)].append((rss, fds))

    # ---- the run ----

    def run(self):
        self.cores.mkdir(parents=True, exist_ok=True)
        os.chmod(self.cores, 0o1777)
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY,
                                                  resource.RLIM_INFINITY))
        self.make_upstreams()
        self.h = Httpd(self.workdir / "httpd", mpm=self.mpm,
                       access_log=False, mpm_lines=self.mpm_lines())
        self.h.start(self.config())
        threads = [threading.Thread(target=self.client, args=(self.h.port,),
                                    daemon=True)
                   for _ in range(self.clients)]
        threads.append(threading.Thread(target=self.flapper, daemon=True))
        for t in threads:
            t.start()
        self.running.set()
        t_start = time.monotonic()
        end = t_start + self.seconds
        graceful_every = min(20.0, max(5.0, self.seconds / 3))
        next_graceful = t_start + graceful_every
        stop_start_at = t_start + self.seconds * 0.55
        next_reset = t_start + self.rng.uniform(2, 6)
        checkpoint_every = min(10.0, max(3.0, self.seconds / 5))
        next_sample = t_start + 2
        stopped_once = False
        try:
            while time.monotonic() < end:
                now = time.monotonic()
                if now >= next_graceful:
                    self.h.graceful()
                    self.events["graceful"] += 1
                    next_graceful = now + graceful_every
                elif not stopped_once and now >= stop_start_at:
                    self.quiesce()
                    self.h.stop()
                    self.h.start(self.config())
                    self.events["stop/start"] += 1
                    stopped_once = True
                    self.running.set()
                elif now >= next_reset:
                    self.reset(None if self.rng.random() < 0.3
                               else self.rng.choice(self.ups).key)
                    next_reset = now + self.rng.uniform(3, 8)
                elif now >= next_sample:
                    # descriptors and memory are compared at quiet moments
                    self.quiesce()
                    time.sleep(0.3)
                    self.sample()
                    self.running.set()
                    next_sample = now + checkpoint_every
                time.sleep(0.05)
        except BaseException:
            self.stop_all.set()
            self.h.stop()
            for s in self.servers:
                s.stop()
            raise
        finally:
            self.quiesce()
            self.sample()
            self.stop_all.set()
            for t in threads:
                t.join(30)
        counters = self.settled_counters()
        self.h.stop()
        for s in self.servers:
            s.stop()
        self.check_counts(counters)
        self.check_growth()
        self.check_log_and_cores()
        return self.report()

    def settled_counters(self, timeout=30):
        """The counters once they stop moving (the last requests are
        counted as they end)."""
        prev, stable_since = None, time.monotonic()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            p = self.ctl("status", "--json")
            cur = json.loads(p.stdout)
            if cur != prev:
                prev, stable_since = cur, time.monotonic()
            elif time.monotonic() - stable_since > 1.0:
                break
            time.sleep(0.2)
        return {u["name"]: u for u in prev["upstreams"]}

    # ---- checks ----

    def check_counts(self, counters):
        """certain <= counter <= certain + band, per upstream and class;
        band = requests around the last reset of that upstream, plus
        requests whose class the client could not see (it hung up)."""
        self.mismatches = []
        self.compared = 0
        for u in self.ups:
            last = None
            for key, t0, t1 in self.resets:
                if key is None or key == u.key:
                    last = (t0, t1)
            mine = [o for o in self.obs if o.up is u]
            certain = collections.Counter()
            band = collections.Counter()
            unknown_after = 0
            unknown_band = 0
            for o in mine:
                after = last is None or o.start > last[1]
                near = (last is not None and o.start <= last[1]
                        and o.end >= last[0] - RESET_BAND_S)
                if o.cls in ("abort", "error"):
                    if after:
                        unknown_after += 1
                    elif near:
                        unknown_band += 1
                    continue
                if after:
                    certain[o.cls] += 1
                elif near:
                    band[o.cls] += 1
            c = counters.get(u.key, {"requests": 0, "successes": 0,
                                     "classes": {}})
            got = collections.Counter(c["classes"])
            got["success"] = c["successes"]
            classes = set(certain) | set(band) | {k for k, v in got.items()
                                                  if v}
            slack = unknown_after + unknown_band
            for cls in classes:
                lo = certain[cls]
                hi = certain[cls] + band[cls] + slack
                self.compared += 1
                if not lo <= got[cls] <= hi:
                    self.mismatches.append(
                        "%s (%s) %s: counter %d, clients saw %d (+%d near a "
                        "reset, +%d unknown)" % (u.key, u.kind, cls,
                                                 got[cls], lo, band[cls],
                                                 slack))
            aborts_after = sum(1 for o in mine if o.cls == "abort" and (
                last is None or o.start > last[1]))
            # breaker refusals are not attempts: in classes, not in
            # requests (docs/formats.md)
            total_lo = (sum(certain.values()) - certain["circuit_open"]
                        + aborts_after)
            total_hi = (total_lo + sum(band.values()) - band["circuit_open"]
                        + slack)
            if not total_lo <= c["requests"] <= total_hi:
                self.mismatches.append(
                    "%s (%s) requests: counter %d, expected %d..%d"
                    % (u.key, u.kind, c["requests"], total_lo, total_hi))
        if self.mismatches:
            self.failures += self.mismatches

    def check_growth(self):
        self.growth = []
        for pid, s in self.samples.items():
            if len(s) < 2:
                continue
            rss = s[-1][0] - s[0][0]
            fds = s[-1][1] - s[0][1]
            self.growth.append((pid, rss, fds, len(s)))
            if rss > CHILD_RSS_GROWTH_KIB or fds > FD_GROWTH:
                self.failures.append("child %d grew %d KiB RSS, %d fds over "
                                     "%d samples" % (pid, rss, fds, len(s)))
        # the parent: after the stop/start it is a new process; compare
        # only the samples of the last one (graceful restarts keep it)
        ps = self.parent_samples[-max(1, len(self.parent_samples) // 3):]
        if len(ps) >= 2:
            self.parent_growth = (ps[-1][0] - ps[0][0], ps[-1][1] - ps[0][1])
            if (self.parent_growth[0] > PARENT_RSS_GROWTH_KIB
                    or self.parent_growth[1] > FD_GROWTH):
                self.failures.append("parent grew %d KiB RSS, %d fds"
                                     % self.parent_growth)
        else:
            self.parent_growth = (0, 0)

    def check_log_and_cores(self):
        text = self.h.read_error_log()
        self.crashes = re.findall(r".*exit signal.*", text)
        if self.crashes:
            self.failures += ["crash: " + c for c in self.crashes]
        self.backtraces = []
        for core in sorted(self.cores.glob("core*")):
            bt = subprocess.run(
                ["gdb", "-batch", "-nx", "-ex", "bt", "-ex",
                 "thread apply all bt 20", "/usr/sbin/apache2", str(core)],
                capture_output=True, text=True, timeout=300).stdout
            self.backtraces.append((core, bt))
            self.failures.append("core dump %s" % core)

    def report(self):
        by_cls = collections.Counter(o.cls for o in self.obs)
        log("%s: %d requests in %d s; %s" % (
            self.mpm, len(self.obs), self.seconds,
            ", ".join("%s %d" % kv for kv in sorted(by_cls.items()))))
        log("%s: chaos: %s" % (self.mpm, ", ".join(
            "%s %d" % kv for kv in sorted(self.events.items()))))
        log("%s: %d counters compared, %d mismatches; %d children sampled, "
            "largest growth %d KiB RSS / %d fds; parent %d KiB / %d fds"
            % (self.mpm, self.compared, len(self.mismatches),
               len(self.growth),
               max([g[1] for g in self.growth] or [0]),
               max([g[2] for g in self.growth] or [0]),
               self.parent_growth[0], self.parent_growth[1]))
        for core, bt in self.backtraces:
            log("backtrace of %s:\n%s" % (core, bt))
        for f in self.failures:
            log("FAIL %s" % f)
        return not self.failures


def cycles(n, workdir):
    """Stop/start cycles with requests in between, cores kept: the hunt
    for the shutdown segfault. Returns the number of crashes seen."""
    workdir = Path(workdir)
    cores = workdir / "cores"
    cores.mkdir(parents=True, exist_ok=True)
    os.chmod(cores, 0o1777)
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY,
                                              resource.RLIM_INFINITY))
    up = FaultUpstream().start()
    dead = free_port()
    crashes = 0
    try:
        for i in range(n):
            mpm = "event" if i % 2 == 0 else "prefork"
            h = Httpd(workdir / ("h%d" % (i % 2)), mpm=mpm, access_log=False)
            h.start("CoreDumpDirectory \"%s\"\n"
                    "ProxyPass /up/ http://127.0.0.1:%d/ retry=0\n"
                    "ProxyPass /dead/ http://127.0.0.1:%d/ retry=0\n"
                    % (cores, up.port, dead))
            for path in ("/up/ok", "/dead/x", "/up/close", "/up/ok"):
                c = http.client.HTTPConnection("127.0.0.1", h.port, timeout=10)
                try:
                    c.request("GET", path)
                    c.getresponse().read()
                except (OSError, http.client.HTTPException):
                    pass
                c.close()
            h.stop()
            text = h.read_error_log()
            seen = len(re.findall(r"exit signal", text))
            if seen:
                crashes += seen
                log("cycle %d (%s): %s" % (i, mpm, "\n".join(
                    re.findall(r".*exit signal.*", text))))
            h.error_log.write_text("")
            if (i + 1) % 50 == 0:
                log("%d cycles, %d crashes" % (i + 1, crashes))
    finally:
        up.stop()
    for core in sorted(cores.glob("core*")):
        log("backtrace of %s:\n%s" % (core, subprocess.run(
            ["gdb", "-batch", "-nx", "-ex", "bt", "/usr/sbin/apache2",
             str(core)], capture_output=True, text=True,
            timeout=300).stdout))
    log("%d stop/start cycles: %d child crashes, %d cores"
        % (n, crashes, len(list(cores.glob("core*")))))
    return crashes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int,
                    default=int(os.environ.get("SOAK_SECONDS", "600")),
                    help="per MPM (SOAK_SECONDS, default 600)")
    ap.add_argument("--mpm", action="append",
                    help="event and/or prefork (default: both, in turn)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cycles", type=int, default=0,
                    help="only stop/start cycles (the shutdown hunt)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the work directory")
    args = ap.parse_args()
    # stopped from a script (background jobs ignore SIGINT): clean up too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("soak: terminated"))
    for p in (GWGUARDCTL, TOP / "build" / "mod_gwguard.so"):
        if not Path(p).exists():
            sys.exit("soak: build first (make): %s is missing" % p)
    work = Path(tempfile.mkdtemp(prefix="gwguard-soak-"))
    os.chmod(work, 0o755)
    ok = True
    try:
        if args.cycles:
            ok = cycles(args.cycles, work) == 0
        else:
            for mpm in args.mpm or ["event", "prefork"]:
                log("%s for %d s, %d clients" % (mpm, args.seconds,
                                                  args.clients))
                soak = Soak(mpm, args.seconds, work / mpm, args.clients,
                            args.seed)
                ok = soak.run() and ok
    finally:
        if args.keep or not ok:
            log("work directory kept: %s" % work)
        else:
            subprocess.run(["rm", "-rf", str(work)])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
