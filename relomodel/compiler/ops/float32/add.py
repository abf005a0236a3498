"""ADD, float32, with broadcasting (arithmetic.py)."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp
from relomodel.compiler.ops.float32.arithmetic import lower_arithmetic

NAME = "ADD"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    return lower_arithmetic(graph, op)
