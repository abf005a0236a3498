"""QUANTIZE from int16 (to int8, int16 or int32): lowered for quantize.py, which owns the op name.

TFLite Micro's reference Requantize: out = clamp(MultiplyByQuantizedMultiplier(in - in_zp,
input scale / output scale) + out_zp) to the output type.
"""

from __future__ import annotations

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.ops.base import LoweredOp, c_identifier, c_struct, fail, require_dtype

KERNEL = "relo_requantize_s16.c"
MAX_RESCALE_SHIFT = 14  # larger left shifts would overflow int32 on int16 inputs
OUTPUT_TYPES = {"int8": ("int8_t", 1, -128, 127), "int16": ("int16_t", 2, -32768, 32767),
                "int32": ("int32_t", 4, -(2**31), 2**31 - 1)}


def lower_from_int16(graph: Graph, op: Operator, data: Tensor, output: Tensor) -> LoweredOp:
    require_dtype(op, output, "output", *OUTPUT_TYPES)
    in_scale, in_zp = _quant(op, data, "input")
    out_scale, out_zp = _quant(op, output, "output")
    ctype, width, out_min, out_max = OUTPUT_TYPES[output.dtype]
    if not out_min <= out_zp <= out_max:
        raise fail(op, f"output zero point {out_zp} is outside {output.dtype.upper()}")
    multiplier, shift = quant.quantize_multiplier(in_scale / out_scale)
    if shift > MAX_RESCALE_SHIFT:
        raise fail(op, f"rescale factor {in_scale / out_scale:g} is too large")
    params = c_identifier(op, "params")
    declarations = [c_struct("relo_requantize_wide_params_t", params, {
        "size": data.element_count, "input_offset": -in_zp, "output_offset": out_zp,
        "multiplier": multiplier, "shift": shift,
        "output_min": out_min, "output_max": out_max, "output_bytes": width})]

    def emit_call(arena) -> str:
        return (f"relo_requantize_s16(&{params}, (const int16_t *){arena(data.index)}, "
                f"({ctype} *){arena(output.index)})")

    return LoweredOp(op=op, kernel_files=(KERNEL,), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape)


def _quant(op: Operator, tensor: Tensor, what: str) -> tuple[float, int]:
    q = tensor.quantization
    if q is None or q.per_channel or not q.scale > 0.0:
        raise fail(op, f"{what} tensor '{tensor.name}' needs one positive scale")
    return q.scale, q.zero_point
