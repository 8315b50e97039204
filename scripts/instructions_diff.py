#!/usr/bin/python3
"""Where the instructions of one request go, per function: from the
profiles `scripts/instructions.py --keep DIR N CASE` kept, each function's
cost in the N + 1 request run minus the one-request run, divided by N, for
stock and gwguard side by side (start-up cancels out).
Usage: scripts/instructions_diff.py DIR CASE N [--self] [--all]
  --self: exclusive costs (default inclusive); --all: every row that
  changed, not only the 60 largest differences."""

import re
import subprocess
import sys


def costs(path, inclusive):
    out = subprocess.run(["callgrind_annotate", "--threshold=100",
                          "--inclusive=%s" % ("yes" if inclusive else "no"),
                          path], capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(?:\S*:)?(\S+)", line)
        # "<counts for unidentified lines in FILE>" rows are not functions
        if m and "PROGRAM" not in line and "<counts for" not in line:
            name = m.group(2)
            value = int(m.group(1).replace(",", ""))
            rows[name] = max(rows.get(name, 0), value)
    return rows


def per_request(prefix, n, inclusive):
    big, one = costs(prefix + ".out", inclusive), costs(prefix + "-1.out",
                                                        inclusive)
    return {k: (big[k] - one.get(k, 0)) / n for k in big}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3:
        sys.exit(__doc__)
    where, case, n = args[0], args[1], int(args[2])
    inclusive = "--self" not in sys.argv
    stock = per_request("%s/%s-stock" % (where, case), n, inclusive)
    gw = per_request("%s/%s-gwguard" % (where, case), n, inclusive)
    rows = sorted(((gw.get(k, 0) - stock.get(k, 0), stock.get(k, 0),
                    gw.get(k, 0), k) for k in set(stock) | set(gw)),
                  key=lambda r: -abs(r[0]))
    print("%8s %8s %8s  %s" % ("added", "stock", "gwguard", "function"))
    for d, s, g, k in rows if "--all" in sys.argv else rows[:60]:
        if abs(d) >= 20 or max(s, g) >= 1000:
            print("%8.0f %8.0f %8.0f  %s" % (d, s, g, k))


if __name__ == "__main__":
    main()
