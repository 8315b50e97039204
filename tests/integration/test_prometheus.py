"""Prometheus for real: promtool lints the exposition of the CLI and of
the handler, the shipped alerting rules pass `promtool check rules`, and
a real Prometheus on 127.0.0.1 scrapes the handler (choosing the format
by its own Accept header) and answers a counter through its query API."""

import json
import os
import shutil
import signal
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import get
from httpd import TOP, free_port
from test_status_handler import start, ctl
from test_counting import wait_for

PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")
needs_promtool = pytest.mark.skipif(
    not PROMTOOL, reason="promtool not installed (Debian package "
    "'prometheus'; scripts/deps.sh installs it)")
needs_prometheus = pytest.mark.skipif(
    not PROMETHEUS, reason="prometheus server not installed (Debian "
    "package 'prometheus')")


def promtool(*args, stdin=None):
    return subprocess.run([PROMTOOL] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=60)


@needs_promtool
def test_promtool_accepts_cli_and_handler(make_httpd, upstream, dead_port):
    h = start(make_httpd, upstream, dead_port)
    get(h.url + "/up/slow?ms=30")
    assert wait_for(lambda: h.status()["totals"]["requests"] == 6)
    outputs = {
        "cli": ctl("status", "--prometheus", "--shm", str(h.shm)),
        "handler": get(h.url + "/gwguard-status?format=prometheus")[2]
        .decode(),
    }
    for name, text in outputs.items():
        assert "gwguard_upstream_response_seconds_bucket" in text
        p = promtool("check", "metrics", stdin=text)
        # promtool prints lint findings and exits non-zero on any
        assert p.returncode == 0, (name, p.stdout, p.stderr)
        assert p.stdout.strip() == "" and p.stderr.strip() == "", name


@needs_promtool
def test_alerting_rules_are_valid():
    rules = TOP / "conf" / "prometheus" / "gwguard-rules.yml"
    p = promtool("check", "rules", str(rules))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "SUCCESS: " in p.stdout
    text = rules.read_text()
    # alert names are what sites route and silence on: kept, never renamed
    for alert in ("GwGuardUpstreamFailing", "GwGuardBreakerOpen",
                  "GwGuardUpstreamFailingEverywhere",
                  "GwGuardUpstreamFailingOnOneGateway",
                  "GwGuardOverflowSlotInUse", "GwGuardStatusNotScraped"):
        assert "alert: " + alert + "\n" in text


class Daemon:
    """A server started for one test, logging into its own directory,
    stopped by its pid (SIGTERM, then SIGKILL)."""

    def __init__(self, root, name, argv):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.logfile = self.root / (name + ".log")
        self.log = open(self.logfile, "w")
        self.proc = subprocess.Popen(argv, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     cwd=str(self.root))

    def tail(self, n=3000):
        return self.logfile.read_text()[-n:]

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()


class Prometheus(Daemon):
    """A Prometheus server on 127.0.0.1 with its own data directory,
    bounded in time and stopped by its pid."""

    def __init__(self, root, target_port):
        self.port = free_port()
        Path(root).mkdir(parents=True, exist_ok=True)
        conf = Path(root) / "prometheus.yml"
        conf.write_text(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            "scrape_configs:\n  - job_name: gwguard\n"
            "    metrics_path: /gwguard-status\n"
            "    static_configs:\n"
            "      - targets: ['127.0.0.1:%d']\n" % target_port)
        super().__init__(root, "prometheus", [
            PROMETHEUS, "--config.file=%s" % conf,
            "--storage.tsdb.path=%s" % (Path(root) / "data"),
            "--storage.tsdb.retention.time=1h",
            "--web.listen-address=127.0.0.1:%d" % self.port])

    def query(self, q):
        url = "http://127.0.0.1:%d/api/v1/query?%s" % (
            self.port, urllib.parse.urlencode({"query": q}))
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return json.loads(r.read())["data"]["result"]
        except OSError:
            return None


@needs_prometheus
def test_real_prometheus_scrapes_the_handler(make_httpd, upstream,
                                             dead_port, tmp_path):
    h = start(make_httpd, upstream, dead_port)
    dead = "http://127.0.0.1:%d" % dead_port
    prom = Prometheus(tmp_path / "prom", h.port)
    try:
        def scraped():
            r = prom.query('gwguard_failures_total{upstream="%s",'
                           'class="connect_refused"}' % dead)
            return r and r[0]["value"][1]
        value = wait_for(scraped, timeout=90)
        assert value == "2", (value, (tmp_path / "prom" /
                                      "prometheus.log").read_text()[-2000:])
        up = prom.query('up{job="gwguard"}')
        assert up and up[0]["value"][1] == "1"
        # a new failure shows up at the next scrape
        get(h.url + "/dead/again")
        assert wait_for(lambda: scraped() == "3", timeout=60)
        total = prom.query('sum(gwguard_requests_total)')
        assert total and total[0]["value"][1] == "6"
    finally:
        prom.stop()
