"""HARD_SWISH: int8 -> int8, x * relu6(x + 3) / 6 in TFLite's 16-bit fixed point."""

from __future__ import annotations

import numpy as np

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail
from relomodel.compiler.ops.elementwise import lower_unary, unary_int8

NAME = "HARD_SWISH"
KERNEL = "relo_hard_swish_s8.c"
INT32_MAX, INT16_MAX = (1 << 31) - 1, (1 << 15) - 1


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = unary_int8(graph, op)
    f = np.float32
    # TFLite Micro's HardSwishPrepare, in float32 like the reference
    hires_input_scale = f(1.0 / 128.0) * f(data.quantization.scale)
    reluish_scale = f(3.0) / f(32768.0)
    output_real = float(hires_input_scale / f(output.quantization.scale))
    reluish_real = float(hires_input_scale / reluish_scale)
    output_multiplier, output_exponent = quant.quantize_multiplier(output_real)
    reluish_multiplier, reluish_exponent = quant.quantize_multiplier(reluish_real)
    if output_exponent > 0:
        raise fail(op, f"output scale {output.quantization.scale:g} is too small for input scale "
                       f"{data.quantization.scale:g} (TFLite Micro requires input/output scale <= 128)")
    if not -31 <= reluish_exponent <= 31 or output_exponent < -31:
        raise fail(op, "input or output scale is out of the supported range")
    return lower_unary(op, data, output, kernel=KERNEL, function="relo_hard_swish_s8",
                       params_type="relo_hard_swish_params_t", params={
                           "input_zero_point": data.quantization.zero_point,
                           "output_zero_point": output.quantization.zero_point,
                           "output_multiplier_int16": downscale_to_int16(output_multiplier),
                           "output_multiplier_exponent": output_exponent,
                           "reluish_multiplier_int16": downscale_to_int16(reluish_multiplier),
                           "reluish_multiplier_exponent": reluish_exponent},
                       tabulate=True)


def downscale_to_int16(multiplier: int) -> int:
    """TFLite's DownScaleInt32ToInt16Multiplier: a Q31 multiplier rounded to Q15, saturating."""
    rounding = 1 << 15
    if multiplier >= INT32_MAX - rounding:
        return INT16_MAX
    return (multiplier + rounding) >> 16
