"""Fleet monitoring on real parts (docs/monitoring.md): the shipped rules'
unit tests (promtool test rules), the blame split against the classes a
real handler exports, the Grafana dashboard's PromQL, the systemd
textfile units with a real node_exporter, and an end-to-end alert: two
httpd gateways, a real Prometheus and a real Alertmanager, an upstream
killed behind one gateway, the alert and its resolution at a webhook
the test runs. Everything listens on 127.0.0.1, lives in the test's
temp dir, is bounded in time and stopped by its pid."""

import http.client
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import get
from httpd import BUILD, GWGUARDCTL, TOP, free_port
from test_counting import wait_for
from test_prometheus import Daemon
from faultd import FaultUpstream

RULES = TOP / "conf" / "prometheus" / "gwguard-rules.yml"
RULE_TESTS = TOP / "tests" / "prometheus" / "gwguard-rules.test.yml"
AM_CONF = TOP / "conf" / "prometheus" / "alertmanager-gwguard.yml"
DASHBOARD = TOP / "conf" / "grafana" / "gwguard.json"
UNITS = TOP / "conf" / "systemd"
MONITORING_MD = TOP / "docs" / "monitoring.md"
ARTIFACTS = BUILD / "artifacts"

PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")
ALERTMANAGER = shutil.which("prometheus-alertmanager")
AMTOOL = shutil.which("amtool")
NODE_EXPORTER = shutil.which("prometheus-node-exporter")
CHROMIUM = shutil.which("chromium")


def needs(path, package):
    return pytest.mark.skipif(
        path is None, reason="%s is not installed (Debian package '%s'; "
        "scripts/deps.sh installs it where apt has a candidate)"
        % (package, package))


needs_promtool = needs(PROMTOOL, "prometheus")

# Metrics the dashboard shows before the module exports them: the panel
# is shipped, its query is checked by promtool, and it has no data yet.
# The test fails once the metric appears, so this list cannot go stale.
PENDING_METRICS = {}

# The panels in docs/img/monitoring-prometheus.png (GWG_SCREENSHOT=1).
SCREENSHOT_PANELS = ("Failure rate by class", "Gateway vs upstream blame",
                     "Failure ratio by upstream and gateway",
                     "Top failing upstreams", "Requests per second by gateway",
                     "Upstream time to first byte")

STATUS_CONF = """
Alias /gwguard-status /dev/null
<Location /gwguard-status>
  SetHandler gwguard-status
</Location>
ProxyPass /gwguard-status !
"""


