"""SOFTMAX: int8 in; int8 out (scale 1/256, zero point -128) or int16 out (1/65536, -32768); innermost dim."""

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
KERNEL_S16 = "relo_softmax_s8_s16.c"
SCALED_DIFF_INTEGER_BITS = 5  # input differences are rescaled to q5.26


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data = input_tensor(graph, op, 0, "data")
    output = output_tensor(graph, op)
    require_dtype(op, data, "input", "int8")
    require_dtype(op, output, "output", "int8", "int16")
    require_activation(op, data, "input")
    in_scale, _ = require_per_tensor_quant(op, data, "input")
    if output.dtype == "int16":  # int8 -> int16: same algorithm, 16-bit output stage
        out_scale, out_zp = _int16_output_quant(op, output)
        kernel, function, out_type = KERNEL_S16, "relo_softmax_s8_s16", "int16_t"
    else:
        out_scale, out_zp = require_per_tensor_quant(op, output, "output")
        kernel, function, out_type = KERNEL, "relo_softmax_s8", "int8_t"
    if output.dtype == "int8" and (out_zp != -128 or abs(out_scale - 1.0 / 256) > 0.001 / 256):
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
        return (f"{function}(&{params}, (const int8_t *){arena(data.index)}, "
                f"({out_type} *){arena(output.index)})")

    return LoweredOp(op=op, kernel_files=(kernel,), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape)


def _int16_output_quant(op: Operator, output) -> tuple[float, int]:
    """TFLM: an int16 softmax output has zero point -32768 and scale 1/65536 (within 0.1%)."""
    q = output.quantization
    if q is None or q.per_channel or q.zero_point != -32768 or abs(q.scale - 1.0 / 65536) > 0.001 / 65536:
        found = "none" if q is None else f"{q.scales}, {q.zero_points}"
        raise fail(op, f"int16 output must have scale 1/65536 and zero point -32768, found {found}")
    return q.scale, q.zero_point


def softmax_parameters(beta: float, input_scale: float) -> tuple[int, int, int]:
    """TFLM PreprocessSoftmaxScaling + CalculateInputRadius for int8 input."""
    real = min(beta * input_scale * (1 << (31 - SCALED_DIFF_INTEGER_BITS)), (1 << 31) - 1.0)
    multiplier, left_shift = quant.quantize_multiplier_greater_than_one(real)
    max_rescaled = (1.0 * ((1 << SCALED_DIFF_INTEGER_BITS) - 1)
                    * (1 << (31 - SCALED_DIFF_INTEGER_BITS)) / (1 << left_shift))
    return multiplier, left_shift, -math.floor(max_rescaled)
