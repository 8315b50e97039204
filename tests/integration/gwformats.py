"""Parsers for gwguard's status formats, so tests can compare numbers
read through every one of them (table, JSON, XML, Prometheus, HTML and
server-status?auto)."""

import json
import re
import xml.etree.ElementTree as ET

NS = {"g": "urn:x-mod-gwguard:status:1"}

CLASSES = ["connect_refused", "connect_timeout", "dns", "tls",
           "header_timeout", "reset_before_headers", "bad_response",
           "body_timeout", "body_reset", "unavailable", "circuit_open",
           "upstream_5xx", "client_abort", "other", "maintenance"]


def from_json(text):
    """{name: {requests, successes, failures, classes{}}} plus 'total'."""
    doc = json.loads(text)
    out = {}
    for u in doc["upstreams"]:
        out[u["name"]] = {k: u[k] for k in ("requests", "successes",
                                            "failures")}
        out[u["name"]]["classes"] = dict(u["classes"])
    t = doc["totals"]
    out["total"] = {k: t[k] for k in ("requests", "successes", "failures")}
    out["total"]["classes"] = dict(t["classes"])
    return out


def from_xml(text):
    root = ET.fromstring(text.encode())
    assert root.tag == "{%s}status" % NS["g"], root.tag

    def counters(el):
        c = {k: int(el.find("g:" + k, NS).text)
             for k in ("requests", "successes", "failures")}
        c["classes"] = {x.get("name"): int(x.text)
                        for x in el.findall("g:classes/g:class", NS)}
        return c
    out = {}
    for u in root.findall("g:upstreams/g:upstream", NS):
        out[u.find("g:name", NS).text] = counters(u)
    out["total"] = counters(root.find("g:totals", NS))
    return out


PROM_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
PROM_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text):
    """[(name, {labels}, value)] for every sample."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = PROM_LINE.match(line)
        assert m, "not an exposition line: %r" % line
        labels = {k: v.encode().decode("unicode_escape")
                  for k, v in PROM_LABEL.findall(m.group(3) or "")}
        samples.append((m.group(1), labels, float(m.group(4))))
    return samples


def from_prometheus(text):
    out = {}

    def up(name):
        return out.setdefault(name, {"requests": 0, "successes": 0,
                                     "failures": 0, "classes": {}})
    for name, labels, value in parse_prometheus(text):
        u = labels.get("upstream")
        if name == "gwguard_requests_total":
            up(u)["requests"] = int(value)
        elif name == "gwguard_successes_total":
            up(u)["successes"] = int(value)
        elif name == "gwguard_failures_total":
            up(u)["failures"] += int(value)
            up(u)["classes"][labels["class"]] = int(value)
        elif name == "gwguard_client_aborts_total":
            up(u)["classes"]["client_abort"] = int(value)
        elif name == "gwguard_breaker_refusals_total":
            up(u)["classes"]["circuit_open"] = int(value)
        elif name == "gwguard_maintenance_answers_total":
            up(u)["classes"]["maintenance"] = int(value)
    total = {"requests": 0, "successes": 0, "failures": 0, "classes": {}}
    for u in out.values():
        for k in ("requests", "successes", "failures"):
            total[k] += u[k]
        for c, v in u["classes"].items():
            total["classes"][c] = total["classes"].get(c, 0) + v
    out["total"] = total
    return out


def from_table(text):
    """{name: {requests, failures}} from gwguardctl status's table."""
    out = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 3 and "://" in f[0] or (f and f[0] == "*overflow*"):
            out[f[0]] = {"requests": int(f[1]), "failures": int(f[2])}
    return out


HTML_ROW = re.compile(r"<tr><td>([^<]*)</td><td>(\d+)</td><td>(\d+)</td>"
                      r"<td>(\d+)</td>")


def from_html(text):
    """{name or 'total': {requests, successes, failures}} from the HTML
    page or the server-status section."""
    out = {}
    start = text.index('<table class="gwguard">')
    text = text[start:text.index("</table>", start)]
    for name, req, ok, fail in HTML_ROW.findall(text):
        out[name.replace("&amp;", "&")] = {
            "requests": int(req), "successes": int(ok),
            "failures": int(fail)}
    return out


def from_auto(text):
    """server-status?auto's GwGuard lines."""
    kv = {}
    for line in text.splitlines():
        if line.startswith("GwGuard") and ": " in line:
            k, v = line.split(": ", 1)
            kv[k] = v
    out = {"total": {"requests": int(kv["GwGuardRequests"]),
                     "successes": int(kv["GwGuardSuccesses"]),
                     "failures": int(kv["GwGuardFailures"]),
                     "classes": {c: int(kv["GwGuardClass_" + c])
                                 for c in CLASSES}}}
    i = 0
    while "GwGuardUpstream%d" % i in kv:
        out[kv["GwGuardUpstream%d" % i]] = {
            "requests": int(kv["GwGuardUpstream%dRequests" % i]),
            "failures": int(kv["GwGuardUpstream%dFailures" % i])}
        i += 1
    return out


def project(d, keys):
    """The same view of two readings: only the given counters."""
    return {name: {k: v[k] for k in keys if k in v} for name, v in d.items()}
