"""RESHAPE: the same bytes under a new shape. Planned as an alias of its input: no code, no copy."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, fail, input_tensor, output_tensor, require_activation,
)

NAME = "RESHAPE"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data = input_tensor(graph, op, 0, "data")
    output = output_tensor(graph, op)
    require_activation(op, data, "input")
    if data.dtype != output.dtype:
        raise fail(op, f"input is {data.dtype.upper()} but output is {output.dtype.upper()}")
    if data.element_count != output.element_count:
        raise fail(op, f"cannot reshape {data.shape} ({data.element_count} elements) to {output.shape}")
    if data.quantization != output.quantization:
        raise fail(op, "input and output quantization differ")
    return LoweredOp(op=op, kernel_files=(), declarations=[], emit_call=lambda arena: "",
                     alias=(output.index, data.index), output_shape=output.shape)
