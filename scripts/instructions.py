#!/usr/bin/env python3
"""Instructions per proxied request, stock httpd against mod_gwguard, by
callgrind on a single-process httpd (-X): deterministic, unlike req/s on
a shared machine. For a refused upstream and for a healthy one, each
configuration runs twice, with 1 and with N + 1 requests on fresh
connections; the difference divided by N leaves out start-up.
Usage: scripts/instructions.py [N]   (default 500)"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tests" / "integration"))

from conftest import get                         # noqa: E402
from faultd import FaultUpstream                 # noqa: E402
from httpd import Httpd, free_port, HTTPD        # noqa: E402


def total(module, requests, port):
    root = tempfile.mkdtemp(prefix="gwguard-cg-")
    h = Httpd(root, loglevel="crit", access_log=False, load_gwguard=module)
    h.write_config("ProxyPass /p/ http://127.0.0.1:%d/\n" % port)
    out = Path(root) / "callgrind.out"
    out.touch()
    if os.geteuid() == 0:       # the child writes it after switching user
        shutil.chown(out, "www-data", "www-data")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind",
                             "--callgrind-out-file=%s" % out, HTTPD, "-X",
                             "-f", str(h.conf_file)],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        h._wait_listening(timeout=120)
        for _ in range(requests):
            get(h.url + "/p/ok", timeout=60)
    finally:
        proc.terminate()
        proc.wait(120)
    text = subprocess.run(["callgrind_annotate", str(out)],
                          capture_output=True, text=True).stdout
    shutil.rmtree(root, ignore_errors=True)
    return int(re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS",
                         text).group(1).replace(",", ""))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    upstream = FaultUpstream().start()
    try:
        for case, port in (("refused", free_port()),
                           ("success", upstream.port)):
            per = {}
            for name, module in (("stock", False), ("gwguard", True)):
                per[name] = (total(module, n + 1, port)
                             - total(module, 1, port)) / n
            print("%s: stock %.0f, gwguard %.0f instructions per request; "
                  "gwguard adds %.0f (%.1f %%)" % (
                      case, per["stock"], per["gwguard"],
                      per["gwguard"] - per["stock"],
                      100.0 * (per["gwguard"] / per["stock"] - 1)))
    finally:
        upstream.stop()


if __name__ == "__main__":
    main()
