"""Worst-case stack depth of a model entry point, from gcc's -fcallgraph-info=su output.

gcc reports each function's frame size and its call edges; the worst case is the heaviest
path from the entry. When the answer cannot be bounded (recursion, unbounded dynamic
frames) the result is 0, which the manifest defines as "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Functions gcc did not compile here (libgcc helpers such as __aeabi_ldivmod) have no frame
# size in the call graph. They are small leaf routines pushing a few registers; this bounds them.
EXTERNAL_FRAME_ALLOWANCE = 128
INDIRECT_CALL = "__indirect_call"

_NODE = re.compile(r'node:\s*\{\s*title:\s*"([^"]+)"\s*label:\s*"([^"]*)"')
_EDGE = re.compile(r'edge:\s*\{\s*sourcename:\s*"([^"]+)"\s*targetname:\s*"([^"]+)"')
_FRAME = re.compile(r"(\d+) bytes \(([a-z,]+)\)")


@dataclass
class _Graph:
    frames: dict[str, int | None] = field(default_factory=dict)  # None: unbounded dynamic frame
    calls: dict[str, set[str]] = field(default_factory=dict)


class _Unbounded(Exception):
    pass


def _parse(callgraphs: list[str]) -> _Graph:
    graph = _Graph()
    for text in callgraphs:
        for title, label in _NODE.findall(text):
            frame = _FRAME.search(label)
            if frame is None:
                graph.frames.setdefault(title, EXTERNAL_FRAME_ALLOWANCE)
                continue
            size, kind = int(frame.group(1)), frame.group(2)
            graph.frames[title] = None if kind == "dynamic" else size
        for source, target in _EDGE.findall(text):
            graph.calls.setdefault(source, set()).add(target)
    return graph


def worst_case_stack(callgraphs: list[str], root: str) -> int:
    """Bytes of stack `root` may use, including everything it calls; 0 when unknown."""
    graph = _parse(callgraphs)
    if root not in graph.frames:
        return 0
    memo: dict[str, int] = {}
    try:
        if _reaches(graph, root, INDIRECT_CALL):
            # An indirect call may land in any function that itself makes no indirect call
            # (the dispatchers that do are excluded, else every dispatcher would be unbounded).
            targets = [n for n in graph.frames if not _reaches(graph, n, INDIRECT_CALL)]
            memo[INDIRECT_CALL] = max((_depth(graph, n, memo, ()) for n in targets), default=0)
        return _depth(graph, root, memo, ())
    except _Unbounded:
        return 0


def _reaches(graph: _Graph, root: str, goal: str) -> bool:
    seen, todo = set(), [root]
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(graph.calls.get(name, ()))
    return False


def _depth(graph: _Graph, name: str, memo: dict[str, int], path: tuple[str, ...]) -> int:
    if name in memo:
        return memo[name]
    if name in path:
        raise _Unbounded(f"recursion through {name}")
    frame = graph.frames.get(name, EXTERNAL_FRAME_ALLOWANCE)
    if frame is None:
        raise _Unbounded(f"{name} has an unbounded dynamic frame")
    callees = graph.calls.get(name, ())
    depth = frame + max((_depth(graph, c, memo, path + (name,)) for c in callees), default=0)
    memo[name] = depth
    return depth
