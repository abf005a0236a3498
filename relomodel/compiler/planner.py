"""Activation arena plan: buffer lifetimes over the op schedule and greedy offsets.

A buffer holds one computed tensor plus any tensors aliased to it (RESHAPE outputs). Its
lifetime is the inclusive range of schedule steps from its producer to its last reader;
graph inputs live from step 0 and graph outputs to the last step. Two buffers whose
lifetimes intersect must not share bytes, with one exception: an op may declare an Overlap,
meaning its kernel writes its output in an order that never clobbers input bytes it still has
to read as long as the input starts at least `distance` bytes after the output. It applies
only when that op is the input's last reader (streaming convolutions and pools use it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Overlap:
    """Tensor `output` may share bytes with tensor `input` when
    offset(input) - offset(output) >= distance (an op's promise about its kernel)."""

    output: int
    input: int
    distance: int


@dataclass
class ArenaPlan:
    offsets: dict[int, int]  # tensor index -> byte offset in the arena
    buffers: list[Buffer]
    size: int
    align: int
    lower_bound: int  # max over steps of the bytes live at that step (allowed overlaps counted once)
    overlaps: AllowedOverlaps = field(default_factory=dict)


def plan_arena(graph: Graph, aliases: dict[int, int] | None = None, *, align: int = DEFAULT_ALIGN,
               overlaps: list[Overlap] | None = None,
               scratch: dict[int, tuple[int, int]] | None = None) -> ArenaPlan:
    """Plan the arena for `graph.operators` in order; `aliases` maps output -> input tensor;
    `scratch` maps a schedule step to (key, bytes): a kernel's working buffer, live at that step
    only, placed like a tensor and found in `offsets` under its (negative) key."""
    buffers = build_buffers(graph, aliases or {}, align) + scratch_buffers(scratch or {}, align)
    allowed = allowed_overlaps(buffers, aliases or {}, overlaps or [], align, graph.outputs)
    assign_offsets(buffers, align, allowed)
    size = max((b.offset + b.size for b in buffers), default=0)
    offsets = {t: b.offset for b in buffers for t in b.tensors}
    plan = ArenaPlan(offsets, buffers, size, align, lower_bound(buffers, len(graph.operators), allowed),
                     allowed)
    check_no_overlap(plan)
    return plan


# (output buffer root, input buffer root) -> minimum distance, rounded up to the alignment
AllowedOverlaps = dict[tuple[int, int], int]


def allowed_overlaps(buffers: list[Buffer], aliases: dict[int, int], overlaps: list[Overlap],
                     align: int, graph_outputs: tuple[int, ...] = ()) -> AllowedOverlaps:
    """Keep the overlaps whose op really is the input's last reader and the output's producer
    (and whose input is not also a graph output, which must survive the run)."""
    by_root = {b.root: b for b in buffers}
    allowed: AllowedOverlaps = {}
    for overlap in overlaps:
        out_buf = by_root.get(_root(overlap.output, aliases))
        in_buf = by_root.get(_root(overlap.input, aliases))
        if out_buf is None or in_buf is None or out_buf is in_buf or set(in_buf.tensors) & set(graph_outputs):
            continue
        if in_buf.last == out_buf.first and overlap.distance < out_buf.size:
            allowed[(out_buf.root, in_buf.root)] = _round_up(max(overlap.distance, 0), align)
    return allowed


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
            # variable tensors persist across runs: they live in the blob's RAM (state.py), not here
            if tensor >= 0 and not graph.tensor(tensor).is_constant and not graph.tensor(tensor).is_variable:
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


def scratch_buffers(scratch: dict[int, tuple[int, int]], align: int) -> list[Buffer]:
    return [Buffer(root=key, tensors=(key,), size=_round_up(max(size, 1), align), first=step, last=step)
            for step, (key, size) in scratch.items()]


# Orders the greedy placement tries; the smallest arena wins. Largest-first packs unrelated
# buffers well; schedule order keeps overlap chains (conv -> conv) in step with each other.
PLACEMENT_ORDERS = (
    lambda b: (-b.size, b.first, b.root),
    lambda b: (b.first, -b.size, b.root),
    lambda b: (-b.last, -b.first, -b.size, b.root),  # outputs before the inputs they overlap
    lambda b: (-b.size * (b.last - b.first + 1), b.first, b.root),
)


def assign_offsets(buffers: list[Buffer], align: int, allowed: AllowedOverlaps | None = None) -> None:
    """Greedy placement in several orders, keeping the smallest: each buffer goes in the lowest
    gap among already placed, simultaneously live buffers."""
    allowed = allowed or {}
    best: dict[int, int] | None = None
    best_size = 0
    tensors = [b for b in buffers if b.root >= 0]
    scratch = [b for b in buffers if b.root < 0]  # one step long: they fill the gaps tensors leave
    for order in PLACEMENT_ORDERS:
        offsets = _place_in_order(sorted(tensors, key=order) + sorted(scratch, key=order), align, allowed)
        size = max((offsets[b.root] + b.size for b in buffers), default=0)
        if best is None or size < best_size:
            best, best_size = offsets, size
    for buffer in buffers:
        buffer.offset = best[buffer.root]


def _place_in_order(ordered: list[Buffer], align: int, allowed: AllowedOverlaps) -> dict[int, int]:
    placed: list[Buffer] = []
    for buffer in ordered:
        busy = sorted(_busy_interval(buffer, b, allowed) for b in placed if b.lives_with(buffer))
        offset = 0
        for start, end in busy:
            if offset + buffer.size <= start:
                break
            offset = max(offset, _round_up(end, align))
        buffer.offset = offset
        placed.append(buffer)
    return {b.root: b.offset for b in ordered}


def _busy_interval(buffer: Buffer, placed: Buffer, allowed: AllowedOverlaps) -> tuple[int, int]:
    """[start, end): `buffer` fits at offset o iff o + buffer.size <= start or o >= end."""
    start, end = placed.offset, placed.offset + placed.size
    distance = allowed.get((buffer.root, placed.root))
    if distance is not None:  # buffer is the output: it may start `distance` before the input
        return start + buffer.size - distance, end
    distance = allowed.get((placed.root, buffer.root))
    if distance is not None:  # buffer is the input: it may start `distance` into the output
        return start, start + distance
    return start, end


def lower_bound(buffers: list[Buffer], steps: int, allowed: AllowedOverlaps | None = None) -> int:
    """No plan can use fewer bytes than the largest total live at any single step; an allowed
    overlap pair needs at least max(output, distance + input) bytes together."""
    allowed = allowed or {}
    by_root = {b.root: b for b in buffers}
    saving_at: dict[int, int] = {}
    for (out_root, in_root), distance in allowed.items():
        out_buf, in_buf = by_root[out_root], by_root[in_root]
        saving_at[out_buf.first] = max(saving_at.get(out_buf.first, 0),
                                       min(in_buf.size, out_buf.size - distance))
    return max((sum(b.size for b in buffers if b.first <= step <= b.last) - saving_at.get(step, 0)
                for step in range(max(steps, 1))), default=0)


def check_no_overlap(plan: ArenaPlan) -> None:
    """Raise AssertionError if two simultaneously live buffers share bytes (a planner bug)."""
    for i, a in enumerate(plan.buffers):
        if a.offset < 0 or a.offset % plan.align or a.offset + a.size > plan.size:
            raise AssertionError(f"buffer of tensor {a.root} misplaced at {a.offset}")
        for b in plan.buffers[i + 1:]:
            if a.lives_with(b) and a.offset < b.offset + b.size and b.offset < a.offset + a.size:
                if _overlap_is_allowed(plan.overlaps, a, b) or _overlap_is_allowed(plan.overlaps, b, a):
                    continue
                raise AssertionError(f"buffers of tensors {a.root} and {b.root} overlap")


def _overlap_is_allowed(allowed: AllowedOverlaps, output: Buffer, input_: Buffer) -> bool:
    distance = allowed.get((output.root, input_.root))
    return distance is not None and input_.offset - output.offset >= distance


def _root(tensor: int, aliases: dict[int, int]) -> int:
    seen = set()
    while tensor in aliases and tensor not in seen:
        seen.add(tensor)
        tensor = aliases[tensor]
    return tensor


def _round_up(value: int, align: int) -> int:
    return (value + align - 1) // align * align
