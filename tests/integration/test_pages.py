"""Error pages against a real httpd: headers, negotiation, every scope and
precedence rule, escaping of hostile input, .htaccess templates, bad
templates failing configtest, and GwGuardIntercept."""

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from conftest import get
from test_counting import by_name, wait_for

# event MPM, when httpd is stopped right after the last answer: a child
# still lingering on a closed connection finds its pollset gone (seen under
# load, logged just before the parent's "caught SIGTERM"; pages with and
# without this module close those connections the same way). Not ours.
LINGER = "AH03092"


def tolerant(make_httpd, **kw):
    h = make_httpd(**kw)
    h.allowed_errors.append(LINGER)
    return h


HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
PROBLEM = "application/problem+json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


@pytest.fixture
def site_dir():
    """A directory httpd's children (www-data when run as root) can read:
    pytest's own temporary directories are private to their owner."""
    d = Path(tempfile.mkdtemp(prefix="gwguard-site-"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def marker_template(root, name, body=None):
    """A small valid HTML template that names itself."""
    d = root / "tpl"
    d.mkdir(exist_ok=True)
    path = d / name
    path.write_text(body if body is not None else
                    "<!DOCTYPE html><html lang=\"en\"><head><title>{{status}}"
                    "</title></head><body><p id=\"m\">TPL-%s</p>"
                    "<p>scope={{var.scope}}</p></body></html>\n" % name)
    return path


def marker(body):
    m = re.search(rb"TPL-([\w.-]+)", body)
    return m.group(1).decode() if m else None


# ---- the built-in page and its headers ----

def test_builtin_page_headers_and_body(make_httpd, dead_port):
    h = tolerant(make_httpd)
    h.start("ProxyPass /down/ http://127.0.0.1:%d/\n"
            "Header always set X-Frame-Options DENY\n"
            "Header always set Access-Control-Allow-Origin \"*\"\n"
            % dead_port)
    status, hd, body = get(h.url + "/down/x")
    assert status == 503
    assert hd["Content-Type"] == HTML
    assert hd["Cache-Control"] == "no-store"
    assert "Accept" in hd["Vary"]
    assert hd["Retry-After"] == "30"
    assert hd["Proxy-Status"] == "gwguard; error=connection_refused"
    # headers from `Header always set` are kept
    assert hd["X-Frame-Options"] == "DENY"
    assert hd["Access-Control-Allow-Origin"] == "*"
    text = body.decode("utf-8")
    assert '<html lang="en">' in text
    assert "<title>503 Service Unavailable</title>" in text
    assert "refused the connection" in text        # the class sentence
    assert "Your browser" in text and "Failing" in text
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text)
    # nothing internal: no upstream address or port, no AH numbers
    assert str(dead_port) not in text and "127.0.0.1" not in text
    assert "AH0" not in text
    # no external resources
    assert not re.search(r"src=|href=\"(?!data:)|url\(|@import", text)


def test_head_gets_headers_and_no_body(make_httpd, dead_port):
    h = tolerant(make_httpd)
    h.start("ProxyPass /down/ http://127.0.0.1:%d/\n" % dead_port)
    status, hd, body = get(h.url + "/down/x", method="HEAD")
    assert status == 503
    assert body == b""
    assert hd["Content-Type"] == HTML
    assert hd["Retry-After"] == "30"


def exchange_twice(url, path):
    """A request and, on the same connection if httpd kept it open, a
    second one: (status, headers, body, whether the second was answered)."""
    import http.client
    from urllib.parse import urlparse
    u = urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    conn.connect()
    conn.auto_open = 0                  # never reconnect for the second
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        first = (resp.status, dict(resp.getheaders()), resp.read())
        try:
            conn.request("GET", path)
            again = conn.getresponse().status > 0
        except (http.client.HTTPException, OSError):
            again = False
        return first + (again,)
    finally:
        conn.close()


def test_page_goes_out_as_the_core_error_path_sends_errors(
        make_httpd, dead_port, upstream):
    """gwguard sends its page itself, doing what ap_die and
    ap_send_error_response do: the same statuses keep or close the client
    connection as with GwGuard Off, `Header always` headers stay and
    `Header set` (success-only) ones go, the length is the body's."""
    h = tolerant(make_httpd)
    h.start("ProxyPass /down/off/ http://127.0.0.1:%d/\n"
            "ProxyPass /down/ http://127.0.0.1:%d/\n"
            "ProxyPass /up/off/ http://127.0.0.1:%d/\n"
            "ProxyPass /up/ http://127.0.0.1:%d/\n"
            "Header set X-Success yes\n"
            "Header always set X-Always yes\n"
            "<LocationMatch \"^/(down|up)/off/\">\nGwGuard Off\n"
            "</LocationMatch>\n" % (dead_port, dead_port, upstream.port,
                                       upstream.port))
    for on, off, status in (("/down/x", "/down/off/x", 503),
                            ("/up/close", "/up/off/close", 502)):
        got, stock = exchange_twice(h.url, on), exchange_twice(h.url, off)
        assert got[0] == stock[0] == status
        assert b"Your browser" in got[2] and b"Your browser" not in stock[2]
        for hd in (got[1], stock[1]):
            assert hd["X-Always"] == "yes" and "X-Success" not in hd
        assert int(got[1]["Content-Length"]) == len(got[2])
        assert got[1].get("Connection") == stock[1].get("Connection")
        assert got[3] == stock[3], "keep-alive differs from GwGuard Off"


def test_retry_after_proxy_status_and_no_segment(make_httpd, dead_port):
    h = tolerant(make_httpd)
    h.allowed_errors += ["GWG00003"]
    h.start("GwGuardShmFile /proc/gwguard.shm\n"
            "ProxyPass /down/ http://127.0.0.1:%d/\n"
            "<Location /down/quiet/>\nGwGuardProxyStatus Off\n"
            "GwGuardRetryAfter 120\n</Location>\n" % dead_port)
    status, hd, _ = get(h.url + "/down/x")       # pages without a segment
    assert status == 503 and hd["Proxy-Status"].startswith("gwguard;")
    status, hd, _ = get(h.url + "/down/quiet/x")
    assert status == 503
    assert "Proxy-Status" not in hd
    assert hd["Retry-After"] == "120"


PAGE_FIELDS = ("Cache-Control", "Vary", "Retry-After", "Proxy-Status")


def test_page_fields_in_the_same_order_on_every_path(make_httpd, dead_port):
    """A page's header fields come from a per-class table copied into an
    empty err_headers_out, or are set one by one when something (here
    `Header always ... early`) put a field there first: both give the same
    fields, values and order, with the default Retry-After, another one,
    and none (Proxy-Status off)."""
    conf = ("ProxyPass /down/ http://127.0.0.1:%d/\n"
            "<Location /down/r/>\nGwGuardRetryAfter 120\n</Location>\n"
            "<Location /down/q/>\nGwGuardProxyStatus Off\n</Location>\n"
            % dead_port)
    copied, one_by_one = tolerant(make_httpd), tolerant(make_httpd)
    copied.start(conf)
    one_by_one.start(conf + "Header always set X-Early 1 early\n")
    for path, retry, ps in (("/down/x", "30", True),
                            ("/down/r/x", "120", True),
                            ("/down/q/x", "30", False)):
        seen = []
        for h in (copied, one_by_one):
            status, hd, _ = get(h.url + path)
            assert status == 503
            seen.append([(k, hd[k]) for k in hd if k in PAGE_FIELDS])
        assert "X-Early" not in dict(get(copied.url + path)[1])
        assert dict(get(one_by_one.url + path)[1])["X-Early"] == "1"
        assert seen[0] == seen[1], path
        want = [("Cache-Control", "no-store"), ("Vary", "Accept"),
                ("Retry-After", retry)]
        if ps:
            want.append(("Proxy-Status", "gwguard; error=connection_refused"))
        assert seen[0] == want, path


# ---- negotiation ----

NEGOTIATION = [
    (None, HTML),
    ("*/*", HTML),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),
    ("application/json", JSON),
    ("application/vnd.api+json", JSON),
    ("text/html;q=0.5, application/json;q=0.9", JSON),
    ("text/html, application/json;q=0.9", HTML),
    ("application/problem+json", PROBLEM),
    ("application/json;q=0.4, application/problem+json;q=0.8", PROBLEM),
    ("text/plain", TEXT),
    ("text/plain;q=0.5, text/html;q=0.5", HTML),
    ("*/*;q=0.9, text/html;q=0", JSON),
    ("image/png", HTML),
]


