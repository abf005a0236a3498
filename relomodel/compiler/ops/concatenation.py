"""CONCATENATION: int8 along any axis. TFLite Micro requires every input to share the output's
quantization; an input that does not is requantized like a QUANTIZE int8 -> int8 before it."""

from __future__ import annotations

import math

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_identifier, c_initializer, c_struct, fail, output_tensor, require_dtype,
    require_per_tensor_quant,
)
from relomodel.compiler.ops.elementwise import operand_reference

NAME = "CONCATENATION"
KERNEL = "relo_concatenation_s8.c"
MAX_RESCALE_SHIFT = 22  # relo_concatenation_s8: larger left shifts would overflow int32


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    inputs = [graph.tensor(i) for i in op.inputs if i >= 0]
    output = output_tensor(graph, op)
    if not inputs:
        raise fail(op, "has no inputs")
    if op.options.get("fused_activation_function", 0) != 0:
        raise fail(op, "a fused activation is not supported (TFLite Micro refuses it too)")
    require_dtype(op, output, "output", "int8")
    out_scale, out_zp = require_per_tensor_quant(op, output, "output")
    axis = concatenation_axis(op, [t.shape for t in inputs], output.shape)
    if all(t.is_constant for t in inputs):
        raise fail(op, "every input is a constant; nothing to compute at run time")

    declarations: list[str] = []
    references, descriptors = [], []
    for position, tensor in enumerate(inputs):
        require_dtype(op, tensor, f"input {position}", "int8")
        descriptors.append(_input_descriptor(op, tensor, axis, out_scale, out_zp))
        references.append(operand_reference(op, tensor, f"input{position}", "int8_t", declarations))
    params, table = c_identifier(op, "params"), c_identifier(op, "inputs")
    declarations.append(c_struct("relo_concat_params_t", params, {
        "outer": math.prod(output.shape[:axis]),
        "output_block": math.prod(output.shape[axis:]),
        "input_count": len(inputs),
    }))
    declarations.append(f"static const relo_concat_input_t {table}[{len(inputs)}] = "
                        f"{c_initializer(descriptors)};")

    def emit_call(arena) -> str:
        pointers = ", ".join(reference(arena) for reference in references)
        return (f"relo_concatenation_s8(&{params}, {table}, (const int8_t *const[]){{{pointers}}}, "
                f"(int8_t *){arena(output.index)})")

    return LoweredOp(op=op, kernel_files=(KERNEL,), declarations=declarations, emit_call=emit_call,
                     weight_bytes=sum(t.size_bytes for t in inputs if t.is_constant), output_shape=output.shape)


def concatenation_axis(op: Operator, shapes: list[tuple[int, ...]], output_shape: tuple[int, ...]) -> int:
    """The (non-negative) axis, after checking every shape agrees with the output off that axis."""
    rank = len(output_shape)
    axis = int(op.options.get("axis", 0))
    if not -rank <= axis < rank:
        raise fail(op, f"axis {axis} is out of range for rank {rank}")
    axis %= rank
    for shape in shapes:
        if len(shape) != rank or any(a != b for d, (a, b) in enumerate(zip(shape, output_shape)) if d != axis):
            raise fail(op, f"input shape {shape} does not match output shape {output_shape} off axis {axis}")
    if sum(shape[axis] for shape in shapes) != output_shape[axis]:
        raise fail(op, f"inputs add up to {sum(s[axis] for s in shapes)} along axis {axis}, "
                       f"the output has {output_shape[axis]}")
    return axis


def _input_descriptor(op: Operator, tensor: Tensor, axis: int, out_scale: float, out_zp: int) -> dict:
    scale, zero_point = require_per_tensor_quant(op, tensor, "input")
    descriptor = {"block": math.prod(tensor.shape[axis:]), "requantize": 0, "input_offset": -zero_point,
                  "output_offset": out_zp, "multiplier": 0, "shift": 0}
    if (scale, zero_point) != (out_scale, out_zp) and op.uint8_arithmetic:
        # LiteRT rescales uint8 inputs in float (ConcatenationWithScaling): not reproduced here
        raise fail(op, f"uint8 input '{tensor.name}' has a quantization other than the output's; "
                       "uint8 concatenation is supported only when every input shares it")
    if (scale, zero_point) != (out_scale, out_zp):
        multiplier, shift = quant.quantize_multiplier(scale / out_scale)
        if shift > MAX_RESCALE_SHIFT:
            raise fail(op, f"input '{tensor.name}' rescale factor {scale / out_scale:g} is too large")
        descriptor.update(requantize=1, multiplier=multiplier, shift=shift)
    return descriptor
