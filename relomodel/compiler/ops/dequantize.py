"""DEQUANTIZE: int8 -> float32."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_identifier, c_struct, fail, input_tensor, output_tensor,
    require_activation, require_dtype, require_per_tensor_quant,
)

NAME = "DEQUANTIZE"
KERNEL = "relo_dequantize_s8_f32.c"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data = input_tensor(graph, op, 0, "data")
    output = output_tensor(graph, op)
    require_dtype(op, data, "input", "int8")
    require_dtype(op, output, "output", "float32")
    require_activation(op, data, "input")
    if data.element_count != output.element_count:
        raise fail(op, f"input and output sizes differ ({data.shape} vs {output.shape})")
    scale, zero_point = require_per_tensor_quant(op, data, "input")
    params = c_identifier(op, "params")
    declarations = [c_struct("relo_dequantize_params_t", params, {
        "size": data.element_count, "scale": scale, "zero_point": zero_point})]

    def emit_call(arena) -> str:
        return (f"relo_dequantize_s8_f32(&{params}, (const int8_t *){arena(data.index)}, "
                f"(float *){arena(output.index)})")

    return LoweredOp(op=op, kernel_files=(KERNEL,), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape)