def promtool(*args, stdin=None):
    return subprocess.run([PROMTOOL] + [str(a) for a in args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def load_rules():
    return yaml.safe_load(RULES.read_text())


def all_rules():
    return [r for g in load_rules()["groups"] for r in g["rules"]]


# --- the rules ---------------------------------------------------------

@needs_promtool
def test_rule_unit_tests_pass():
    p = promtool("test", "rules", RULE_TESTS)
    assert p.returncode == 0 and "SUCCESS" in p.stdout, p.stdout + p.stderr


def test_every_rule_is_unit_tested():
    tests = yaml.safe_load(RULE_TESTS.read_text())
    assert tests["rule_files"] == ["../../conf/prometheus/gwguard-rules.yml"]
    alerts_tested = {a["alertname"] for t in tests["tests"]
                     for a in t.get("alert_rule_test", [])}
    # an alert is tested when some fixture expects it to fire
    alerts_firing = {a["alertname"] for t in tests["tests"]
                     for a in t.get("alert_rule_test", [])
                     if a.get("exp_alerts")}
    exprs = " ".join(e["expr"] for t in tests["tests"]
                     for e in t.get("promql_expr_test", []))
    for rule in all_rules():
        if "alert" in rule:
            assert rule["alert"] in alerts_firing, rule["alert"]
        else:
            name = rule["record"]
            used = re.search(re.escape(name) + r"(?![\w:])", exprs)
            assert used, "no promql_expr_test reads " + name
    assert alerts_firing <= alerts_tested


# Labels an alert cannot name, because its expression aggregates them
# away or they do not apply; its text says so in words.
NOT_NAMED = {
    "GwGuardUpstreamFailingEverywhere": {"instance"},   # all of them
    "GwGuardOverflowSlotInUse": {"class"},              # every class mixed
    "GwGuardStatusNotScraped": {"upstream", "class"},   # all unwatched
    "GwGuardUpstreamSlow": {"class"},                   # none yet
}


def doc_anchors(path):
    """GitHub's anchors for the headings of a Markdown file."""
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.*)$", path.read_text(), re.M)}


def test_alerts_name_upstream_class_instance_and_a_runbook():
    anchors = doc_anchors(MONITORING_MD)
    for rule in all_rules():
        if "alert" not in rule:
            continue
        ann, labels = rule["annotations"], rule.get("labels", {})
        assert {"summary", "description", "runbook_url"} <= set(ann), rule
        assert labels.get("severity") in ("warning", "critical"), rule
        text = ann["summary"] + ann["description"]
        for label in ("upstream", "class", "instance"):
            if label in NOT_NAMED.get(rule["alert"], ()):
                assert "$labels." + label not in text, rule["alert"]
                continue
            assert "$labels." + label in text or label in labels, (
                rule["alert"], label)
        url = ann["runbook_url"]
        doc, _, anchor = url.partition("#")
        assert doc == "docs/monitoring.md" and anchor in anchors, url
        assert anchor == rule["alert"].lower()


def blame_groups():
    groups = {}
    for rule in all_rules():
        if rule.get("record") == "gwguard:failures_by_blame:rate5m":
            blame = rule["labels"]["blame"]
            m = re.search(r'class=~"([^"]+)"', rule["expr"])
            groups[blame] = (set(m.group(1).split("|")) if m else
                             {"client_abort"}
                             if "client_aborts" in rule["expr"] else set())
    return groups


def test_blame_split_covers_every_class_the_handler_exports(make_httpd,
                                                            upstream):
    h = make_httpd()
    h.start(STATUS_CONF + "ProxyPass /up/ http://127.0.0.1:%d/\n"
            % upstream.port)
    get(h.url + "/up/ok")
    assert wait_for(lambda: h.status()["totals"]["requests"] == 1)
    text = get(h.url + "/gwguard-status?format=prometheus")[2].decode()
    exported = set(re.findall(r'^gwguard_failures_total\{[^}]*class="(\w+)"',
                              text, re.M))
    assert "gwguard_client_aborts_total{" in text
    exported.add("client_abort")
    # every class of SPEC section 2 but circuit_open, which is exported
    # apart as gwguard_breaker_refusals_total (not a failure)
    assert "gwguard_breaker_refusals_total{" in text
    assert "circuit_open" not in exported
    # ... and maintenance, an admin's window, apart as
    # gwguard_maintenance_answers_total: no blame group may count it
    assert "gwguard_maintenance_answers_total{" in text
    assert "maintenance" not in exported
    assert len(exported) >= 13, exported
    groups = blame_groups()
    assert set(groups) == {"gateway", "upstream", "client"}
    seen = [c for g in groups.values() for c in g]
    assert len(seen) == len(set(seen)), "a class in two groups: %s" % seen
    assert set(seen) == exported, (set(seen) ^ exported)


# --- Alertmanager routing and the systemd units -------------------------

@needs(AMTOOL, "prometheus-alertmanager")
def test_alertmanager_example_is_valid():
    p = subprocess.run([AMTOOL, "check-config", str(AM_CONF)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Found:" in p.stdout and "inhibit" in p.stdout, p.stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path):
    for unit in UNITS.iterdir():
        shutil.copy(unit, tmp_path)
    p = subprocess.run(["systemd-analyze", "verify", "--man=no"]
                       + sorted(str(u) for u in tmp_path.iterdir()),
                       capture_output=True, text=True, timeout=60)
    # verify exits 0 on some parse errors: any word from it is one
    assert p.returncode == 0 and not p.stderr.strip(), p.stderr
    timer = (UNITS / "gwguard-textfile.timer").read_text()
    assert "OnUnitActiveSec=15s" in timer


def unit_command(env):
    """The service's ExecStart, with ${VAR} expanded from env as systemd
    does, split as systemd does (its quoting is the shell's here)."""
    service = (UNITS / "gwguard-textfile.service").read_text()
    line = re.search(r"^ExecStart=(.*)$", service, re.M).group(1)
    defaults = dict(re.findall(r"^Environment=(\w+)=(\S+)$", service, re.M))
    assert defaults["TEXTFILE_DIR"] == "/var/lib/prometheus/node-exporter"
    assert "ReadWritePaths=%s" % defaults["TEXTFILE_DIR"] in service
    line = re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], line)
    return shlex.split(line)


def http_get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read().decode()
    except OSError:
        return None


@needs(NODE_EXPORTER, "prometheus-node-exporter")
def test_textfile_timer_command_feeds_node_exporter(make_httpd, upstream,
                                                    dead_port, tmp_path):
    h = make_httpd()
    h.start("ProxyPass /up/ http://127.0.0.1:%d/\n"
            "ProxyPass /dead/ http://127.0.0.1:%d/\n"
            % (upstream.port, dead_port))
    for path in ("/up/ok", "/dead/x", "/dead/y"):
        get(h.url + path)
    assert wait_for(lambda: h.status()["totals"]["requests"] == 3)
    textdir = tmp_path / "textfile"
    textdir.mkdir()
    env = dict(os.environ, TEXTFILE_DIR=str(textdir), GWGUARD_SHM=str(h.shm),
               PATH="%s:%s" % (GWGUARDCTL.parent, os.environ["PATH"]))
    argv = unit_command(env)
    assert argv[:2] == ["/bin/sh", "-c"], argv
    p = subprocess.run(argv, env=env, capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    assert sorted(f.name for f in textdir.iterdir()) == ["gwguard.prom"]
    port = free_port()
    ne = Daemon(tmp_path / "ne", "node_exporter", [
        NODE_EXPORTER, "--collector.disable-defaults",
        "--collector.textfile",
        "--collector.textfile.directory=%s" % textdir,
        "--web.listen-address=127.0.0.1:%d" % port])
    try:
        url = "http://127.0.0.1:%d/metrics" % port
        body = wait_for(lambda: http_get(url), timeout=30)
        assert body, ne.tail()
        dead = "http://127.0.0.1:%d" % dead_port
        assert re.search(r'^gwguard_failures_total\{class="connect_refused",'
                         r'upstream="%s"\} 2$' % re.escape(dead), body, re.M), (
            body[:3000])
        assert re.search(r'^node_textfile_mtime_seconds\{file="[^"]*gwguard'
                         r'\.prom"\} \S+$', body, re.M), body[-2000:]
        assert "node_textfile_scrape_error 0" in body
        # the next run replaces the file with the new counts
        get(h.url + "/dead/z")
        assert wait_for(lambda: h.status()["totals"]["requests"] == 4)
        assert subprocess.run(argv, env=env, timeout=30).returncode == 0
        body = http_get(url)
        assert re.search(r'^gwguard_failures_total\{class="connect_refused",'
                         r'upstream="%s"\} 3$' % re.escape(dead), body, re.M)
        # a run that fails keeps the last good file (its age alerts)
        bad = dict(env, GWGUARD_SHM=str(tmp_path / "missing.shm"))
        p = subprocess.run(argv, env=bad, capture_output=True, text=True,
                           timeout=30)
        assert p.returncode != 0 and p.stderr
        body = http_get(url)
        assert "node_textfile_scrape_error 0" in body
        assert re.search(r'upstream="%s"\} 3$' % re.escape(dead), body, re.M)
    finally:
        ne.stop()


# --- the dashboard -------------------------------------------------------

def dashboard_queries():
    """(panel title, PromQL) for every target, with the variables at
    "All" (their allValue); plus the variables' label_values queries as
    the series they read."""
    dash = json.loads(DASHBOARD.read_text())
    out = []
    for panel in dash["panels"]:
        for t in panel.get("targets", []):
            expr = t["expr"]
            expr = expr.replace("$instance", ".*").replace("$upstream", ".*")
            out.append((panel["title"], expr))
    for var in dash["templating"]["list"]:
        if var["type"] == "query":
            m = re.fullmatch(r"label_values\((.*), (\w+)\)",
                             var["query"]["query"])
            assert m, var
            out.append(("variable " + var["name"],
                        m.group(1).replace("$instance", ".*")))
    return out


def test_dashboard_is_importable():
    dash = json.loads(DASHBOARD.read_text())
    assert dash["uid"] and dash["title"] and dash["schemaVersion"] >= 30
    names = {v["name"]: v for v in dash["templating"]["list"]}
    assert names["datasource"]["type"] == "datasource"
    for var in ("instance", "upstream"):
        assert names[var]["type"] == "query" and names[var]["includeAll"]
        assert names[var]["allValue"] == ".*"
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    titles = " ".join(p["title"] for p in dash["panels"]).lower()
    for what in ("by class", "top failing", "breaker", "maintenance",
                 "time to first byte", "blame"):
        assert what in titles, what
    for panel in dash["panels"]:
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        for t in panel["targets"]:
            for sel in re.findall(r"\{([^}]*)\}", t["expr"]):
                if "gwguard" in t["expr"] and "ALERTS" not in t["expr"]:
                    assert 'instance=~"$instance"' in sel, t["expr"]


@needs_promtool
def test_dashboard_queries_parse(tmp_path):
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": "dashboard:query_%d" % i, "expr": q}
        for i, (_, q) in enumerate(dashboard_queries())]}]}
    f = tmp_path / "dashboard-queries.yml"
    f.write_text(yaml.safe_dump(rules))
    p = promtool("check", "rules", f)
    assert p.returncode == 0, p.stdout + p.stderr
    records = {r["record"] for r in all_rules() if "record" in r}
    for title, q in dashboard_queries():
        for name in re.findall(r"gwguard:[\w:]+", q):
            assert name in records, (title, name)


