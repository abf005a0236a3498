"""DEPTHWISE_CONV_2D, float32: float filter [1, h, w, channels], any depth multiplier."""

from __future__ import annotations

from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import window
from relomodel.compiler.ops.base import LowerContext, LoweredOp, fail, input_tensor
from relomodel.compiler.ops.float32.common import activation_range, lower_call
from relomodel.compiler.ops.float32.filters import filter_declarations, float_data_and_output

NAME = "DEPTHWISE_CONV_2D"
KERNEL = "relo_depthwise_conv_f32.c"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    data, output = float_data_and_output(graph, op)
    weights = input_tensor(graph, op, 1, "filter")
    bias = input_tensor(graph, op, 2, "bias", optional=True)
    if len(weights.shape) != 4 or weights.shape[0] != 1:
        raise fail(op, f"filter must be 4-D [1, h, w, channels], found shape {weights.shape}")
    _, filter_h, filter_w, out_depth = weights.shape
    geometry = window.window_fields(op, data, output, (filter_h, filter_w), dilated=True)
    in_depth = data.shape[3]
    if output.shape[3] != out_depth or out_depth % in_depth:
        raise fail(op, f"{out_depth} filter channels and {output.shape[3]} output channels must match "
                       f"and be a multiple of the {in_depth} input channels")
    multiplier = out_depth // in_depth
    declared = op.options.get("depth_multiplier", multiplier)
    if declared not in (0, multiplier):  # 0: left unset by some converters, shapes decide
        raise fail(op, f"depth_multiplier option {declared} disagrees with the shapes "
                       f"({in_depth} -> {out_depth} channels)")
    activation, clamp = activation_range(op)
    declarations, filter_ref, bias_ref = filter_declarations(op, weights, bias, out_depth)

    def call(params: str, arena) -> str:
        return (f"relo_depthwise_conv_f32(&{params}, (const float *){arena(data.index)}, {filter_ref}, "
                f"{bias_ref}, (float *){arena(output.index)})")

    return lower_call(
        op, output, kernel=KERNEL, params_type="relo_depthwise_conv_f32_params_t", call=call,
        declarations=declarations,
        params={"window": geometry, "input_depth": in_depth, "depth_multiplier": multiplier,
                "activation": clamp},
        macs=window.window_macs(geometry, filter_h * filter_w, out_depth),
        weight_bytes=weights.size_bytes + (bias.size_bytes if bias is not None else 0),
        notes={"activation": activation},
    )
