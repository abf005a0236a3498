"""PADV2: PAD with an explicit constant fill value (see pad.py)."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import pad
from relomodel.compiler.ops.base import LowerContext, LoweredOp

NAME = "PADV2"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    return pad.lower(graph, op, ctx)