def test_negotiation_with_q_values(make_httpd, dead_port):
    h = tolerant(make_httpd)
    h.start("ProxyPass /down/ http://127.0.0.1:%d/\n" % dead_port)
    for accept, ctype in NEGOTIATION:
        headers = {"Accept": accept} if accept is not None else {}
        status, hd, body = get(h.url + "/down/x", headers=headers)
        assert status == 503, accept
        assert hd["Content-Type"] == ctype, accept
        assert "Accept" in hd["Vary"]
        if ctype == JSON:
            doc = json.loads(body)
            assert set(doc["error"]) == {"status", "reason", "class", "code",
                                         "request_id", "time", "retryable"}
            assert doc["error"]["retryable"] is True    # nothing was sent
            assert doc["error"]["status"] == 503
            assert doc["error"]["reason"] == "Service Unavailable"
            assert doc["error"]["class"] == "connect_refused"
            assert doc["error"]["code"] == "SC"
        elif ctype == PROBLEM:
            doc = json.loads(body)
            assert doc["status"] == 503 and doc["title"] == \
                "Service Unavailable"
            for k in ("type", "detail", "class", "code", "request_id",
                      "time"):
                assert k in doc
            assert doc["retryable"] is True
        elif ctype == TEXT:
            assert body.startswith(b"503 Service Unavailable\n")


