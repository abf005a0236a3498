"""QUANTIZE: float32 -> int8, or int8 -> int8 (rescale)."""

from __future__ import annotations

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import quantize_s16, quantize_u8
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_identifier, c_struct, fail, input_tensor, output_tensor,
    require_activation, require_dtype, require_per_tensor_quant,
)

NAME = "QUANTIZE"
MAX_RESCALE_SHIFT = 22  # larger left shifts would overflow int32 on int8 inputs


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data = input_tensor(graph, op, 0, "data")
    output = output_tensor(graph, op)
    if data.dtype == "int16":  # int16 -> int8/int16/int32: its own module and kernel
        require_activation(op, data, "input")
        if data.element_count != output.element_count:
            raise fail(op, f"input and output sizes differ ({data.shape} vs {output.shape})")
        return quantize_s16.lower_from_int16(graph, op, data, output)
    if "uint8" in (data.dtype, output.dtype):  # uint8 <-> int8: its own module and kernels
        return quantize_u8.lower_uint8(graph, op, data, output)
    require_dtype(op, data, "input", "float32", "int8")
    require_dtype(op, output, "output", "int8")
    require_activation(op, data, "input")
    if data.element_count != output.element_count:
        raise fail(op, f"input and output sizes differ ({data.shape} vs {output.shape})")
    out_scale, out_zp = require_per_tensor_quant(op, output, "output")
    params = c_identifier(op, "params")

    if data.dtype == "float32":
        declarations = [c_struct("relo_quantize_params_t", params, {
            "size": data.element_count, "scale": out_scale, "zero_point": out_zp})]
        kernel, call = "relo_quantize_f32_s8.c", "relo_quantize_f32_s8"
        in_type = "const float"
    else:
        in_scale, in_zp = require_per_tensor_quant(op, data, "input")
        multiplier, shift = quant.quantize_multiplier(in_scale / out_scale)
        if shift > MAX_RESCALE_SHIFT:
            raise fail(op, f"rescale factor {in_scale / out_scale:g} is too large")
        declarations = [c_struct("relo_requantize_params_t", params, {
            "size": data.element_count, "input_offset": -in_zp, "output_offset": out_zp,
            "multiplier": multiplier, "shift": shift})]
        kernel, call = "relo_requantize_s8.c", "relo_requantize_s8"
        in_type = "const int8_t"

    def emit_call(arena) -> str:
        return f"{call}(&{params}, ({in_type} *){arena(data.index)}, (int8_t *){arena(output.index)})"

    return LoweredOp(op=op, kernel_files=(kernel,), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape)
