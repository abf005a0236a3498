"""TANH: int8 -> int8 (output scale 1/128, zero point 0), gemmlowp fixed point."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import LowerContext, LoweredOp
from relomodel.compiler.ops.elementwise import lower_unary, unary_int8
from relomodel.compiler.ops.logistic import require_fixed_output, sigmoid_input_params

NAME = "TANH"
KERNEL = "relo_tanh_s8.c"
OUTPUT_QUANT = (1.0 / 128, 0)


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = unary_int8(graph, op)
    require_fixed_output(op, output, *OUTPUT_QUANT)
    return lower_unary(op, data, output, kernel=KERNEL, function="relo_tanh_s8",
                       params_type="relo_sigmoid_params_t",
                       params=sigmoid_input_params(op, data.quantization.scale, data.quantization.zero_point),
                       tabulate=True)
