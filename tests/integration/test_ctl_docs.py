"""The man page renders without warnings and documents every command the
CLI has; the bash completion completes commands, options and upstream
keys."""

import os
import shutil
import subprocess

import pytest

from conftest import get
from httpd import GWGUARDCTL, TOP
from test_counting import wait_for

MAN = TOP / "docs" / "gwguardctl.1"
COMPLETION = TOP / "conf" / "gwguardctl.bash-completion"


def commands_from_help():
    out = subprocess.run([str(GWGUARDCTL), "--help"], capture_output=True,
                         text=True, timeout=10).stdout
    return [l.split()[1] for l in out.splitlines()
            if l.startswith("  gwguardctl ") and not l.split()[1]
            .startswith("--")]


@pytest.mark.skipif(not shutil.which("man"), reason="man-db not installed")
def test_man_page_renders():
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    p = subprocess.run(["man", "--warnings", "-l", str(MAN)],
                       capture_output=True, text=True, timeout=30, env=env)
    assert p.returncode == 0, p.stderr
    assert p.stderr == "", p.stderr
    text = p.stdout
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS",
                    "EXAMPLES"):
        assert section in text
    cmds = commands_from_help()
    assert set(cmds) == {"status", "reset", "check", "watch", "recent",
                         "explain", "maintenance"}
    for c in cmds:
        assert "gwguardctl %s" % c in text, c


# The real bash-completion library when installed; else stubs of the
# three helpers the script uses, so the script's own logic is tested.
STUBS = r"""
if [ -r /usr/share/bash-completion/bash_completion ]; then
  . /usr/share/bash-completion/bash_completion
else
  _init_completion() { cur=${COMP_WORDS[COMP_CWORD]};
    prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}");
    cword=$COMP_CWORD; }
  _filedir() { COMPREPLY=(FILES); }
  __ltrim_colon_completions() { :; }
fi
"""


def complete(line, path):
    words = line.split(" ")
    script = (STUBS + ". %s\nPATH=%s:$PATH\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n"
              "_gwguardctl\nprintf '%%s\\n' \"${COMPREPLY[@]}\"\n"
              % (COMPLETION, GWGUARDCTL.parent,
                 " ".join("'%s'" % w for w in words), len(words) - 1))
    p = subprocess.run(["bash", "-c", script], capture_output=True,
                       text=True, timeout=30, env=dict(os.environ,
                                                       GWGUARD_SHM=path))
    assert p.returncode == 0, p.stderr
    return sorted(x for x in p.stdout.split("\n") if x)


def test_bash_completion(make_httpd, dead_port):
    h = make_httpd().start("ProxyPass /dead/ http://127.0.0.1:%d/\n"
                           % dead_port)
    get(h.url + "/dead/x")
    assert wait_for(lambda: h.status()["totals"]["requests"] == 1)
    shm = str(h.shm)
    assert complete("gwguardctl re", shm) == ["recent", "reset"]
    assert complete("gwguardctl status --", shm) == [
        "--config", "--json", "--prometheus", "--shm", "--xml"]
    assert complete("gwguardctl check --s", shm) == ["--strict"]
    assert complete("gwguardctl status --shm ", shm) != []
    assert complete("gwguardctl reset ", shm) == [
        "http://127.0.0.1:%d" % dead_port]
    key = "http://127.0.0.1:%d" % dead_port
    assert complete("gwguardctl ma", shm) == ["maintenance"]
    assert complete("gwguardctl maintenance ", shm) == [key]
    assert complete("gwguardctl maintenance %s " % key, shm) == [
        key, "off", "on"]
    assert complete("gwguardctl maintenance %s on --" % key, shm) == [
        "--for", "--message", "--until"]
    assert complete("gwguardctl maintenance %s on --for " % key, shm) == []
