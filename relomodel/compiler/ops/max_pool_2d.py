"""MAX_POOL_2D: int8; the largest of each window's in-bounds values."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp
from relomodel.compiler.ops.pool import lower_pool

NAME = "MAX_POOL_2D"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    return lower_pool(graph, op, "relo_max_pool_s8.c", "relo_max_pool_s8")
