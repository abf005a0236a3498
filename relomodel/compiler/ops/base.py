"""What every op module produces, and the checks and C formatting they share.

An op module exports `NAME` (the TFLite builtin name) and `lower(graph, op, ctx) -> LoweredOp`.
`lower` validates the operator (raising ModelError with the operator index), does all of
TFLite Micro's Prepare-time arithmetic in Python, and returns the constants and the C call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.errors import ModelError

# Maps a tensor index to a C expression for its address in the arena, e.g. "(arena + 64)".
ArenaRef = Callable[[int], str]

WEIGHT_SECTION_PREFIX = ".rodata.relo_weights."


@dataclass(frozen=True)
class LowerContext:
    litert_rounding: bool = False
    dsp: bool = False  # the target has the DSP extension: kernel_select may pick *_dsp kernels


@dataclass
class LoweredOp:
    """One operator ready for code generation."""

    op: Operator
    kernel_files: tuple[str, ...]  # kernel .c files (in relomodel/kernels) the call needs
    declarations: list[str]  # C text at file scope: constant arrays and parameter structs
    emit_call: Callable[[ArenaRef], str]  # C expression evaluating to an int32 status
    macs: int = 0
    weight_bytes: int = 0
    alias: tuple[int, int] | None = None  # (output, input): output shares input's buffer
    # (output, input, distance): the kernel tolerates the output starting `distance` bytes
    # before the input, overlapping it (planner.Overlap)
    overlap: tuple[int, int, int] | None = None
    output_shape: tuple[int, ...] = ()
    scratch_bytes: int = 0  # arena bytes the kernel needs during this op only (kernel_select.scratch_key)
    # C expressions (each an int32 status) relo_model_init evaluates once, in order, e.g. to
    # fill a lookup table the calls then read
    init_calls: tuple[str, ...] = ()
    notes: dict = field(default_factory=dict)


def fail(op: Operator, message: str) -> ModelError:
    return ModelError(f"operator #{op.index} ({op.name}): {message}")


def input_tensor(graph: Graph, op: Operator, position: int, what: str, *, optional: bool = False) -> Tensor | None:
    if position >= len(op.inputs) or op.inputs[position] < 0:
        if optional:
            return None
        raise fail(op, f"missing {what} input")
    return graph.tensor(op.inputs[position])


def output_tensor(graph: Graph, op: Operator) -> Tensor:
    if len(op.outputs) != 1:
        raise fail(op, f"expected 1 output, found {len(op.outputs)}")
    return graph.tensor(op.outputs[0])


def require_dtype(op: Operator, tensor: Tensor, what: str, *dtypes: str) -> None:
    if tensor.dtype not in dtypes:
        raise fail(op, f"{what} tensor '{tensor.name}' is {tensor.dtype.upper()}; supported: "
                       + ", ".join(d.upper() for d in dtypes))


def require_per_tensor_quant(op: Operator, tensor: Tensor, what: str) -> tuple[float, int]:
    q = tensor.quantization
    if q is None:
        raise fail(op, f"{what} tensor '{tensor.name}' is not quantized")
    if q.per_channel:
        raise fail(op, f"{what} tensor '{tensor.name}' must be quantized per tensor")
    if not q.scale > 0.0:
        raise fail(op, f"{what} tensor '{tensor.name}' has a non-positive scale {q.scale}")
    if not -128 <= q.zero_point <= 127:
        raise fail(op, f"{what} tensor '{tensor.name}' has zero point {q.zero_point} outside int8")
    return q.scale, q.zero_point


def require_activation(op: Operator, tensor: Tensor, what: str) -> None:
    if tensor.is_constant:
        raise fail(op, f"{what} tensor '{tensor.name}' is a constant; only computed tensors are supported")


@dataclass(frozen=True)
class Int8InOut:
    """A layer's int8 computed input (operand 0) and int8 output, each quantized per tensor."""

    data: Tensor
    output: Tensor
    in_scale: float
    in_zp: int
    out_scale: float
    out_zp: int


def int8_in_out(graph: Graph, op: Operator) -> Int8InOut:
    data = input_tensor(graph, op, 0, "data")
    output = output_tensor(graph, op)
    require_dtype(op, data, "input", "int8")
    require_dtype(op, output, "output", "int8")
    require_activation(op, data, "input")
    in_scale, in_zp = require_per_tensor_quant(op, data, "input")
    out_scale, out_zp = require_per_tensor_quant(op, output, "output")
    return Int8InOut(data, output, in_scale, in_zp, out_scale, out_zp)


@dataclass(frozen=True)
class WeightedOperands(Int8InOut):
    """An int8 layer with weights (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED): its Int8InOut
    plus the weights (operand 1) and the optional bias (operand 2)."""

    weights: Tensor | None = None
    bias: Tensor | None = None


def int8_weighted_operands(graph: Graph, op: Operator, weights_role: str) -> WeightedOperands:
    weights = input_tensor(graph, op, 1, weights_role)
    bias = input_tensor(graph, op, 2, "bias", optional=True)
    io = int8_in_out(graph, op)
    return WeightedOperands(io.data, io.output, io.in_scale, io.in_zp, io.out_scale, io.out_zp, weights, bias)


def c_identifier(op: Operator, role: str) -> str:
    return f"op{op.index}_{role}"


def c_array(ctype: str, name: str, values: np.ndarray, *, weights: bool = False) -> str:
    """A `static const` C array; weights go in their own section so the linker can split them."""
    flat = np.asarray(values).reshape(-1)
    attributes = f' __attribute__((section("{WEIGHT_SECTION_PREFIX}{name}"), aligned(4)))' if weights \
        else " __attribute__((aligned(4)))"
    per_line = 16
    lines = []
    items = [str(int(v)) for v in flat.tolist()]
    for start in range(0, len(items), per_line):
        lines.append("    " + ", ".join(items[start:start + per_line]) + ",")
    body = "\n".join(lines)
    return f"static const {ctype} {name}[{len(items)}]{attributes} = {{\n{body}\n}};"


def c_struct(ctype: str, name: str, fields: dict) -> str:
    """A `static const` parameter struct of plain numbers (never pointers: no relocations)."""
    members = ",\n".join(f"    .{key} = {c_initializer(value)}" for key, value in fields.items())
    return f"static const {ctype} {name} = {{\n{members},\n}};"


def c_initializer(value) -> str:
    """A number, a nested struct (dict) or a fixed-size array (list/tuple) of them."""
    if isinstance(value, dict):
        return "{" + ", ".join(f".{key} = {c_initializer(v)}" for key, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(c_initializer(v) for v in value) + "}"
    return c_number(value)


def c_number(value) -> str:
    if isinstance(value, float):
        # repr() of a float32-rounded value round-trips exactly through a C float literal
        return f"{float(np.float32(value))!r}f"
    return str(int(value))
