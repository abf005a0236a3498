"""Planner invariants on generated models and on random graphs."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.planner import check_no_overlap, plan_arena
from relomodel.compiler.tflite_reader import read_tflite
from relomodel.modelgen.mlp import big_mlp, demo_model


def _check(graph, plan, aliases):
    check_no_overlap(plan)
    assert plan.size >= plan.lower_bound
    for buffer in plan.buffers:
        assert buffer.offset % plan.align == 0
        for tensor in buffer.tensors:
            assert graph.tensor(tensor).size_bytes <= buffer.size
    for out, inp in aliases.items():
        assert plan.offsets[out] == plan.offsets[inp]
    for tensor in graph.inputs + graph.outputs:
        assert tensor in plan.offsets


def test_generated_models_plan_at_the_lower_bound():
    for data in (demo_model(), big_mlp()):
        graph = read_tflite(data)
        reshape = next(op for op in graph.operators if op.name == "RESHAPE")
        aliases = {reshape.outputs[0]: reshape.inputs[0]}
        plan = plan_arena(graph, aliases)
        _check(graph, plan, aliases)
        assert plan.size == plan.lower_bound  # a chain is planned optimally
        constants = {t.index for t in graph.tensors if t.is_constant}
        assert not constants & set(plan.offsets)


def test_chain_reuses_memory():
    sizes = [100, 300, 50, 300, 10]
    tensors = [Tensor(i, f"t{i}", "int8", (s,)) for i, s in enumerate(sizes)]
    ops = [Operator(i, "X", inputs=(i,), outputs=(i + 1,)) for i in range(len(sizes) - 1)]
    graph = Graph(tensors, ops, inputs=(0,), outputs=(len(sizes) - 1,))
    plan = plan_arena(graph)
    _check(graph, plan, {})
    assert plan.size < sum(s + 15 for s in sizes)


@st.composite
def random_graphs(draw):
    count = draw(st.integers(1, 12))
    tensors = [Tensor(0, "in", "int8", (draw(st.integers(1, 500)),))]
    ops = []
    for step in range(count):
        available = list(range(len(tensors)))
        inputs = tuple(sorted(set(draw(st.lists(st.sampled_from(available), min_size=1, max_size=3)))))
        out = len(tensors)
        tensors.append(Tensor(out, f"t{out}", draw(st.sampled_from(["int8", "float32"])),
                              (draw(st.integers(1, 500)),)))
        ops.append(Operator(step, "X", inputs=inputs, outputs=(out,)))
    outputs = tuple(sorted(set(draw(st.lists(st.integers(1, len(tensors) - 1), min_size=1, max_size=3)))))
    return Graph(tensors, ops, inputs=(0,), outputs=outputs)


@settings(max_examples=200, deadline=None)
@given(random_graphs())
def test_random_graphs_never_overlap(graph):
    plan = plan_arena(graph)
    _check(graph, plan, {})
    # brute force: at every step, live tensors occupy disjoint byte ranges
    for step in range(len(graph.operators)):
        live = [b for b in plan.buffers if b.first <= step <= b.last]
        used = np.zeros(plan.size, dtype=np.int32)
        for b in live:
            used[b.offset:b.offset + b.size] += 1
        assert used.max(initial=0) <= 1
