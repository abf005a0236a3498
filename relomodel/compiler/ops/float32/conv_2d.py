"""CONV_2D, float32: float filter [out, h, w, in / groups], optional float bias."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import window
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail, input_tensor
from relomodel.compiler.ops.float32.common import activation_range, lower_call
from relomodel.compiler.ops.float32.filters import filter_declarations, float_data_and_output

NAME = "CONV_2D"
KERNEL = "relo_conv_f32.c"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = float_data_and_output(graph, op)
    weights = input_tensor(graph, op, 1, "filter")
    bias = input_tensor(graph, op, 2, "bias", optional=True)
    if len(weights.shape) != 4:
        raise fail(op, f"filter must be 4-D [out, h, w, in], found shape {weights.shape}")
    out_depth, filter_h, filter_w, filter_in_depth = weights.shape
    geometry = window.window_fields(op, data, output, (filter_h, filter_w), dilated=True)
    in_depth = data.shape[3]
    if output.shape[3] != out_depth:
        raise fail(op, f"output has {output.shape[3]} channels, the filter makes {out_depth}")
    if filter_in_depth < 1 or in_depth % filter_in_depth or out_depth % (in_depth // filter_in_depth):
        raise fail(op, f"filter depth {filter_in_depth} does not split the input's {in_depth} channels "
                       f"into groups that divide the {out_depth} output channels")
    activation, clamp = activation_range(op)
    declarations, filter_ref, bias_ref = filter_declarations(op, weights, bias, out_depth)

    def call(params: str, arena) -> str:
        return (f"relo_conv_f32(&{params}, (const float *){arena(data.index)}, {filter_ref}, {bias_ref}, "
                f"(float *){arena(output.index)})")

    return lower_call(
        op, output, kernel=KERNEL, params_type="relo_conv_f32_params_t", call=call, declarations=declarations,
        params={"window": geometry, "input_depth": in_depth, "filter_input_depth": filter_in_depth,
                "output_depth": out_depth, "activation": clamp},
        macs=window.window_macs(geometry, filter_h * filter_w * filter_in_depth, out_depth),
        weight_bytes=weights.size_bytes + (bias.size_bytes if bias is not None else 0),
        notes={"activation": activation},
    )
