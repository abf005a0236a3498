"""RELU, float32 (activation.py)."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp
from relomodel.compiler.ops.float32.activation import lower_activation

NAME = "RELU"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    return lower_activation(graph, op)
