"""Lowering shared by AVERAGE_POOL_2D and MAX_POOL_2D (int8, one quantization in and out)."""

from __future__ import annotations

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import window
from relomodel.compiler.ops.base import (
    LoweredOp, c_identifier, c_struct, fail, input_tensor, output_tensor, require_activation,
    require_dtype, require_per_tensor_quant,
)


def lower_pool(graph: Graph, op: Operator, kernel_file: str, function: str) -> LoweredOp:
    data = input_tensor(graph, op, 0, "data")
    output = output_tensor(graph, op)
    require_dtype(op, data, "input", "int8")
    require_dtype(op, output, "output", "int8")
    require_activation(op, data, "input")
    in_quant = require_per_tensor_quant(op, data, "input")
    out_scale, out_zp = require_per_tensor_quant(op, output, "output")
    if in_quant != (out_scale, out_zp):
        raise fail(op, f"input quantization {in_quant} differs from output quantization "
                       f"{(out_scale, out_zp)}; int8 pooling does not rescale")
    geometry = window.pool_fields(op, data, output)
    depth = data.shape[3]
    activation = quant.activation_name(op.options.get("fused_activation_function", 0))
    act_min, act_max = quant.activation_range_int8(activation, out_scale, out_zp)
    params = c_identifier(op, "params")
    declarations = [c_struct("relo_pool_params_t", params, {
        "window": geometry, "depth": depth, "activation_min": act_min, "activation_max": act_max,
        # LiteRT's uint8 average pool rounds ties up (its sums are never negative)
        "round_ties_up": int(op.uint8_arithmetic)})]

    def emit_call(arena) -> str:
        return f"{function}(&{params}, (const int8_t *){arena(data.index)}, (int8_t *){arena(output.index)})"

    return LoweredOp(op=op, kernel_files=(kernel_file,), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape, notes={"activation": activation},
                     overlap=(output.index, data.index,
                              window.streaming_overlap_distance(geometry, depth, depth)))
