"""Activation arena plan: buffer lifetimes over the op schedule and greedy offsets.

A buffer holds one computed tensor plus any tensors aliased to it (RESHAPE outputs). Its
lifetime is the inclusive range of schedule steps from its producer to its last reader;
graph inputs live from step 0 and graph outputs to the last step. Two buffers whose
lifetimes intersect must not share bytes (kernels never run in place).
"""

from __future__ import annotations

from dataclasses import dataclass

from relomodel.compiler.ir import Graph

DEFAULT_ALIGN = 16


@dataclass
class Buffer:
    root: int  # tensor index that owns the bytes
    tensors: tuple[int, ...]  # root plus aliases
    size: int  # bytes, rounded up to the alignment
    first: int  # first schedule step the bytes must hold the value
    last: int  # last schedule step
    offset: int = -1

    def lives_with(self, other: "Buffer") -> bool:
        return self.first <= other.last and other.first <= self.last


@dataclass
class ArenaPlan:
    offsets: dict[int, int]  # tensor index -> byte offset in the arena
    buffers: list[Buffer]
    size: int
    align: int
    lower_bound: int  # max over steps of the bytes live at that step


def plan_arena(graph: Graph, aliases: dict[int, int] | None = None, *, align: int = DEFAULT_ALIGN) -> ArenaPlan:
    """Plan the arena for `graph.operators` in order; `aliases` maps output -> input tensor."""
    buffers = build_buffers(graph, aliases or {}, align)
    assign_offsets(buffers, align)
    size = max((b.offset + b.size for b in buffers), default=0)
    offsets = {t: b.offset for b in buffers for t in b.tensors}
    plan = ArenaPlan(offsets, buffers, size, align, lower_bound(buffers, len(graph.operators)))
    check_no_overlap(plan)
    return plan


def build_buffers(graph: Graph, aliases: dict[int, int], align: int) -> list[Buffer]:
    last_step = max(len(graph.operators) - 1, 0)
    first: dict[int, int] = {}
    last: dict[int, int] = {}

    def touch(tensor: int, step: int) -> None:
        first[tensor] = min(first.get(tensor, step), step)
        last[tensor] = max(last.get(tensor, step), step)

    for tensor in graph.inputs:
        touch(tensor, 0)
    for step, op in enumerate(graph.operators):
        for tensor in op.inputs + op.outputs:
            if tensor >= 0 and not graph.tensor(tensor).is_constant:
                touch(tensor, step)
    for tensor in graph.outputs:
        touch(tensor, last_step)

    members: dict[int, list[int]] = {}
    for tensor in first:
        members.setdefault(_root(tensor, aliases), []).append(tensor)
    buffers = []
    for root, tensors in members.items():
        size = max(graph.tensor(t).size_bytes for t in tensors)
        buffers.append(Buffer(
            root=root,
            tensors=tuple(sorted(tensors)),
            size=_round_up(max(size, 1), align),
            first=min(first[t] for t in tensors),
            last=max(last[t] for t in tensors),
        ))
    return buffers


def assign_offsets(buffers: list[Buffer], align: int) -> None:
    """Largest first; each goes in the lowest gap among already placed, simultaneously live buffers."""
    placed: list[Buffer] = []
    for buffer in sorted(buffers, key=lambda b: (-b.size, b.first, b.root)):
        busy = sorted((b.offset, b.offset + b.size) for b in placed if b.lives_with(buffer))
        offset = 0
        for start, end in busy:
            if offset + buffer.size <= start:
                break
            offset = max(offset, _round_up(end, align))
        buffer.offset = offset
        placed.append(buffer)


def lower_bound(buffers: list[Buffer], steps: int) -> int:
    """No plan can use fewer bytes than the largest total live at any single step."""
    return max((sum(b.size for b in buffers if b.first <= step <= b.last) for step in range(max(steps, 1))),
               default=0)


def check_no_overlap(plan: ArenaPlan) -> None:
    """Raise AssertionError if two simultaneously live buffers share bytes (a planner bug)."""
    for i, a in enumerate(plan.buffers):
        if a.offset < 0 or a.offset % plan.align or a.offset + a.size > plan.size:
            raise AssertionError(f"buffer of tensor {a.root} misplaced at {a.offset}")
        for b in plan.buffers[i + 1:]:
            if a.lives_with(b) and a.offset < b.offset + b.size and b.offset < a.offset + a.size:
                raise AssertionError(f"buffers of tensors {a.root} and {b.root} overlap")


def _root(tensor: int, aliases: dict[int, int]) -> int:
    seen = set()
    while tensor in aliases and tensor not in seen:
        seen.add(tensor)
        tensor = aliases[tensor]
    return tensor


def _round_up(value: int, align: int) -> int:
    return (value + align - 1) // align * align