# ---- scopes and precedence ----

def scope_config(h, dead, docroot):
    root = h.root
    for n in ("server.html", "vhost.html", "loc.html", "cls.html",
              "dir.html", "proxy.html", "api.json"):
        marker_template(root, n)
    (root / "tpl" / "api.json").write_text(
        '{"api_error": "{{class}}", "scope": "{{var.scope}}", '
        '"status": {{status}}}\n')
    (docroot / "dir").mkdir()
    (docroot / "errors").mkdir()
    (docroot / "errors" / "503.html").write_text("STATIC-ERRORDOC\n")
    up = "http://127.0.0.1:%d/" % dead
    return """
<Directory />
    AllowOverride None
</Directory>
GwGuardErrorPage default tpl/server.html
GwGuardPageVar scope server
<VirtualHost 127.0.0.1:{port}>
    ServerName 127.0.0.1
    DocumentRoot "{docroot}"
    GwGuardPageVar scope vhost
    ProxyPass /errors/ !
    ProxyPass /plain/ {up}
    ProxyPass /vh/ {up}
    <Location /vh/>
        GwGuardErrorPage default tpl/vhost.html
    </Location>
    <Location /loc/>
        ProxyPass {up}
        GwGuardErrorPage 503 tpl/loc.html
        GwGuardPageVar scope location
    </Location>
    <Location /cls/>
        ProxyPass {up}
        GwGuardErrorPage 503 tpl/loc.html
        GwGuardErrorPage connect_refused tpl/cls.html
    </Location>
    <Location /cls/inner/>
        GwGuardErrorPage 503 builtin
    </Location>
    <Location /bi/>
        ProxyPass {up}
        GwGuardErrorPage 503 builtin
    </Location>
    <Location /none/>
        ProxyPass {up}
        GwGuardErrorPage 503 none
    </Location>
    <Location /off/>
        ProxyPass {up}
        GwGuard Off
    </Location>
    <Location /api/>
        ProxyPass {up}
        GwGuardErrorPage default tpl/api.json
    </Location>
    <Location /ed/>
        ProxyPass {up}
        ErrorDocument 503 "ERRORDOC-STRING"
    </Location>
    <Location /ed-default/>
        ProxyPass {up}
        ErrorDocument 503 "ERRORDOC-STRING"
        GwGuardErrorPage default tpl/loc.html
    </Location>
    <Location /ed-status/>
        ProxyPass {up}
        ErrorDocument 503 "ERRORDOC-STRING"
        GwGuardErrorPage 503 tpl/loc.html
    </Location>
    <Location /ed-class/>
        ProxyPass {up}
        ErrorDocument 503 "ERRORDOC-STRING"
        GwGuardErrorPage connect_refused builtin
    </Location>
    <Location /ed-local/>
        ProxyPass {up}
        ErrorDocument 503 /errors/503.html
        GwGuardErrorPage default builtin
    </Location>
    ProxyPass /prox/ {up}prox/
    <Proxy "{up}prox/">
        GwGuardErrorPage 503 tpl/proxy.html
    </Proxy>
    <Location /pit/>
        ProxyPass {up}
        ErrorDocument 503 /pit/errors/503.html
    </Location>
    <Directory "{docroot}/dir">
        AllowOverride None
        RewriteEngine On
        RewriteRule ^(.*)$ {up}$1 [P]
        GwGuardErrorPage 503 tpl/dir.html
    </Directory>
</VirtualHost>
""".format(port=h.port, docroot=docroot, up=up)


