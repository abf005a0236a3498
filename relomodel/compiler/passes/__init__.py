"""Graph-to-graph passes run after reading a model and before the supported-op check.

Each pass takes an ir.Graph and returns the graph to compile; they run in PASSES order.
"""

from __future__ import annotations

from collections.abc import Callable

from relomodel.compiler.ir import Graph
from relomodel.compiler.passes.constant_folding import fold_constants
from relomodel.compiler.passes.fold_batch_norm import fold_batch_norm
from relomodel.compiler.passes.uint8_to_int8 import convert_uint8

# convert_uint8 last: the folding passes only ever see (and rewrite) int8 data
PASSES: tuple[Callable[[Graph], Graph], ...] = (fold_constants, fold_batch_norm, convert_uint8)


def run_passes(graph: Graph) -> Graph:
    for graph_pass in PASSES:
        graph = graph_pass(graph)
    return graph
