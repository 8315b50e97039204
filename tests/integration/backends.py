"""Real backend servers for the integration tests, one class each.

Every server is a separate process started here: Debian's own daemon
where it can produce the faults (php-fpm, uWSGI with its python3 plugin
for the uwsgi and SCGI protocols, gunicorn for HTTP, nghttpd for a
healthy h2c upstream), else a small fault server of ours on top of a
Debian library or the protocol itself (apps/ws_fault.py on
python3-websockets, apps/h2_fault.py on python3-h2, apps/ajp_fault.py
speaking AJP13 itself). Each one:

- listens on 127.0.0.1 (a fresh port) or on a unix socket in a private
  directory under /tmp (mode 0755, so httpd's www-data children reach it
  even when the test's own temp directory is 0700);
- keeps its config, pid file and logs in the directory it is given;
- is started under `timeout`, so it dies after LIFETIME_S even if the
  test run is killed, and is stopped by its pid (its own process group:
  SIGTERM, then SIGKILL);
- chooses its fault per request from the URL's last path segment
  (apps/fault.php, apps/wsgi_fault.py):

    ok  sleep?s=N  die (SIGKILL before output)  diebody (SIGKILL after
    1000 of 100000 bytes)  slowbody (1000 bytes, then silence)
    status/NNN (the app's own HTML, ?json for JSON)
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from httpd import free_port

APPS = Path(__file__).resolve().parent / "apps"
PYTHON = "/usr/bin/python3"      # Debian's, with python3-h2/-websockets
LIFETIME_S = 900                 # no server outlives this, whatever happens
PHP_FPM = "/usr/sbin/php-fpm8.2"
UWSGI = "/usr/bin/uwsgi"
GUNICORN = "/usr/bin/gunicorn"
NGHTTPD = "/usr/sbin/nghttpd"


def socket_dir():
    """A private directory for unix sockets: short (sun_path holds 108
    bytes) and reachable by httpd's children (0755)."""
    d = tempfile.mkdtemp(prefix="gwg-sock-", dir="/tmp")
    os.chmod(d, 0o755)
    return Path(d)


def missing(*programs):
    """The programs (absolute paths) that are not installed."""
    return [p for p in programs if not os.access(p, os.X_OK)]


class Server:
    """One backend process. Subclasses set .argv (and may override
    .ready()); .address is "127.0.0.1:PORT" or a socket path."""

    name = "server"
    # Ready when the log says so this many times too: a master binds its
    # socket before its workers exist, and on a loaded machine they can
    # take seconds to come up (requests would wait past ProxyTimeout).
    ready_marker, ready_count = None, 0

    def __init__(self, workdir, unix=False):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.unix = unix
        self.sockdir = socket_dir() if unix else None
        self.port = None if unix else free_port()
        self.sock = (str(self.sockdir / ("%s.sock" % self.name))
                     if unix else None)
        self.log = self.dir / ("%s.log" % self.name)
        self.proc = None
        self.argv = []

    @property
    def address(self):
        return self.sock if self.unix else "127.0.0.1:%d" % self.port

    def connect(self, timeout=1.0):
        if self.unix:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.connect(self.sock)
            return s
        return socket.create_connection(("127.0.0.1", self.port), timeout)

    def ready(self):
        if self.ready_marker and self.read_log().count(
                self.ready_marker) < self.ready_count:
            return False
        try:
            self.connect().close()
            return True
        except OSError:
            return False

    def start(self, timeout=60):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                ["timeout", "-k", "5", str(LIFETIME_S)] + self.argv,
                cwd=str(self.dir), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited (%s):\n%s" % (
                    self.name, self.proc.returncode, self.read_log()))
            if self.ready():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("%s not ready after %ds:\n%s" % (
            self.name, timeout, self.read_log()))

    def stop(self):
        """SIGTERM to the process group (its pid: `timeout` and the
        server under it), SIGKILL after 10 s."""
        if self.proc and self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    pass
        # workers of a dead master (SIGKILLed group members are gone too)
        if self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.sockdir:
            shutil.rmtree(self.sockdir, ignore_errors=True)

    def read_log(self):
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class PhpFpm(Server):
    """php-fpm8.2 -F with a private global and pool config: pool `pool`
    (env GWG_POOL), pm static with `max_children` workers, the document
    root apps/ (fault.php), its own pid file and error log."""

    name = "php-fpm"
    ready_marker, ready_count = "ready to handle connections", 1

    def __init__(self, workdir, unix=False, pool="www", max_children=4,
                 listen_mode="0666"):
        super().__init__(workdir, unix)
        self.pool = pool
        if unix:                # named after the pool, as Debian does
            self.sock = str(self.sockdir / ("%s.sock" % pool))
        self.docroot = APPS
        self.script = str(APPS / "fault.php")
        conf = self.dir / "php-fpm.conf"
        conf.write_text("\n".join([
            "[global]",
            "pid = %s" % (self.dir / "php-fpm.pid"),
            "error_log = %s" % self.log,
            "daemonize = no",
            "process_control_timeout = 5",
            "[%s]" % pool,
            "listen = %s" % self.address,
            "listen.mode = %s" % listen_mode,
            "pm = static",
            "pm.max_children = %d" % max_children,
            "request_terminate_timeout = 60s",
            "catch_workers_output = yes",
            "clear_env = yes",
            "env[GWG_POOL] = %s" % pool,
            "php_admin_value[output_buffering] = 0",
            "php_admin_flag[log_errors] = on",
            "php_admin_value[error_log] = %s"
            % (self.dir / "php-error.log"),
            ""]))
        self.argv = [PHP_FPM, "-F", "-y", str(conf)]
        if os.geteuid() == 0:
            self.argv.append("-R")      # workers as root: a test's pool

    def fcgi_url(self, host="localhost"):
        """The backend part of a ProxyPass/SetHandler target."""
        if self.unix:
            return "unix:%s|fcgi://%s" % (self.sock, host)
        return "fcgi://%s" % self.address