def test_every_scope_and_precedence(make_httpd, dead_port, site_dir):
    h = tolerant(make_httpd)
    h.start(scope_config(h, dead_port, site_dir))

    def page(path, **kw):
        status, hd, body = get(h.url + path, **kw)
        assert status == 503, path
        return hd, body

    # server config, inherited by the virtual host (with the vhost's var)
    hd, body = page("/plain/x")
    assert marker(body) == "server.html" and b"scope=vhost" in body
    # <Location> in the virtual host: default replaced
    assert marker(page("/vh/x")[1]) == "vhost.html"
    # <Location> with a status key; its var wins over the vhost's
    hd, body = page("/loc/x")
    assert marker(body) == "loc.html" and b"scope=location" in body
    # class beats status in the same scope
    assert marker(page("/cls/x")[1]) == "cls.html"
    # an inner scope's key replaces the outer's same key; the outer's more
    # specific class key still wins over the inner status key
    assert marker(page("/cls/inner/x")[1]) == "cls.html"
    # builtin explicitly, despite the server's default file
    hd, body = page("/bi/x")
    assert marker(body) is None and b"Your browser" in body
    # <Directory> (a RewriteRule [P] there)
    assert marker(page("/dir/x")[1]) == "dir.html"
    # <Proxy>
    assert marker(page("/prox/x")[1]) == "proxy.html"
    # none: httpd's own page
    hd, body = page("/none/x")
    assert marker(body) is None and b"Your browser" not in body
    assert "Cache-Control" not in hd
    # GwGuard Off: httpd's own page
    hd, body = page("/off/x")
    assert b"Your browser" not in body and "Proxy-Status" not in hd
    # JSON template for JSON clients; HTML clients fall back to the
    # server's default HTML page for that key chain
    hd, body = page("/api/x", headers={"Accept": "application/json"})
    assert hd["Content-Type"] == JSON
    assert json.loads(body) == {"api_error": "connect_refused",
                                "scope": "vhost", "status": 503}
    hd, body = page("/api/x")
    assert marker(body) == "server.html"


def test_errordocument_precedence(make_httpd, dead_port, site_dir):
    h = tolerant(make_httpd)
    h.start(scope_config(h, dead_port, site_dir))
    # an ErrorDocument beats the built-in page ...
    assert get(h.url + "/ed/x")[2] == b"ERRORDOC-STRING"
    # ... and a `default` page, which is less specific than the status
    assert get(h.url + "/ed-default/x")[2] == b"ERRORDOC-STRING"
    # a page for the status or the class beats the ErrorDocument
    assert marker(get(h.url + "/ed-status/x")[2]) == "loc.html"
    assert b"Your browser" in get(h.url + "/ed-class/x")[2]
    # a local ErrorDocument URL is served as httpd would
    status, _, body = get(h.url + "/ed-local/x")
    assert status == 503 and body == b"STATIC-ERRORDOC\n"
    # an ErrorDocument proxied to the failing upstream fails too: instead
    # of httpd's "Additionally, ... ErrorDocument" page, ours (here the
    # server's default page)
    status, hd, body = get(h.url + "/pit/x")
    assert status == 503 and hd["Content-Type"] == HTML
    assert marker(body) == "server.html" and b"Additionally" not in body
    assert hd["Retry-After"] == "30" and hd["Cache-Control"] == "no-store"
    status, hd, body = get(h.url + "/pit/x",
                           headers={"Accept": "application/json"})
    assert json.loads(body)["error"]["class"] == "connect_refused"


# ---- hostile input ----

def hostile_templates(root):
    marker_template(root, "echo.html",
                    "<!DOCTYPE html><html lang=\"en\"><head><title>x</title>"
                    "</head><body><p id=\"path\" title=\"{{path}}\">{{path}}"
                    "</p><p data-host='{{host}}'>{{host}}</p>"
                    "<p>{{method}} {{request_id}}</p></body></html>\n")
    marker_template(root, "echo.json",
                    '{"path": "{{path}}", "host": {{host}}, '
                    '"id": "{{request_id}}", "status": {{status}}}\n')


XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"


def test_hostile_input_is_escaped(make_httpd, dead_port):
    h = tolerant(make_httpd)
    hostile_templates(h.root)
    h.start("HttpProtocolOptions Unsafe\n"
            "ProxyPass /down/ http://127.0.0.1:%d/\n"
            "GwGuardErrorPage default tpl/echo.html\n"
            "GwGuardErrorPage default tpl/echo.json\n" % dead_port)
    raw_path = "/down/" + XSS.replace(" ", "%20") + "?q=" + \
        XSS.replace(" ", "+") + "&{{status}}"
    headers = {"User-Agent": XSS, "Referer": XSS, "X-Forwarded-Host": XSS}
    status, hd, body = get(h.url + raw_path, headers=headers)
    assert status == 503
    text = body.decode()
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;" in text
    assert "{{status}}" in text            # a value is never expanded
    # JSON: parses, and the value survives intact
    status, hd, body = get(h.url + raw_path, headers=dict(
        headers, Accept="application/json"))
    doc = json.loads(body)
    assert doc["path"] == raw_path and doc["status"] == 503
    assert "<" not in body.decode()        # even inside strings
    # Host: httpd refuses a hostile one itself, or we escape it
    for host in ("<b>x</b>", "x\"onmouseover=\"a"):
        status, hd, body = get(h.url + "/down/x", headers={"Host": host})
        assert b"<b>x" not in body and b"\"onmouseover" not in body


