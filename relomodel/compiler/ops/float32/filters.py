"""Operands shared by the float32 CONV_2D and DEPTHWISE_CONV_2D: float input/output and the
constant filter and bias arrays."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator, Tensor
from relomodel.compiler.ops.base import c_identifier, fail, input_tensor, output_tensor, require_activation
from relomodel.compiler.ops.float32.common import c_float_array, constant_values, require_float


def float_data_and_output(graph: Graph, op: Operator) -> tuple[Tensor, Tensor]:
    """The float32 computed input (position 0) and float32 output of a window operator."""
    data = input_tensor(graph, op, 0, "data")
    output = output_tensor(graph, op)
    require_float(op, data, "input")
    require_float(op, output, "output")
    require_activation(op, data, "input")
    return data, output


def filter_declarations(op: Operator, weights: Tensor, bias: Tensor | None, channels: int, *,
                        what: str = "filter"):
    """C arrays for the filter (`what` in messages) and the bias (if any); returns
    (declarations, filter ref, bias ref)."""
    filter_name, bias_name = c_identifier(op, "filter"), c_identifier(op, "bias")
    declarations = [c_float_array(filter_name, constant_values(op, weights, what), weights=True)]
    if bias is None:
        return declarations, filter_name, "0"
    values = constant_values(op, bias, "bias")
    if values.size != channels:
        raise fail(op, f"bias has {values.size} values, expected {channels}")
    declarations.append(c_float_array(bias_name, values, weights=True))
    return declarations, filter_name, bias_name
