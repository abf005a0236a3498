"""SQUEEZE: drops size-1 dimensions; the same bytes, so an alias of its input like RESHAPE."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import reshape
from relomodel.compiler.ops.base import LowerContext, LoweredOp

NAME = "SQUEEZE"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    return reshape.lower(graph, op, ctx)