class Uwsgi(Server):
    """uWSGI with the python3 plugin serving apps/wsgi_fault.py, over the
    uwsgi protocol (mod_proxy_uwsgi) or SCGI (`--scgi-socket`, for
    mod_proxy_scgi). `processes` workers; a SIGKILLed one is respawned
    by the master."""

    def __init__(self, workdir, proto="uwsgi", unix=False, processes=16):
        self.name = "uwsgi-%s" % proto
        super().__init__(workdir, unix)
        self.proto = proto
        self.ready_marker, self.ready_count = ("spawned uWSGI worker",
                                               processes)
        opt = {"uwsgi": "--uwsgi-socket", "scgi": "--scgi-socket"}[proto]
        self.argv = [UWSGI, "--plugin", "python3", "--master",
                     "--processes", str(processes), "--die-on-term",
                     "--chdir", str(APPS), "--wsgi-file",
                     str(APPS / "wsgi_fault.py"), "--chmod-socket=666",
                     "--pidfile", str(self.dir / "uwsgi.pid"),
                     "--disable-logging", "--reload-mercy", "3",
                     "--worker-reload-mercy", "3", opt, self.address]

    def url(self):
        scheme = self.proto
        if self.unix:
            return "unix:%s|%s://localhost" % (self.sock, scheme)
        return "%s://%s" % (scheme, self.address)


class Gunicorn(Server):
    """gunicorn (HTTP) serving apps/wsgi_fault.py with sync workers."""

    name = "gunicorn"

    ready_marker = "Booting worker with pid"

    def __init__(self, workdir, workers=16):
        super().__init__(workdir)
        self.ready_count = workers
        self.argv = [GUNICORN, "--chdir", str(APPS), "--workers",
                     str(workers), "--timeout", "60", "--graceful-timeout",
                     "3", "--pid", str(self.dir / "gunicorn.pid"),
                     "--bind", self.address, "wsgi_fault:application"]

    def url(self):
        return "http://%s" % self.address


class PyFaultServer(Server):
    """One of our protocol fault servers in apps/, run by Debian's
    python3: argv is `script --listen ADDRESS`."""

    script = None

    def __init__(self, workdir, unix=False):
        super().__init__(workdir, unix)
        self.argv = [PYTHON, str(APPS / self.script), "--listen",
                     self.address]


class WsServer(PyFaultServer):
    """apps/ws_fault.py: a WebSocket echo server on python3-websockets
    with fault paths (see that file)."""

    name = "ws"
    script = "ws_fault.py"


class H2Server(PyFaultServer):
    """apps/h2_fault.py: an h2c (prior knowledge) server on python3-h2
    with the fault paths. nghttpd cannot sleep, die or answer 5xx on
    demand, so it only serves the healthy baseline (Nghttpd)."""

    name = "h2"
    script = "h2_fault.py"


class AjpServer(PyFaultServer):
    """apps/ajp_fault.py: an AJP13 fault server written by us. Debian's
    tomcat10 speaks AJP, but needs a JVM (~250 MB installed, 5-15 s to
    start on 2 busy cores) and its faults (a halted JVM) would take the
    whole server down for each case."""

    name = "ajp"
    script = "ajp_fault.py"


class Nghttpd(Server):
    """nghttpd (nghttp2-server) in cleartext h2c mode, serving files from
    a htdocs directory: a real, healthy HTTP/2 upstream."""

    name = "nghttpd"

    def __init__(self, workdir):
        super().__init__(workdir)
        self.htdocs = self.dir / "htdocs"
        self.htdocs.mkdir(exist_ok=True)
        (self.htdocs / "ok").write_text("ok from nghttpd\n")
        self.argv = [NGHTTPD, "--no-tls", "--htdocs", str(self.htdocs),
                     "--address", "127.0.0.1", str(self.port)]


def stop_all(servers):
    for s in servers:
        s.stop()


if __name__ == "__main__":
    # a manual check: start each server, print its address, stop it
    root = Path(tempfile.mkdtemp(prefix="gwg-backends-"))
    for cls in (PhpFpm, Uwsgi, Gunicorn, WsServer, H2Server, AjpServer,
                Nghttpd):
        with cls(root / cls.__name__) as srv:
            print(cls.__name__, srv.address)
    sys.exit(0)
