"""LEAKY_RELU: int8 -> int8, separate rescales for non-negative and negative inputs."""

from __future__ import annotations

import numpy as np

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail
from relomodel.compiler.ops.elementwise import lower_unary, unary_int8

NAME = "LEAKY_RELU"
KERNEL = "relo_leaky_relu_s8.c"
MAX_SHIFT = 22


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = unary_int8(graph, op)
    f = np.float32
    in_scale, out_scale = f(data.quantization.scale), f(output.quantization.scale)
    alpha = f(op.options.get("alpha", 0.0))
    if not np.isfinite(alpha):
        raise fail(op, f"alpha {alpha} is not finite")
    # TFLite Micro computes both factors in float32 before widening to double
    identity = _multiplier(op, float(in_scale / out_scale), "identity")
    negative = _multiplier(op, float(in_scale * alpha / out_scale), "alpha")
    return lower_unary(op, data, output, kernel=KERNEL, function="relo_leaky_relu_s8",
                       params_type="relo_leaky_relu_params_t", params={
                           "input_zero_point": data.quantization.zero_point,
                           "output_zero_point": output.quantization.zero_point,
                           "identity_multiplier": identity[0], "identity_shift": identity[1],
                           "alpha_multiplier": negative[0], "alpha_shift": negative[1]})


def _multiplier(op: Operator, real: float, what: str) -> tuple[int, int]:
    multiplier, shift = signed_quantize_multiplier(real)
    if shift > MAX_SHIFT:
        raise fail(op, f"{what} rescale factor {real:g} is too large")
    return multiplier, shift


def signed_quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier also accepts negative factors (a negative alpha): frexp keeps
    the sign in the significand and rounding is symmetric."""
    if real < 0:
        multiplier, shift = quant.quantize_multiplier(-real)
        return -multiplier, shift
    return quant.quantize_multiplier(real)