# a request id someone else set: markup, an entity and both quotes
ID_XSS = "<b>id</b>&'\"x"


def test_hostile_unique_id_is_escaped(make_httpd, dead_port):
    """Only a request id gwguard made itself (hex digits and '-') is shown
    without the escaping scan; a UNIQUE_ID, which any module or line of
    configuration can set, is escaped like every other value: on the
    built-in page and a template, answered by the handler (connect
    refused) and by an open breaker in fixups."""
    h = tolerant(make_httpd)
    hostile_templates(h.root)
    h.start('SetEnvIf Request_URI "." "UNIQUE_ID=%s"\n'
            "GwGuardBreaker failures=1 window=60 cooldown=600\n"
            "ProxyPass /down/ http://127.0.0.1:%d/\n"
            "ProxyPass /tpl/ http://127.0.0.1:%d/\n"
            "<Location /tpl/>\n"
            "  GwGuardErrorPage default tpl/echo.html\n"
            "  GwGuardErrorPage default tpl/echo.json\n"
            "</Location>\n" % (ID_XSS.replace('"', '\\"'), dead_port,
                               dead_port))
    escaped = "&lt;b&gt;id&lt;/b&gt;&amp;&#39;&quot;x"
    # the first refusal opens the breaker (one worker for both paths)
    for path in ("/down/a", "/down/b", "/tpl/a"):
        status, hd, body = get(h.url + path)
        assert status == 503, (path, status)
        text = body.decode()
        assert escaped in text and "<b>id" not in text, (path, text)
    status, hd, body = get(h.url + "/down/c",
                           headers={"Accept": "application/json"})
    doc = json.loads(body)["error"]
    assert status == 503 and doc["class"] == "circuit_open", body
    assert doc["request_id"] == ID_XSS and "<" not in body.decode()
    status, hd, body = get(h.url + "/tpl/c",
                           headers={"Accept": "application/json"})
    assert status == 503 and json.loads(body)["id"] == ID_XSS, body
    assert "<" not in body.decode()


def test_upstream_hidden_unless_exposed(make_httpd, dead_port):
    h = tolerant(make_httpd)
    marker_template(h.root, "up.html",
                    "<!DOCTYPE html><html lang=\"en\"><head><title>x</title>"
                    "</head><body><p>up=[{{upstream}}]</p></body></html>\n")
    h.start("ProxyPass /down/ http://127.0.0.1:%d/\n"
            "GwGuardErrorPage default tpl/up.html\n"
            "<Location /down/exposed/>\nGwGuardExposeUpstream On\n"
            "</Location>\n" % dead_port)
    body = get(h.url + "/down/x")[2]
    assert b"up=[]" in body and str(dead_port).encode() not in body
    body = get(h.url + "/down/exposed/x")[2]
    assert ("up=[http://127.0.0.1:%d]" % dead_port).encode() in body


# ---- bad templates and values fail configtest ----

def bad_template_cases(root):
    big = root / "big.html"
    big.write_text("<p>" + "x" * (1024 * 1024) + "</p>")
    (root / "unknown.html").write_text("<p>ok</p>\n<p>{{status}}</p>\n"
                                       "<p>{{secret}}</p>\n")
    (root / "broken.html").write_text("<html><body>\n<div>\n</span></div>"
                                      "\n</body></html>\n")
    (root / "bad.json").write_text('{"status": {{status}},\n "x": }\n')
    return [
        ("GwGuardErrorPage 502 %s/unknown.html" % root,
         "%s/unknown.html:3: unknown placeholder {{secret}}" % root),
        ("GwGuardErrorPage 502 %s/broken.html" % root,
         "%s/broken.html:3: " % root),
        ("GwGuardErrorPage 502 %s/bad.json" % root,
         "%s/bad.json:2: not valid JSON once filled" % root),
        ("GwGuardErrorPage 502 %s/missing.html" % root,
         "%s/missing.html: cannot read the template" % root),
        ("GwGuardErrorPage 502 %s" % big,
         "%s: 1048583 bytes is over the limit" % big),
        ("GwGuardErrorPage 404 builtin",
         "GwGuardErrorPage: '404' is not a status, class or default"),
        ("GwGuardErrorPage 502 page.txt",
         "GwGuardErrorPage: 'page.txt' is not a page; expected builtin"),
        ("GwGuardIntercept 404", "GwGuardIntercept: '404' is not valid here"),
        ("GwGuardIntercept On 500", "GwGuardIntercept: 'On' is not valid"),
        ("GwGuardRetryAfter soon", "GwGuardRetryAfter: 'soon' is not a whole"),
        ("GwGuardPageVar bad.name x",
         "GwGuardPageVar: 'bad.name' is not a valid name"),
        ("GwGuardProxyStatus maybe", "GwGuardProxyStatus: 'maybe' is not a "
         "valid value; expected On or Off"),
        ("GwGuardExposeUpstream yes", "GwGuardExposeUpstream: 'yes'"),
    ]


