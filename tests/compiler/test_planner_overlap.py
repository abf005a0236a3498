"""Planner overlaps: an op's output may share bytes with its input only as the op promised
(input at least `distance` bytes after the output) and only when the op is the input's last
reader. Brute force over random graphs."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.planner import Overlap, plan_arena


@st.composite
def graphs_with_overlaps(draw):
    count = draw(st.integers(1, 10))
    tensors = [Tensor(0, "in", "int8", (draw(st.integers(1, 400)),))]
    ops, overlaps = [], []
    for step in range(count):
        inputs = tuple(sorted(set(draw(st.lists(st.integers(0, len(tensors) - 1), min_size=1, max_size=2)))))
        out = len(tensors)
        size = draw(st.integers(1, 400))
        tensors.append(Tensor(out, f"t{out}", "int8", (size,)))
        ops.append(Operator(step, "X", inputs=inputs, outputs=(out,)))
        if draw(st.booleans()):
            overlaps.append(Overlap(out, inputs[0], draw(st.integers(0, size))))
    return Graph(tensors, ops, inputs=(0,), outputs=(len(tensors) - 1,)), overlaps


@settings(max_examples=200, deadline=None)
@given(graphs_with_overlaps())
def test_overlaps_are_only_those_promised(case):
    graph, overlaps = case
    plan = plan_arena(graph, overlaps=overlaps)
    assert plan.lower_bound <= plan.size
    promised = {(o.output, o.input): o.distance for o in overlaps}
    readers = {t: [s for s, op in enumerate(graph.operators) if t in op.inputs] for t in range(len(graph.tensors))}
    for step in range(len(graph.operators)):
        live = [b for b in plan.buffers if b.first <= step <= b.last]
        for i, a in enumerate(live):
            for b in live[i + 1:]:
                if a.offset < b.offset + b.size and b.offset < a.offset + a.size:
                    out, inp = (a, b) if (a.root, b.root) in promised else (b, a)
                    distance = promised.get((out.root, inp.root))
                    assert distance is not None, "unpromised overlap"
                    assert inp.offset - out.offset >= distance
                    assert max(readers[inp.root]) == out.first  # the op is the input's last reader


def test_overlap_chain_drifts_instead_of_doubling():
    # a chain of same-size layers that each stream over their input: every output starts 64
    # bytes before its input, so the chain drifts 64 bytes per layer (optimal here) instead of
    # needing two whole buffers
    sizes = [1024] * 6
    tensors = [Tensor(i, f"t{i}", "int8", (s,)) for i, s in enumerate(sizes)]
    ops = [Operator(i, "X", inputs=(i,), outputs=(i + 1,)) for i in range(len(sizes) - 1)]
    graph = Graph(tensors, ops, inputs=(0,), outputs=(len(sizes) - 1,))
    plan = plan_arena(graph, overlaps=[Overlap(i + 1, i, 64) for i in range(len(sizes) - 1)])
    assert plan.lower_bound == 1024 + 64
    assert plan.size == 1024 + 5 * 64
    without = plan_arena(graph)
    assert without.size == 2048


def test_overlap_is_ignored_when_the_input_is_read_later():
    tensors = [Tensor(i, f"t{i}", "int8", (256,)) for i in range(3)]
    ops = [Operator(0, "X", inputs=(0,), outputs=(1,)), Operator(1, "Y", inputs=(0, 1), outputs=(2,))]
    graph = Graph(tensors, ops, inputs=(0,), outputs=(2,))
    plan = plan_arena(graph, overlaps=[Overlap(1, 0, 0)])
    a, b = plan.offsets[0], plan.offsets[1]
    assert a + 256 <= b or b + 256 <= a
    assert not plan.overlaps
    assert np.isfinite(plan.size)


def test_overlap_never_clobbers_a_graph_output():
    tensors = [Tensor(i, f"t{i}", "int8", (256,)) for i in range(2)]
    graph = Graph(tensors, [Operator(0, "X", inputs=(0,), outputs=(1,))], inputs=(0,), outputs=(0, 1))
    plan = plan_arena(graph, overlaps=[Overlap(1, 0, 0)])
    assert not plan.overlaps and plan.size == 512
