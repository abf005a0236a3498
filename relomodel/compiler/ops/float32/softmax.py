"""SOFTMAX, float32, over the innermost dimension, with the model's beta."""

from __future__ import annotations

import math

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail
from relomodel.compiler.ops.float32.common import lower_call, unary_float

NAME = "SOFTMAX"
KERNEL = "relo_softmax_f32.c"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = unary_float(graph, op)
    if not data.shape or tuple(data.shape) != tuple(output.shape):
        raise fail(op, f"input shape {data.shape} and output shape {output.shape} must match")
    beta = float(op.options.get("beta", 1.0))
    if not (math.isfinite(beta) and beta > 0.0):
        raise fail(op, f"beta {beta} must be a positive finite number")
    depth = data.shape[-1]

    def call(params: str, arena) -> str:
        return f"relo_softmax_f32(&{params}, (const float *){arena(data.index)}, (float *){arena(output.index)})"

    return lower_call(op, output, kernel=KERNEL, params_type="relo_softmax_f32_params_t", call=call,
                      params={"rows": data.element_count // depth, "depth": depth, "beta": beta})
