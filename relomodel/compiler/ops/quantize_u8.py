"""QUANTIZE between uint8 and int8 (either direction): TFLite Micro's Requantize arithmetic.

Called by quantize.py; not an operator module of its own.
"""

from __future__ import annotations

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.ops.base import (
    LoweredOp, c_identifier, c_struct, fail, require_activation, require_per_tensor_quant,
)

MAX_RESCALE_SHIFT = 22  # larger left shifts would overflow int32 on 8-bit inputs
_KERNELS = {  # (input dtype, output dtype) -> kernel file, C input type, C output type
    ("uint8", "int8"): ("relo_requantize_u8_s8", "uint8_t", "int8_t"),
    ("int8", "uint8"): ("relo_requantize_s8_u8", "int8_t", "uint8_t"),
}


def lower_uint8(graph: Graph, op: Operator, data: Tensor, output: Tensor) -> LoweredOp:
    pair = (data.dtype, output.dtype)
    if pair not in _KERNELS:
        raise fail(op, f"{data.dtype.upper()} -> {output.dtype.upper()} is not supported; "
                       "uint8 is supported as UINT8 -> INT8 and INT8 -> UINT8")
    require_activation(op, data, "input")
    if data.element_count != output.element_count:
        raise fail(op, f"input and output sizes differ ({data.shape} vs {output.shape})")
    in_scale, in_zp = _quantization(op, data, "input")
    out_scale, out_zp = _quantization(op, output, "output")
    multiplier, shift = quant.quantize_multiplier(in_scale / out_scale)
    if shift > MAX_RESCALE_SHIFT:
        raise fail(op, f"rescale factor {in_scale / out_scale:g} is too large")
    function, in_type, out_type = _KERNELS[pair]
    params = c_identifier(op, "params")
    declarations = [c_struct("relo_requantize_params_t", params, {
        "size": data.element_count, "input_offset": -in_zp, "output_offset": out_zp,
        "multiplier": multiplier, "shift": shift})]

    def emit_call(arena) -> str:
        return (f"{function}(&{params}, (const {in_type} *){arena(data.index)}, "
                f"({out_type} *){arena(output.index)})")

    return LoweredOp(op=op, kernel_files=(function + ".c",), declarations=declarations,
                     emit_call=emit_call, output_shape=output.shape)


def _quantization(op: Operator, tensor: Tensor, what: str) -> tuple[float, int]:
    """Per-tensor (scale, zero point), the zero point in the range of the tensor's own type."""
    if tensor.dtype == "int8":
        return require_per_tensor_quant(op, tensor, what)
    q = tensor.quantization
    if q is None or q.per_channel or not q.scale > 0.0:
        raise fail(op, f"{what} tensor '{tensor.name}' needs one positive scale")
    if not 0 <= q.zero_point <= 255:
        raise fail(op, f"{what} tensor '{tensor.name}' has zero point {q.zero_point} outside uint8")
    return q.scale, q.zero_point
