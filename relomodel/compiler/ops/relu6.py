"""RELU6: int8 -> int8. TFLite Micro clamps in input units to [zero_point, quantized 6.0] and
does not rescale; we require the output to share the input's quantization, as converters emit
it, instead of silently reproducing a mislabelled result."""

from __future__ import annotations

import numpy as np

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail
from relomodel.compiler.ops.elementwise import lower_unary, unary_int8

NAME = "RELU6"
KERNEL = "relo_relu_s8.c"
IDENTITY_MULTIPLIER, IDENTITY_SHIFT = 1 << 30, 1  # x * 2^30 * 2^1 / 2^31 == x exactly


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = unary_int8(graph, op)
    if data.quantization != output.quantization:
        raise fail(op, "input and output quantization differ; TFLite Micro's RELU6 ignores the output's "
                       "quantization, so such a model has no well-defined int8 result")
    scale, zero_point = data.quantization.scale, data.quantization.zero_point
    six = _float_to_int8(6.0, scale, zero_point)
    return lower_unary(op, data, output, kernel=KERNEL, function="relo_relu_s8",
                       params_type="relo_relu_params_t", params={
                           "input_offset": 0, "output_offset": 0, "multiplier": IDENTITY_MULTIPLIER,
                           "shift": IDENTITY_SHIFT, "activation_min": zero_point, "activation_max": six})


def _float_to_int8(value: float, scale: float, zero_point: int) -> int:
    """TFLite's FloatToQuantizedType<int8_t>: round(value / scale) in float32, plus zero point, clamped."""
    quotient = float(np.float32(value) / np.float32(scale))
    return max(quant.INT8_MIN, min(quant.INT8_MAX, quant.round_half_away(quotient) + zero_point))
