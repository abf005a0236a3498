"""SUB: int8 - int8 -> int8 with broadcasting; the ADD lowering and kernel in subtract mode."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.add import lower_add_or_sub
from relomodel.compiler.ops.base import LowerContext, LoweredOp

NAME = "SUB"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    return lower_add_or_sub(graph, op, subtract=True)