def test_bad_templates_and_values_fail_configtest(make_httpd, tmp_path):
    h = tolerant(make_httpd)
    for line, message in bad_template_cases(tmp_path):
        h.write_config(line + "\n")
        proc = h.configtest()
        assert proc.returncode != 0, line
        assert message in proc.stderr, (line, proc.stderr)
        assert "httpd.conf" in proc.stderr      # and the config line


def test_good_page_directives_pass_configtest(make_httpd, tmp_path):
    h = tolerant(make_httpd)
    marker_template(h.root, "a.html")
    (h.root / "tpl" / "a.json").write_text('{"s": {{status}}}')
    h.write_config("GwGuardErrorPage 502 tpl/a.html\n"
                   "GwGuardErrorPage 502 tpl/a.json\n"
                   "GwGuardErrorPage dns builtin\n"
                   "GwGuardErrorPage default none\n"
                   "GwGuardPageVar brand Acme\nGwGuardRetryAfter 0\n"
                   "GwGuardIntercept 500 502\nGwGuardIntercept Off\n"
                   "GwGuardProxyStatus Off\nGwGuardExposeUpstream On\n")
    proc = h.configtest()
    assert proc.returncode == 0, proc.stderr


# ---- .htaccess ----

def htaccess_setup(site, port):
    (site / "errors").mkdir(parents=True)
    (site / ".htaccess").write_text(
        "RewriteEngine On\n"
        "RewriteRule ^api/(.*)$ http://127.0.0.1:%d/$1 [P]\n"
        "GwGuardErrorPage 502 errors/502.html\n"
        "GwGuardPageVar scope htaccess\n" % port)
    tpl = site / "errors" / "502.html"
    tpl.write_text("<!DOCTYPE html><html lang=\"en\"><head><title>"
                   "{{status}}</title></head><body><p>TPL-v1</p>"
                   "<p>scope={{var.scope}}</p></body></html>\n")
    return site, tpl


def test_htaccess_template_served_cached_and_reloaded(make_httpd, upstream,
                                                    site_dir, mpm):
    h = tolerant(make_httpd, mpm=mpm, loglevel="warn gwguard:debug")
    h.allowed_errors += [r"\.htaccess: GwGuardErrorPage: .*502\.html",
                         r"\.htaccess: GwGuardExposeUpstream not allowed"]
    site, tpl = htaccess_setup(site_dir, upstream.port)
    h.start('Alias /site/ "%s/"\n<Directory "%s">\nAllowOverride FileInfo\n'
            '</Directory>\n' % (site, site))
    n = 8
    for _ in range(n):
        # /close: the upstream closes without answering, httpd says 502
        status, hd, body = get(h.url + "/site/api/close")
        assert status == 502
        assert marker(body) == "v1" and b"scope=htaccess" in body
        assert hd["Content-Type"] == HTML
    # compiled once per process, not per request
    pids = re.findall(r"\[pid (\d+)[^\n]*GWG00201",
                      h.read_error_log())
    assert 1 <= len(pids) < n and len(pids) == len(set(pids)), pids

    # an edited template is picked up by the next request
    time.sleep(0.01)
    tpl.write_text(tpl.read_text().replace("TPL-v1", "TPL-v2-edited"))
    status, hd, body = get(h.url + "/site/api/close")
    assert marker(body) == "v2-edited"

    # a template broken while running: that .htaccess fails as httpd's do
    tpl.write_text("<p>{{nope}}</p>")
    status, hd, body = get(h.url + "/site/api/close")
    assert status == 500
    assert wait_for(lambda: "502.html:1: unknown placeholder {{nope}}"
                    in h.read_error_log())

    # a directory owner may not reveal the gateway's upstreams
    (site / ".htaccess").write_text("GwGuardExposeUpstream On\n")
    assert get(h.url + "/site/api/close")[0] == 500
    assert wait_for(lambda: "GwGuardExposeUpstream not allowed here"
                    in h.read_error_log())


# ---- GwGuardIntercept ----

