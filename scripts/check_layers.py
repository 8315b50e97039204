#!/usr/bin/python3
"""The glue's structure (docs/architecture.md), checked so it cannot drift.

1. No include circle among the glue areas. An area is mod_gwguard_X.c with
   its header mod_gwguard_X.h; a file of area X that includes
   mod_gwguard_Y.h depends on Y. mod_gwguard.h (the module and
   configuration records, the segment) includes no glue header.
2. No call circle among the glue objects: X.o using a function or data
   object that Y.o defines (nm) depends on Y. The module record
   (gwguard_module), which every area reads its configuration through, is
   the one exception.
3. mod_gwguard.c is the table of contents: every gwguard_<area>_register_hooks
   is defined in its own area and called from mod_gwguard.o only.

Usage: check_layers.py [BUILD_DIR]   (exit 1 with the reason on a breach)
"""
import glob
import os
import re
import subprocess
import sys

SRC = "mod_gwguard"
INCLUDE = re.compile(r'^\s*#\s*include\s+"(mod_gwguard[a-z_]*)\.h"', re.M)
ROOT_RECORD = "gwguard_module"
REGISTER = re.compile(r"^gwguard_([a-z_]+)_register_hooks$")


def area(path):
    """mod_gwguard_X.c and .h are area mod_gwguard_X; mod_gwguard.h is
    apart from mod_gwguard.c (records vs. table of contents)."""
    base = os.path.basename(path)
    if base == "mod_gwguard.h":
        return "mod_gwguard.h"
    return os.path.splitext(base)[0]


def find_cycle(graph):
    """One cycle as a list of nodes, or None (iterative DFS)."""
    colour = {}
    for start in sorted(graph):
        if colour.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        colour[start] = 1
        while stack:
            node, edges = stack[-1]
            nxt = next(edges, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                path.pop()
                continue
            if colour.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if not colour.get(nxt):
                colour[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(sorted(graph.get(nxt, ())))))
    return None


def include_graph():
    graph = {}
    files = glob.glob(os.path.join(SRC, "mod_gwguard*.[ch]"))
    for path in files:
        node = area(path)
        graph.setdefault(node, set())
        with open(path, encoding="utf-8") as f:
            for inc in INCLUDE.findall(f.read()):
                dep = "mod_gwguard.h" if inc == "mod_gwguard" else inc
                if dep != node:
                    graph[node].add(dep)
    return graph


def nm(obj):
    out = subprocess.run(["nm", obj], check=True, capture_output=True,
                         text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, used


def symbol_graph(build):
    objs = sorted(glob.glob(os.path.join(build, "glue", "mod_gwguard*.o")))
    if not objs:
        sys.exit(f"check_layers: no glue objects in {build}/glue (make "
                 "first)")
    owner, uses = {}, {}
    for obj in objs:
        node = area(obj)
        defined, used = nm(obj)
        for sym in defined:
            owner[sym] = node
        uses[node] = used
    graph = {node: set() for node in uses}
    for node, used in uses.items():
        for sym in used - {ROOT_RECORD}:
            dep = owner.get(sym)
            if dep and dep != node:
                graph[node].add(dep)
    return graph, owner, uses


def check_registers(owner, uses):
    errors = []
    for sym, node in sorted(owner.items()):
        m = REGISTER.match(sym)
        if not m:
            continue
        if node != "mod_gwguard_" + m.group(1):
            errors.append(f"{sym} is defined in {node}.c, not in "
                          f"mod_gwguard_{m.group(1)}.c")
        callers = sorted(n for n, used in uses.items() if sym in used)
        if callers != ["mod_gwguard"]:
            errors.append(f"{sym} is called from {callers or 'nowhere'}; "
                          "only mod_gwguard.c registers areas")
    return errors


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    errors = []
    inc = include_graph()
    if inc.get("mod_gwguard.h"):
        errors.append("mod_gwguard.h includes glue headers: "
                      + ", ".join(sorted(inc["mod_gwguard.h"])))
    cycle = find_cycle(inc)
    if cycle:
        errors.append("include circle: " + " -> ".join(cycle))
    calls, owner, uses = symbol_graph(build)
    cycle = find_cycle(calls)
    if cycle:
        errors.append("call circle: " + " -> ".join(cycle))
    errors += check_registers(owner, uses)
    for e in errors:
        print("check_layers: " + e, file=sys.stderr)
    if not errors:
        print(f"check_layers: {len(inc)} glue areas, no include or call "
              "circle; every area registered from mod_gwguard.c")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