# --- end to end ----------------------------------------------------------

class Webhook:
    """Alertmanager's webhook receiver: keeps every notification."""

    def __init__(self):
        self.notifications = []
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(n))
                with hook.lock:
                    hook.notifications.append(body)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def alerts(self):
        with self.lock:
            return [dict(a, groupStatus=n["status"])
                    for n in self.notifications for a in n["alerts"]]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def short_rules_copy(dst, window="10s", short="5s", for_="5s"):
    """The shipped rules with short windows and "for:", for a test that
    must fire and resolve within a minute. The expressions stay the
    shipped ones; only [5m] (rates), [1m] and "for:" shrink."""
    rules = load_rules()
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule["expr"] = rule["expr"].replace("[5m]", "[%s]" % window)
            rule["expr"] = rule["expr"].replace("[1m]", "[%s]" % short)
            if "for" in rule:
                rule["for"] = for_
    dst.write_text(yaml.safe_dump(rules, sort_keys=False))
    return dst


class Upstream:
    """A real upstream process (python3 -m http.server) on a fixed
    loopback port, so a test can kill it and bring it back."""

    def __init__(self, root, port):
        self.root, self.port = Path(root), port
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "index.html").write_text("ok\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port),
             "--bind", "127.0.0.1", "--directory", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = "http://127.0.0.1:%d/" % self.port
        assert wait_for(lambda: http_get(url, 1), timeout=15)
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)


