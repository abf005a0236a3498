"""PADV2, float32: PAD with an explicit fill value, which must be 0.0 (see pad.py)."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp
from relomodel.compiler.ops.float32 import pad

NAME = "PADV2"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    return pad.lower(graph, op, ctx)
