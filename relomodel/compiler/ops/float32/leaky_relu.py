"""LEAKY_RELU, float32: x > 0 ? x : alpha * x (activation.py)."""

from __future__ import annotations

import math

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail
from relomodel.compiler.ops.float32.activation import lower_activation

NAME = "LEAKY_RELU"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    alpha = float(op.options.get("alpha", 0.0))
    if not math.isfinite(alpha):
        raise fail(op, f"alpha {alpha} is not finite")
    return lower_activation(graph, op, alpha=alpha)