def test_intercept_replaces_upstream_errors_but_not_json(make_httpd,
                                                          upstream):
    h = tolerant(make_httpd)
    h.start("ProxyPass /i/ http://127.0.0.1:%d/\n"
            "ProxyPass /n/ http://127.0.0.1:%d/\n"
            "ProxyPass /l/ http://127.0.0.1:%d/\n"
            "Header always set X-Frame-Options DENY\n"
            "<Location /i/>\nGwGuardIntercept On\n</Location>\n"
            "<Location /l/>\nGwGuardIntercept 500\n</Location>\n"
            % (upstream.port, upstream.port, upstream.port))
    status, hd, body = get(h.url + "/i/status/503")
    assert status == 503 and hd["Content-Type"] == HTML
    assert b"upstream says" not in body and b"Your browser" in body
    assert hd["Retry-After"] == "30" and hd["Cache-Control"] == "no-store"
    assert "Proxy-Status" not in hd      # the upstream answered: no error type
    assert hd["X-Frame-Options"] == "DENY"
    status, hd, body = get(h.url + "/i/status/502",
                           headers={"Accept": "application/json"})
    assert status == 502 and json.loads(body)["error"]["class"] == \
        "upstream_5xx"
    assert "Retry-After" not in hd
    status, hd, body = get(h.url + "/i/status/502", method="HEAD")
    assert status == 502 and body == b"" and hd["Content-Type"] == HTML
    # a backend's own JSON error passes through untouched
    status, hd, body = get(h.url + "/i/status/503?json")
    assert status == 503 and body == b'{"upstream_error":true}'
    assert hd["Content-Type"] == "application/json"
    # 500 is not in On's set; Off by default
    assert get(h.url + "/i/status/500")[2] == b"upstream says 500\n"
    assert get(h.url + "/n/status/503")[2] == b"upstream says 503\n"
    # an explicit list narrows or widens
    assert b"Your browser" in get(h.url + "/l/status/500")[2]
    assert get(h.url + "/l/status/503")[2] == b"upstream says 503\n"
    # the failure is the upstream's: counted and logged as upstream_5xx
    log = wait_for(lambda: [l for l in h.access_entries()
                            if "/i/status/503 " in l and "upstream_5xx" in l])
    assert log
    # all eight answers above were the upstream's 5xx, on its one key
    key = "http://127.0.0.1:%d" % upstream.port
    up = wait_for(lambda: (lambda u: u if u["requests"] == 8 else None)(
        by_name(h.status(), key)))
    assert up, h.status()
    assert up["classes"]["upstream_5xx"] == 8, up["classes"]
    assert sum(up["classes"].values()) == 8, up["classes"]


def test_intercept_from_htaccess_only(make_httpd, upstream, site_dir):
    """A GwGuardIntercept that only a .htaccess gives (none in httpd.conf)
    still inserts the filter: the child that reads it learns that one is
    configured (the insert_filter hook's first test)."""
    h = tolerant(make_httpd)
    site_dir.mkdir(parents=True, exist_ok=True)
    (site_dir / "x").mkdir()
    (site_dir / "x" / ".htaccess").write_text(
        "RewriteEngine On\n"
        "RewriteRule ^(.*)$ http://127.0.0.1:%d/$1 [P]\n"
        "GwGuardIntercept On\n" % upstream.port)
    (site_dir / "y").mkdir()
    (site_dir / "y" / ".htaccess").write_text(
        "RewriteEngine On\n"
        "RewriteRule ^(.*)$ http://127.0.0.1:%d/$1 [P]\n" % upstream.port)
    h.start('Alias /site/ "%s/"\n<Directory "%s">\nAllowOverride FileInfo\n'
            '</Directory>\n' % (site_dir, site_dir))
    for _ in range(3):      # whichever child answers
        status, hd, body = get(h.url + "/site/y/status/503")
        assert status == 503 and body == b"upstream says 503\n"
        status, hd, body = get(h.url + "/site/x/status/503")
        assert status == 503 and b"Your browser" in body, body[:200]
        assert b"upstream says" not in body
        assert hd["Content-Type"] == HTML


def test_page_follows_the_corrected_status(make_httpd, dead_port):
    """GwGuardStatusCode changes the status before the page is chosen: the
    page for that status answers, with that status and its headers."""
    h = tolerant(make_httpd)
    marker_template(h.root, "s502.html")
    h.start("ProxyPass /down/ http://127.0.0.1:%d/\n"
            "GwGuardStatusCode connect_refused 502\n"
            "GwGuardErrorPage 502 tpl/s502.html\n" % dead_port)
    status, hd, body = get(h.url + "/down/x")
    assert status == 502 and marker(body) == "s502.html"
    assert "Retry-After" not in hd          # only on 503
    assert hd["Proxy-Status"] == "gwguard; error=connection_refused"
    status, hd, body = get(h.url + "/down/x",
                           headers={"Accept": "application/json"})
    doc = json.loads(body)["error"]
    assert status == 502 and doc["status"] == 502
    assert doc["reason"] == "Bad Gateway" and doc["class"] == "connect_refused"


