"""gwguardctl watch in a real terminal (tmux): the live view shows the
upstreams, rates per second and breaker states, and ends cleanly on
Ctrl-C and when the terminal goes away."""

import re
import shutil
import subprocess
import threading
import time

import pytest

from conftest import get
from httpd import GWGUARDCTL
from test_counting import wait_for

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(not TMUX, reason="tmux not installed "
                                "(scripts/deps.sh installs it)")


class Tmux:
    """A private tmux server (its own socket), killed at the end."""

    def __init__(self, tmp_path):
        self.sock = str(tmp_path / "tmux.sock")

    def run(self, *args):
        return subprocess.run([TMUX, "-S", self.sock] + list(args),
                              capture_output=True, text=True, timeout=20)

    def start(self, command):
        p = self.run("new-session", "-d", "-s", "w", "-x", "160", "-y", "40",
                     command)
        assert p.returncode == 0, p.stderr

    def screen(self):
        return self.run("capture-pane", "-p", "-t", "w").stdout

    def stop(self):
        self.run("kill-server")


def watch_command(h, tmp_path):
    """watch under sh, which records watch's pid and exit status; sh
    ignores SIGHUP so that it outlives a closed terminal to write it."""
    return ("sh -c \"trap '' HUP INT; echo \\$\\$ > %s/pid; "
            "exec_status() { %s watch --shm %s --interval 0.5; "
            "echo \\$? > %s/rc; }; exec_status\""
            % (tmp_path, GWGUARDCTL, h.shm, tmp_path))


def read(path):
    """The file's text, or None while it does not exist or is still empty:
    sh creates the file for the redirect before echo writes to it."""
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def start(make_httpd, upstream, dead_port, tmp_path):
    h = make_httpd().start("ProxyPass /up/ http://127.0.0.1:%d/\n"
                           "ProxyPass /dead/ http://127.0.0.1:%d/\n"
                           % (upstream.port, dead_port))
    get(h.url + "/up/ok")
    get(h.url + "/dead/x")
    assert wait_for(lambda: h.status()["totals"]["requests"] == 2)
    return h


def test_live_view_and_ctrl_c(make_httpd, upstream, dead_port, tmp_path):
    h = start(make_httpd, upstream, dead_port, tmp_path)
    dead = "http://127.0.0.1:%d" % dead_port
    t = Tmux(tmp_path)
    stop = threading.Event()
    raised = []

    def failures():
        while not stop.is_set():
            try:
                get(h.url + "/dead/y")
            except Exception as e:          # noqa: BLE001 -- reported
                raised.append(repr(e))
                return
            time.sleep(0.02)
    try:
        t.start(watch_command(h, tmp_path))
        assert wait_for(lambda: "UPSTREAM" in t.screen(), timeout=20), \
            t.screen()
        screen = t.screen()
        assert "REQ/S" in screen and "FAIL/S" in screen
        assert "BREAKER" in screen and "closed" in screen
        assert dead in screen
        load = threading.Thread(target=failures)
        load.start()
        row = re.compile(re.escape(dead) + r"\s+([\d.]+)\s+([\d.]+)\s+(\d+)")

        def failing_rate_shown():
            m = row.search(t.screen())
            return m and float(m.group(2)) > 0 and int(m.group(3)) > 1
        assert wait_for(failing_rate_shown, timeout=30), t.screen()
        stop.set()
        load.join(30)
        assert not load.is_alive() and raised == [], raised
        # the rate falls back to 0 once nothing fails any more
        assert wait_for(lambda: (lambda m: m and float(m.group(2)) == 0)(
            row.search(t.screen())), timeout=30), t.screen()
        t.run("send-keys", "-t", "w", "C-c")
        assert wait_for(lambda: read(tmp_path / "rc") is not None,
                        timeout=20), t.screen()
        assert read(tmp_path / "rc") == "0"
    finally:
        stop.set()
        t.stop()


def test_closed_terminal_ends_watch(make_httpd, upstream, dead_port,
                                   tmp_path):
    h = start(make_httpd, upstream, dead_port, tmp_path)
    t = Tmux(tmp_path)
    try:
        t.start(watch_command(h, tmp_path))
        assert wait_for(lambda: "UPSTREAM" in t.screen(), timeout=20)
        t.run("kill-session", "-t", "w")         # the terminal goes away
        assert wait_for(lambda: read(tmp_path / "rc") is not None,
                        timeout=20)
        assert read(tmp_path / "rc") == "0"
    finally:
        t.stop()


def test_watch_without_terminal_and_usage(make_httpd, upstream, dead_port,
                                          tmp_path):
    h = start(make_httpd, upstream, dead_port, tmp_path)
    p = subprocess.run([str(GWGUARDCTL), "watch", "--shm", str(h.shm),
                        "--interval", "0.1", "--count", "2"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("UPSTREAM") == 2 and "\033[" not in p.stdout
    for bad in (["--interval", "0"], ["--interval", "x"], ["extra"],
                ["--count", "0"], ["--count", "x"]):
        p = subprocess.run([str(GWGUARDCTL), "watch", "--shm", str(h.shm)]
                           + bad, capture_output=True, text=True, timeout=30)
        assert p.returncode == 2, bad
