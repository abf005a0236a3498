"""CONV_2D, float32: float filter [out, h, w, in / groups], optional float bias."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import window
from relomodel.compiler.ops.base import LowerContext, LoweredOp, input_tensor
from relomodel.compiler.ops.float32.common import activation_range, lower_call
from relomodel.compiler.ops.float32.filters import filter_declarations, float_data_and_output

NAME = "CONV_2D"
KERNEL = "relo_conv_f32.c"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = float_data_and_output(graph, op)
    weights = input_tensor(graph, op, 1, "filter")
    bias = input_tensor(graph, op, 2, "bias", optional=True)
    shape = window.conv_shape(op, data, weights, output)
    geometry, in_depth, out_depth = shape.window, shape.in_depth, shape.out_depth
    filter_in_depth = shape.filter_in_depth
    activation, clamp = activation_range(op)
    declarations, filter_ref, bias_ref = filter_declarations(op, weights, bias, out_depth)

    def call(params: str, arena) -> str:
        return (f"relo_conv_f32(&{params}, (const float *){arena(data.index)}, {filter_ref}, {bias_ref}, "
                f"(float *){arena(output.index)})")

    return lower_call(
        op, output, kernel=KERNEL, params_type="relo_conv_f32_params_t", call=call, declarations=declarations,
        params={"window": geometry, "input_depth": in_depth, "filter_input_depth": filter_in_depth,
                "output_depth": out_depth, "activation": clamp},
        macs=window.window_macs(geometry, shape.taps, out_depth),
        weight_bytes=weights.size_bytes + (bias.size_bytes if bias is not None else 0),
        notes={"activation": activation},
    )
