#!/usr/bin/env python3
"""`make mutants`: applies each mutant of tests/mutants/mutants.txt to a
scratch copy of the tree, builds it, runs the tests named for it and
reports whether they caught it (killed) or not (survived).

    tests/mutants/run.py [--keep] [--no-baseline] [NAME-GLOB ...]

Before any mutant, every test command of the chosen mutants runs once on
the unchanged copy: a test that fails there proves nothing. A mutant whose
pattern is not found exactly once, or that does not build, is an error in
the list. Exit status: 0 when every mutant was killed, 1 otherwise.
"""

import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
LIST = Path(__file__).resolve().parent / "mutants.txt"
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
TEST_TIMEOUT = 900          # seconds, per test command
BUILD_TARGETS = ["all", "build/unit_tests"]


class ListError(Exception):
    pass


def parse(text):
    """The stanzas of mutants.txt as dicts: name, file, find (list of
    lines), replace (list of lines), tests (list of commands)."""
    mutants, cur = [], None
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            cur = None
            continue
        m = re.match(r"(name|file|find|find\+|replace|replace\+|test):?"
                     r"(?: (.*))?$", line)
        if not m:
            raise ListError("mutants.txt:%d: cannot read %r" % (n, line))
        key, value = m.group(1), (m.group(2) or "").strip()
        if cur is None:
            if key != "name":
                raise ListError("mutants.txt:%d: a stanza starts with name:"
                                % n)
            cur = {"name": value, "find": [], "replace": [], "tests": [],
                   "line": n}
            mutants.append(cur)
        elif key == "file":
            cur["file"] = value
        elif key in ("find", "find+"):
            cur["find"].append(value)
        elif key in ("replace", "replace+"):
            cur["replace"].append(value)
        elif key == "test":
            cur["tests"].append(value)
        else:
            raise ListError("mutants.txt:%d: a second name: in one stanza"
                            % n)
    for m in mutants:
        if not (m.get("file") and m["find"] and m["tests"]):
            raise ListError("mutants.txt:%d: %s needs file:, find: and "
                            "test:" % (m["line"], m["name"]))
    return mutants


def pattern(find_lines):
    """The find: lines as a regular expression in which any run of
    white space matches any other (indentation is not part of a bug)."""
    words = " ".join(find_lines).split()
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def mutate(source, mutant):
    """source with the mutant applied; ListError unless its find: text
    occurs exactly once."""
    found = list(pattern(mutant["find"]).finditer(source))
    if len(found) != 1:
        raise ListError("%s: the find: text occurs %d times in %s" % (
            mutant["name"], len(found), mutant["file"]))
    m = found[0]
    return source[:m.start()] + "\n".join(mutant["replace"]) + \
        source[m.end():]


def command(test):
    """A test: line as argv plus extra environment."""
    words = shlex.split(test)
    if words[0] == "pytest":
        return ([PYTHON, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
                + words[1:], {})
    if words[0] == "unit":
        env = {"CK_RUN_SUITE": words[1]} if len(words) > 1 else {}
        return (["build/unit_tests"], env)
    return (["sh", "-c", test], {})


def run_test(scratch, test, log):
    argv, extra = command(test)
    env = dict(os.environ, **extra)
    env.pop("CI", None)            # a skip here is not about the machine
    start = time.monotonic()
    with open(log, "a") as out:
        out.write("$ %s\n" % test)
        out.flush()
        try:
            rc = subprocess.run(argv, cwd=scratch, env=env, stdout=out,
                                stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL,
                                timeout=TEST_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    return rc, time.monotonic() - start


def build(scratch, log):
    with open(log, "a") as out:
        return subprocess.run(["make", "-j2", "--no-print-directory"]
                              + BUILD_TARGETS, cwd=scratch, stdout=out,
                              stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL,
                              timeout=900).returncode == 0


def copy_tree(dest):
    """The tree as it is now (tracked and new files, not ignored ones:
    no build output) into dest."""
    files = subprocess.run(["git", "ls-files", "-z", "-c", "-o",
                            "--exclude-standard"], cwd=TOP, check=True,
                           capture_output=True).stdout.split(b"\0")
    for f in filter(None, files):
        src = TOP / f.decode()
        if src.is_file():
            (dest / f.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f.decode())


def tail(path, n=25):
    lines = Path(path).read_text(errors="replace").splitlines()
    return "\n".join("    " + l for l in lines[-n:])


def main(argv):
    sys.stdout.reconfigure(line_buffering=True)     # progress, as it goes
    keep = "--keep" in argv
    baseline = "--no-baseline" not in argv
    globs = [a for a in argv if not a.startswith("--")]
    try:
        mutants = parse(LIST.read_text())
    except ListError as e:
        print(e, file=sys.stderr)
        return 1
    if globs:
        mutants = [m for m in mutants
                   if any(fnmatch.fnmatch(m["name"], g) for g in globs)]
    if not mutants:
        print("no mutant matches %s" % " ".join(globs), file=sys.stderr)
        return 1

    scratch = Path(tempfile.mkdtemp(prefix="gwg-mutants-"))
    logs = scratch / "mutant-logs"
    logs.mkdir()
    print("mutants: %d, scratch copy %s" % (len(mutants), scratch))
    errors, survived, killed = [], [], []
    try:
        copy_tree(scratch)
        if not build(scratch, logs / "baseline.log"):
            print("the unchanged tree does not build:\n%s"
                  % tail(logs / "baseline.log"))
            return 1
        if baseline:
            for test in dict.fromkeys(t for m in mutants for t in m["tests"]):
                rc, secs = run_test(scratch, test, logs / "baseline.log")
                print("  baseline %-60s %s (%.0fs)" % (
                    test, "ok" if rc == 0 else "FAILS", secs))
                if rc != 0:
                    print("a test fails without any mutant; it proves "
                          "nothing:\n%s" % tail(logs / "baseline.log"))
                    return 1
        for m in mutants:
            path = scratch / m["file"]
            original = path.read_text()
            log = logs / (m["name"] + ".log")
            try:
                path.write_text(mutate(original, m))
                if not build(scratch, log):
                    raise ListError("%s does not build:\n%s"
                                    % (m["name"], tail(log)))
                by = None
                for test in m["tests"]:
                    rc, secs = run_test(scratch, test, log)
                    if rc != 0:
                        by = "%s (%s, %.0fs)" % (
                            test, "timed out" if rc == "timeout"
                            else "exit %d" % rc, secs)
                        break
                if by:
                    killed.append(m["name"])
                    print("  killed    %-34s by %s" % (m["name"], by))
                else:
                    survived.append(m["name"])
                    print("  SURVIVED  %-34s %s\n%s"
                          % (m["name"], " ; ".join(m["tests"]), tail(log)))
            except (ListError, subprocess.TimeoutExpired) as e:
                errors.append(m["name"])
                print("  ERROR     %s" % e)
            finally:
                path.write_text(original)
    finally:
        if keep or survived or errors:
            print("logs: %s" % logs)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print("%d mutants: %d killed, %d survived%s%s" % (
        len(mutants), len(killed), len(survived),
        (": " + ", ".join(survived)) if survived else "",
        (", %d errors: %s" % (len(errors), ", ".join(errors)))
        if errors else ""))
    return 0 if not survived and not errors else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