class Traffic:
    """Requests to the gateways in a background thread, each on a fresh
    connection, every 0.1 s, until stopped."""

    def __init__(self, urls):
        self.urls = urls
        self.stopped = threading.Event()
        self.sent = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopped.is_set():
            for url in self.urls:
                try:
                    get(url, timeout=5)
                except (OSError, http.client.HTTPException):
                    pass            # a failing upstream is the point
                self.sent += 1
            self.stopped.wait(0.1)

    def stop(self):
        self.stopped.set()
        self.thread.join(15)


def query(port, q):
    body = http_get("http://127.0.0.1:%d/api/v1/query?%s"
                    % (port, urllib.parse.urlencode({"query": q})))
    return json.loads(body)["data"]["result"] if body else None


def chromium_shot(url, path, width, height):
    profile = path.parent / ("chromium-profile-" + path.stem)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--user-data-dir=%s" % profile,
                    "--window-size=%d,%d" % (width, height),
                    "--virtual-time-budget=10000",
                    "--screenshot=%s" % path, url],
                   capture_output=True, timeout=120)
    shutil.rmtree(profile, ignore_errors=True)


def screenshot(prom_port, panels, path):
    """The dashboard's queries as graphed by Prometheus's own /graph page
    in headless Chromium (Grafana is not packaged in Debian 12): one
    shot per query, then one page that shows them side by side."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # One time range for every shot, however long Chromium takes. The
    # page takes its end to the minute, so wait for a whole minute.
    time.sleep(60 - time.time() % 60 + 1)
    end = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    cells = []
    for i, (title, q) in enumerate(panels):
        url = "http://127.0.0.1:%d/graph?%s" % (prom_port, urllib.parse.urlencode(
            {"g0.expr": q, "g0.tab": "0", "g0.range_input": "3m",
             "g0.end_input": end, "g0.moment_input": end}))
        shot = path.parent / ("panel-%d.png" % i)
        chromium_shot(url, shot, 760, 1000)
        cells.append("<figure><figcaption>%s</figcaption><div><img src='%s'>"
                     "</div></figure>" % (title, shot.name))
    page = path.parent / "panels.html"
    page.write_text(
        "<!DOCTYPE html><style>body{margin:0;font:13px sans-serif;"
        "display:grid;grid-template-columns:1fr 1fr;width:900px}"
        "figure{margin:4px}figcaption{font-weight:bold}"
        # the shots at 58 %, without Prometheus's navigation bar
        "div{height:530px;overflow:hidden}"
        "img{width:440px;margin-top:-32px}"
        "</style>" + "".join(cells))
    rows = (len(cells) + 1) // 2
    chromium_shot(page.as_uri(), path, 900, rows * 562)


def check_inhibition(am_port, hook):
    """The example's inhibition rules, on the real Alertmanager: alerts
    posted as Prometheus posts them; a fleet-wide or one-gateway alert
    hides the per-gateway GwGuardUpstreamFailing for the same upstream
    and class, and only that one."""
    def alert(name, upstream, cls, instance=None):
        labels = {"alertname": name, "severity": "warning",
                  "upstream": upstream, "class": cls}
        if instance:
            labels["instance"] = instance
        return {"labels": labels,
                "annotations": {"summary": "inhibition test"}}
    x, y, z = ("http://inhibit-x:1", "http://inhibit-y:1",
               "http://inhibit-z:1")
    posted = [
        alert("GwGuardUpstreamFailingEverywhere", x, "connect_refused"),
        alert("GwGuardUpstreamFailing", x, "connect_refused", "gw-a:80"),
        alert("GwGuardUpstreamFailingOnOneGateway", z, "dns", "gw-a:80"),
        alert("GwGuardUpstreamFailing", z, "dns", "gw-a:80"),
        alert("GwGuardUpstreamFailing", y, "connect_refused", "gw-a:80")]
    body = json.dumps(posted).encode()
    req = urllib.request.Request(
        "http://127.0.0.1:%d/api/v2/alerts" % am_port, data=body,
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200

    def got():
        return {(a["labels"]["alertname"], a["labels"]["upstream"])
                for a in hook.alerts() if "inhibit-" in a["labels"]["upstream"]}
    expected = {("GwGuardUpstreamFailingEverywhere", x),
                ("GwGuardUpstreamFailingOnOneGateway", z),
                ("GwGuardUpstreamFailing", y)}
    assert wait_for(lambda: got() >= expected, timeout=30), got()
    # every group was flushed together (group_wait 1 s): wait two more
    # flushes for the inhibited ones that must not come
    time.sleep(2.5)
    assert got() == expected, got()


@needs(PROMETHEUS, "prometheus")
@needs(ALERTMANAGER, "prometheus-alertmanager")
def test_fleet_alert_end_to_end(make_httpd, upstream, tmp_path):
    """Three upstreams: "app" behind gw1 only, killed and brought back;
    "web" behind both, healthy throughout; "shared" behind both, which
    gw1's configuration sends to a path where it drops the connection
    (a bad gateway: gw2 reaches it fine)."""
    started = time.monotonic()
    app = Upstream(tmp_path / "app", free_port()).start()
    web = upstream
    shared = FaultUpstream().start()
    gw1, gw2 = make_httpd(), make_httpd()
    gw1.start(STATUS_CONF + "ProxyPass /app/ http://127.0.0.1:%d/\n"
              "ProxyPass /web/ http://127.0.0.1:%d/\n"
              "ProxyPass /shared http://127.0.0.1:%d/close\n"
              % (app.port, web.port, shared.port))
    gw2.start(STATUS_CONF + "ProxyPass /web/ http://127.0.0.1:%d/\n"
              "ProxyPass /shared http://127.0.0.1:%d/ok\n"
              % (web.port, shared.port))
    app_key = "http://127.0.0.1:%d" % app.port
    web_key = "http://127.0.0.1:%d" % web.port
    shared_key = "http://127.0.0.1:%d" % shared.port
    gw1_inst, gw2_inst = ("127.0.0.1:%d" % gw1.port,
                          "127.0.0.1:%d" % gw2.port)

    hook = Webhook()
    am_port, prom_port = free_port(), free_port()
    am_conf = yaml.safe_load(AM_CONF.read_text())
    am_conf["route"].update(group_wait="1s", group_interval="1s",
                            repeat_interval="1h")
    for r in am_conf["receivers"]:
        for w in r.get("webhook_configs", []):
            w["url"] = "http://127.0.0.1:%d/" % hook.port
    (tmp_path / "am").mkdir()
    (tmp_path / "am" / "alertmanager.yml").write_text(yaml.safe_dump(am_conf))
    prom_dir = tmp_path / "prom"
    prom_dir.mkdir()
    short_rules_copy(prom_dir / "rules.yml")
    (prom_dir / "prometheus.yml").write_text(yaml.safe_dump({
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s",
                   "evaluation_interval": "1s"},
        "rule_files": ["rules.yml"],
        "alerting": {"alertmanagers": [{"static_configs": [
            {"targets": ["127.0.0.1:%d" % am_port]}]}]},
        "scrape_configs": [{"job_name": "gwguard",
                            "metrics_path": "/gwguard-status",
                            "static_configs": [{"targets": [gw1_inst,
                                                            gw2_inst]}]}]}))
    daemons = []
    traffic = None
    try:
        daemons.append(Daemon(tmp_path / "am", "alertmanager", [
            ALERTMANAGER, "--config.file=alertmanager.yml",
            "--storage.path=data", "--cluster.listen-address=",
            "--web.listen-address=127.0.0.1:%d" % am_port]))
        daemons.append(Daemon(prom_dir, "prometheus", [
            PROMETHEUS, "--config.file=prometheus.yml",
            "--storage.tsdb.path=data", "--storage.tsdb.retention.time=1h",
            "--rules.alert.resend-delay=1s",
            "--web.listen-address=127.0.0.1:%d" % prom_port]))
        traffic = Traffic([gw1.url + "/app/", gw1.url + "/web/ok",
                           gw2.url + "/web/ok", gw2.url + "/shared"])

        # every gateway and upstream has a rate before anything fails
        def warm():
            r = query(prom_port, "gwguard:requests:rate5m > 0")
            return r is not None and len(r) == 4
        assert wait_for(warm, timeout=60), daemons[1].tail()
        assert not hook.alerts()

        app.kill()
        killed = time.monotonic()
        traffic.urls.append(gw1.url + "/shared")

        def notified(status, name="GwGuardUpstreamFailing", key=app_key):
            return [a for a in hook.alerts()
                    if a["labels"]["alertname"] == name
                    and a["labels"]["upstream"] == key
                    and a["status"] == status]
        firing = wait_for(lambda: notified("firing"), timeout=60)
        assert firing, (query(prom_port, "ALERTS"), daemons[0].tail())
        fired = time.monotonic()
        labels = firing[0]["labels"]
        assert (labels["upstream"], labels["class"], labels["instance"]) == (
            app_key, "connect_refused", gw1_inst), labels
        desc = firing[0]["annotations"]["description"]
        assert app_key in desc and gw1_inst in desc and "connect_refused" in desc
        assert firing[0]["annotations"]["runbook_url"].startswith(
            "docs/monitoring.md#")
        bad_gw = wait_for(lambda: notified(
            "firing", "GwGuardUpstreamFailingOnOneGateway", shared_key), 30)
        assert bad_gw, (query(prom_port, "ALERTS"), hook.alerts())
        assert (bad_gw[0]["labels"]["instance"],
                bad_gw[0]["labels"]["class"]) == (gw1_inst,
                                                  "reset_before_headers")

        # every dashboard query has data while the alert fires
        empty = []
        for title, q in dashboard_queries():
            if any(m in q for m in PENDING_METRICS):
                continue
            r = query(prom_port, q)
            if not r:
                empty.append((title, q, r))
        assert not empty, empty
        exported = get(gw1.url + "/gwguard-status?format=prometheus")[2]
        for metric in PENDING_METRICS:
            assert metric.encode() not in exported, (
                "%s is exported now: drop it from PENDING_METRICS" % metric)
        blame = query(prom_port, 'sum by (blame) '
                      '(gwguard:failures_by_blame:rate5m{instance="%s"}) > 0'
                      % gw1_inst)
        assert [b["metric"]["blame"] for b in blame] == ["upstream"], blame

        if os.environ.get("GWG_SCREENSHOT") and CHROMIUM:
            time.sleep(20)            # a longer outage, for the picture
            app.start()
            back = time.monotonic()
            time.sleep(30)            # and the recovery
            screenshot(prom_port, [(t, q) for t, q in dashboard_queries()
                                   if t in SCREENSHOT_PANELS
                                   and "0.5," not in q and "0.99," not in q],
                       ARTIFACTS / "monitoring-prometheus.png")
        else:
            app.start()
            back = time.monotonic()
        resolved = wait_for(lambda: notified("resolved"), timeout=60)
        assert resolved, (query(prom_port, "ALERTS"), daemons[0].tail())
        # shown with pytest -s: the figures in docs/monitoring.md
        print("\nkill to webhook firing %.1f s, recovery to resolved %.1f s,"
              " %d dashboard queries with data, %d requests"
              % (fired - killed, time.monotonic() - back,
                 len(dashboard_queries()) - len(PENDING_METRICS),
                 traffic.sent))
        assert resolved[0]["labels"] == labels

        # no failure alert, not even pending, for the healthy upstream
        # or the other gateway; GwGuardStatusNotScraped may go pending
        # on a loaded machine (a scrape over its 1 s timeout), never
        # firing: only firing alerts reach the webhook, checked below
        failure_alerts = 'alertname=~"GwGuardUpstream.*|GwGuardBreakerOpen"'
        others = query(prom_port, 'count_over_time(ALERTS{%s, upstream!~'
                       '"%s|%s"}[10m]) or count_over_time(ALERTS{%s, '
                       'instance="%s"}[10m])' % (
                           failure_alerts, app_key, shared_key,
                           failure_alerts, gw2_inst))
        assert others == [], others
        names = {(a["labels"]["alertname"], a["labels"]["upstream"])
                 for a in hook.alerts()}
        assert names == {("GwGuardUpstreamFailing", app_key),
                         ("GwGuardUpstreamFailingOnOneGateway", shared_key)
                         }, hook.alerts()
        # gw1's "failing" alert for the shared upstream fired in
        # Prometheus; Alertmanager's inhibition kept it from the webhook
        inhibited = query(prom_port, 'ALERTS{alertname="GwGuardUpstream'
                          'Failing", upstream="%s", alertstate="firing"}'
                          % shared_key)
        assert inhibited and inhibited[0]["metric"]["instance"] == gw1_inst

        check_inhibition(am_port, hook)
    finally:
        if traffic:
            traffic.stop()
        for d in reversed(daemons):
            d.stop()
        hook.stop()
        app.kill()
        shared.stop()
    if not os.environ.get("GWG_SCREENSHOT"):
        assert time.monotonic() - started < 150
