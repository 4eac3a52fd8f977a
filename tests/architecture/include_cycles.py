#!/usr/bin/env python3
"""Fails when project files include each other in a cycle.

Reads every .h and .cc under the layer folders, follows `#include "path"` lines
whose path is a project file (includes go by path from the repository root), and
prints each cycle it finds as a chain of files. Exit 0 when there is none.
"""
import pathlib
import re
import sys

LAYERS = ["events", "storage", "models", "projections", "services"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def include_graph(root):
    graph = {}
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*")):
            if path.suffix not in (".h", ".cc"):
                continue
            name = path.relative_to(root).as_posix()
            targets = INCLUDE.findall(path.read_text(errors="replace"))
            graph[name] = [t for t in targets if (root / t).is_file()]
    return graph


def find_cycles(graph):
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    graph = include_graph(root)
    if not graph:
        print(f"no project files under {root}", file=sys.stderr)
        return 2
    cycles = find_cycles(graph)
    for cycle in cycles:
        print("include cycle: " + " -> ".join(cycle))
    print(f"{len(graph)} files, {sum(map(len, graph.values()))} project includes, {len(cycles)} cycles")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
