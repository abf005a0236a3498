"""EXPAND_DIMS: inserts a size-1 dimension; the same bytes, so an alias like RESHAPE."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import reshape
from relomodel.compiler.ops.base import LowerContext, LoweredOp

NAME = "EXPAND_DIMS"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    return reshape.lower(graph, op, ctx)
