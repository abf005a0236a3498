"""MAX_POOL_2D, float32."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp
from relomodel.compiler.ops.float32.pool import lower_pool

NAME = "MAX_POOL_2D"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    return lower_pool(graph, op, "relo_max_pool_f32")
