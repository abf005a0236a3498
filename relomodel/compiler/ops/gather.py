"""Lowering to the strided gather kernel (relo_gather.c), shared by TRANSPOSE and STRIDED_SLICE.

Not an operator itself: no NAME, not registered.
"""

from __future__ import annotations

from relomodel.compiler.ir import NUMPY_DTYPES, Operator, Tensor
from relomodel.compiler.ops.base import LoweredOp, c_identifier, c_struct, fail
from relomodel.compiler.ops.strides import simplify

KERNEL = "relo_gather.c"
ELEMENT_TYPES = ("int8", "uint8", "int16", "int32", "float32")  # 1-, 2- and 4-byte elements


def lower_gather(op: Operator, data: Tensor, output: Tensor, counts, strides, base: int) -> LoweredOp:
    """Output element at index i (over `counts`) = input element base + sum(i_d * strides[d])."""
    if data.dtype not in ELEMENT_TYPES or output.dtype != data.dtype:
        raise fail(op, f"{data.dtype.upper()} -> {output.dtype.upper()} is not supported; supported "
                       "types (same in and out): " + ", ".join(t.upper() for t in ELEMENT_TYPES))
    if data.quantization != output.quantization:
        raise fail(op, "input and output quantization differ (values are moved, not rescaled)")
    try:
        shape, (input_strides,) = simplify(counts, strides)
    except ValueError as exc:
        raise fail(op, f"the access pattern {exc}") from None
    params = c_identifier(op, "params")
    declarations = [c_struct("relo_gather_params_t", params, {
        "output_shape": shape, "input_stride": input_strides, "input_base": base,
        "input_size": data.element_count, "element_size": NUMPY_DTYPES[data.dtype].itemsize})]

    def emit_call(arena) -> str:
        return f"relo_gather(&{params}, {arena(data.index)}, {arena(output.index)})"

    return LoweredOp(op=op, kernel_files=(KERNEL,), declarations=declarations, emit_call=emit_call,
                     output_shape=output.shape)
