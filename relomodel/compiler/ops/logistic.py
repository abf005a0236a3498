"""LOGISTIC: int8 -> int8 (output scale 1/256, zero point -128), gemmlowp fixed point."""

from __future__ import annotations

import math

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail
from relomodel.compiler.ops.elementwise import lower_unary, unary_int8

NAME = "LOGISTIC"
KERNEL = "relo_logistic_s8.c"
INPUT_INTEGER_BITS = 4  # the kernels rescale the input to q4.27
OUTPUT_QUANT = (1.0 / 256, -128)


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = unary_int8(graph, op)
    require_fixed_output(op, output, *OUTPUT_QUANT)
    return lower_unary(op, data, output, kernel=KERNEL, function="relo_logistic_s8",
                       params_type="relo_sigmoid_params_t",
                       params=sigmoid_input_params(op, data.quantization.scale, data.quantization.zero_point),
                       tabulate=True)


def require_fixed_output(op: Operator, output, scale: float, zero_point: int) -> None:
    """TFLite Micro writes this op's output in fixed units and ignores the output's scale;
    refuse a model whose declared quantization disagrees rather than mislabel the result."""
    q = output.quantization
    if q.zero_point != zero_point or abs(q.scale - scale) > scale * 1e-6:
        raise fail(op, f"int8 output must have scale {scale:g} and zero point {zero_point}, "
                       f"found {q.scale:g} and {q.zero_point}")


def sigmoid_input_params(op: Operator, input_scale: float, input_zero_point: int) -> dict:
    """TFLite Micro's LOGISTIC/TANH Prepare for int8: the input rescale to q4.27 and the radius
    beyond which the result saturates (CalculateInputRadius)."""
    real = input_scale * float(1 << (31 - INPUT_INTEGER_BITS))
    significand, left_shift = math.frexp(real)
    multiplier = quant.round_half_away(significand * (1 << 31))
    if multiplier == 1 << 31 or not -31 <= left_shift <= 31:
        raise fail(op, f"input scale {input_scale:g} is out of the supported range")
    max_rescaled = 1.0 * ((1 << INPUT_INTEGER_BITS) - 1) * (1 << (31 - INPUT_INTEGER_BITS)) / 2.0 ** left_shift
    return {"input_zero_point": input_zero_point, "input_range_radius": min(math.floor(max_rescaled), 1 << 30),
            "input_multiplier": multiplier, "input_left_shift": left_shift}
