"""Checks and C glue shared by the float32 op modules.

Float tensors carry no quantization: there is no Prepare-time arithmetic, only shape checks,
constant arrays (written as exact float literals) and the fused activation's clamp range.
"""

from __future__ import annotations

import numpy as np

from relomodel.compiler import quant
from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.ops.base import (
    LoweredOp, WEIGHT_SECTION_PREFIX, c_identifier, c_number, c_struct, fail, input_tensor,
    output_tensor, require_activation, require_dtype,
)

FLOAT = "float32"
FLOAT_MAX = float(np.finfo(np.float32).max)
# TFLite's CalculateActivationRange for float outputs
_ACTIVATION_RANGES = {
    "NONE": (-FLOAT_MAX, FLOAT_MAX),
    "RELU": (0.0, FLOAT_MAX),
    "RELU_N1_TO_1": (-1.0, 1.0),
    "RELU6": (0.0, 6.0),
}


def is_float(tensor: Tensor) -> bool:
    return tensor.dtype == FLOAT


def require_float(op: Operator, tensor: Tensor, what: str) -> None:
    require_dtype(op, tensor, what, FLOAT)


def unary_float(graph: Graph, op: Operator, *, same_size: bool = True) -> tuple[Tensor, Tensor]:
    """The float32 computed input and the float32 output of a one-input op (equal in size
    unless `same_size` is false)."""
    data = input_tensor(graph, op, 0, "data")
    output = output_tensor(graph, op)
    require_float(op, data, "input")
    require_float(op, output, "output")
    require_activation(op, data, "input")
    if same_size and data.element_count != output.element_count:
        raise fail(op, f"input shape {data.shape} and output shape {output.shape} differ in size")
    return data, output


def activation_range(op: Operator) -> tuple[str, dict]:
    """The fused activation's name and its relo_f32_range_t initializer."""
    name = quant.activation_name(op.options.get("fused_activation_function", 0))
    if name not in _ACTIVATION_RANGES:
        raise fail(op, f"fused activation {name} is not supported on float32 (NONE, RELU, RELU_N1_TO_1, RELU6)")
    low, high = _ACTIVATION_RANGES[name]
    return name, {"min": low, "max": high}


def constant_values(op: Operator, tensor: Tensor, what: str) -> np.ndarray:
    """A constant float32 tensor's values, refusing NaN and infinities (they would poison every
    output they touch, and a C literal cannot spell NaN portably)."""
    if not tensor.is_constant:
        raise fail(op, f"{what} must be a constant tensor")
    require_float(op, tensor, what)
    values = np.asarray(tensor.data, dtype=np.float32).reshape(-1)
    if not np.all(np.isfinite(values)):
        raise fail(op, f"{what} '{tensor.name}' contains NaN or infinite values")
    return values


def c_float_array(name: str, values: np.ndarray, *, weights: bool = False) -> str:
    """A `static const float` array; each literal round-trips to the same float32 value."""
    flat = np.asarray(values, dtype=np.float32).reshape(-1)
    section = f'section("{WEIGHT_SECTION_PREFIX}{name}"), ' if weights else ""
    items = [c_number(float(v)) for v in flat]
    lines = ["    " + ", ".join(items[i:i + 8]) + "," for i in range(0, len(items), 8)]
    body = "\n".join(lines)
    return f"static const float {name}[{len(items)}] __attribute__(({section}aligned(4))) = {{\n{body}\n}};"


def operand_reference(op: Operator, tensor: Tensor, role: str, declarations: list[str]):
    """How the C call reaches a float operand: a constant array (declared here) or the arena."""
    if tensor.is_constant:
        name = c_identifier(op, role)
        declarations.append(c_float_array(name, constant_values(op, tensor, role), weights=True))
        return lambda arena: name
    return lambda arena: f"(const float *){arena(tensor.index)}"


def lower_call(op: Operator, output: Tensor, *, kernel: str, params_type: str, params: dict,
               call, **extra) -> LoweredOp:
    """A LoweredOp whose parameter struct is `params`; `call(params_name, arena)` is the C call."""
    name = c_identifier(op, "params")
    declarations = list(extra.pop("declarations", [])) + [c_struct(params_type, name, params)]
    return LoweredOp(op=op, kernel_files=(kernel,), declarations=declarations,
                     emit_call=lambda arena: call(name, arena), output_shape=output.shape, **extra)
