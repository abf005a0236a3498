"""SOFTMAX: int8 in, int8 out (scale 1/256, zero point -128), over the innermost dimension."""

from __future__ import annotations

import math

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_identifier, c_struct, fail, input_tensor, output_tensor,
    require_activation, require_dtype, require_per_tensor_quant,
)

NAME = "SOFTMAX"
KERNEL = "relo_softmax_s8.c"
SCALED_DIFF_INTEGER_BITS = 5  # input differences are rescaled to q5.26


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data = input_tensor(graph, op, 0, "data")
    output = output_tensor(graph, op)
    require_dtype(op, data, "input", "int8")
    require_dtype(op, output, "output", "int8")
    require_activation(op, data, "input")
    in_scale, _ = require_per_tensor_quant(op, data, "input")
    out_scale, out_zp = require_per_tensor_quant(op, output, "output")
    if out_zp != -128 or abs(out_scale - 1.0 / 256) > 0.001 / 256:
        raise fail(op, f"int8 output must have scale 1/256 and zero point -128, found {out_scale}, {out_zp}")
    if not data.shape or data.shape != output.shape:
        raise fail(op, f"input shape {data.shape} and output shape {output.shape} must match")
    depth = data.shape[-1]
    beta = float(op.options.get("beta", 1.0))

    multiplier, left_shift, diff_min = softmax_parameters(beta, in_scale)
    params = c_identifier(op, "params")
    declarations = [c_struct("relo_softmax_params_t", params, {
        "rows": data.element_count // depth, "depth": depth,
        "input_multiplier": multiplier, "input_left_shift": left_shift, "diff_min": diff_min,
    })]

    def emit_call(arena) -> str:
        return (f"relo_softmax_s8(&{params}, (const int8_t *){arena(data.index)}, "
                f"(int8_t *){arena(output.index)})")

    return LoweredOp(op=op, kernel_files=(KERNEL,), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape)


def softmax_parameters(beta: float, input_scale: float) -> tuple[int, int, int]:
    """TFLM PreprocessSoftmaxScaling + CalculateInputRadius for int8 input."""
    real = min(beta * input_scale * (1 << (31 - SCALED_DIFF_INTEGER_BITS)), (1 << 31) - 1.0)
    multiplier, left_shift = quant.quantize_multiplier_greater_than_one(real)
    max_rescaled = (1.0 * ((1 << SCALED_DIFF_INTEGER_BITS) - 1)
                    * (1 << (31 - SCALED_DIFF_INTEGER_BITS)) / (1 << left_shift))
    return multiplier, left_shift, -math.floor(max_rescaled)
