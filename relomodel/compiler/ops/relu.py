"""RELU: int8 -> int8, TFLite Micro's ReluQuantized (rescale to the output, clamp at zero)."""

from __future__ import annotations

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail
from relomodel.compiler.ops.elementwise import lower_unary, unary_int8

NAME = "RELU"
KERNEL = "relo_relu_s8.c"
MAX_SHIFT = 22  # relo_relu_s8: larger left shifts would overflow int32 on int8 inputs


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = unary_int8(graph, op)
    in_scale, in_zp = data.quantization.scale, data.quantization.zero_point
    out_scale, out_zp = output.quantization.scale, output.quantization.zero_point
    multiplier, shift = quant.quantize_multiplier(in_scale / out_scale)
    if shift > MAX_SHIFT:
        raise fail(op, f"rescale factor {in_scale / out_scale:g} is too large")
    low = max(-128, out_zp)  # TFLite Micro: zero_point + roundf(0.0f / scale)
    return lower_unary(op, data, output, kernel=KERNEL, function="relo_relu_s8",
                       params_type="relo_relu_params_t", params={
                           "input_offset": -in_zp, "output_offset": out_zp, "multiplier": multiplier,
                           "shift": shift, "activation_min": low, "activation_max": 127})