def test_intercept_with_proxy_error_override(make_httpd, upstream):
    """With ProxyErrorOverride the upstream's error reaches httpd's error
    path; the page answers there only for statuses GwGuardIntercept covers,
    otherwise httpd (and any ErrorDocument) keeps it."""
    h = tolerant(make_httpd)
    h.start("ProxyPass /o/ http://127.0.0.1:%d/\n"
            "ProxyPass /p/ http://127.0.0.1:%d/\n"
            "ProxyErrorOverride On\n"
            "<Location /p/>\nGwGuardIntercept On\n</Location>\n"
            % (upstream.port, upstream.port))
    status, hd, body = get(h.url + "/o/status/503")
    assert status == 503 and b"Your browser" not in body
    assert b"upstream says" not in body            # httpd's canned page
    status, hd, body = get(h.url + "/p/status/503")
    assert status == 503 and b"Your browser" in body
    assert hd["Content-Type"] == HTML and hd["Retry-After"] == "30"
    status, hd, body = get(h.url + "/p/status/504",
                           headers={"Accept": "application/problem+json"})
    doc = json.loads(body)
    assert status == 504 and doc["class"] == "upstream_5xx"
    assert hd["Content-Type"] == PROBLEM


@pytest.mark.skipif(not shutil.which("valgrind")
                    or os.environ.get("GWG_VALGRIND") == "0",
                    reason="needs valgrind (scripts/deps.sh installs it), "
                    "and GWG_VALGRIND=0 turns it off")
def test_pages_under_valgrind(make_httpd, upstream, dead_port, site_dir):
    """Every page path in one single-process httpd (-X) under valgrind:
    built-in and template pages in each representation, HEAD, intercept,
    and a .htaccess template compiled, cached and recompiled."""
    h = tolerant(make_httpd)
    hostile_templates(h.root)
    site, tpl = htaccess_setup(site_dir, upstream.port)
    h.write_config("ProxyPass /down/ http://127.0.0.1:%d/\n"
                   "ProxyPass /i/ http://127.0.0.1:%d/\n"
                   "<Location /i/>\nGwGuardIntercept On\n</Location>\n"
                   "<Location /down/t/>\n"
                   "GwGuardErrorPage default tpl/echo.html\n"
                   "GwGuardErrorPage default tpl/echo.json\n</Location>\n"
                   'Alias /site/ "%s/"\n<Directory "%s">\n'
                   "AllowOverride FileInfo\n</Directory>\n"
                   % (dead_port, upstream.port, site, site))
    with h.under_valgrind():
        for accept in (None, "application/json", "application/problem+json",
                       "text/plain"):
            hd = {"Accept": accept} if accept else {}
            assert get(h.url + "/down/x", headers=hd, timeout=60)[0] == 503
            assert get(h.url + "/down/t/<x>?a=\"b\"", headers=hd,
                       timeout=60)[0] == 503
        assert get(h.url + "/down/x", method="HEAD", timeout=60)[0] == 503
        assert b"Your browser" in get(h.url + "/i/status/502", timeout=60)[2]
        assert get(h.url + "/i/status/503?json", timeout=60)[2] == \
            b'{"upstream_error":true}'
        assert marker(get(h.url + "/site/api/close", timeout=60)[2]) == "v1"
        tpl.write_text(tpl.read_text().replace("TPL-v1", "TPL-v2-edit"))
        assert marker(get(h.url + "/site/api/close", timeout=60)[2]) == \
            "v2-edit"


def test_circuit_open_page_says_when_to_retry(make_httpd, dead_port):
    """An open breaker answers with the page for circuit_open, and its
    Retry-After is the time left until the breaker half-opens, not
    GwGuardRetryAfter."""
    h = tolerant(make_httpd)
    h.start("GwGuardBreaker failures=2 window=60 cooldown=600\n"
            "GwGuardRetryAfter 7\n"
            "ProxyPass /down/ http://127.0.0.1:%d/\n" % dead_port)
    for _ in range(2):
        status, hd, _ = get(h.url + "/down/x")
        assert status == 503 and hd["Retry-After"] == "7"

    def opened():
        s, hd, body = get(h.url + "/down/x",
                          headers={"Accept": "application/json"})
        doc = json.loads(body)["error"]
        return (hd, doc) if doc["class"] == "circuit_open" else None
    got = wait_for(opened)
    assert got, h.status()
    hd, doc = got
    assert doc["status"] == 503 and doc["code"] == "UO"
    assert 500 < int(hd["Retry-After"]) <= 600
    assert hd["Proxy-Status"] == "gwguard; error=destination_unavailable"
    body = get(h.url + "/down/x")[2]
    assert b"paused" in body                  # the class sentence
