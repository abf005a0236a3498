"""DEPTHWISE_CONV_2D: int8, per-tensor or per-channel filter, any depth multiplier."""

from __future__ import annotations

from relomodel.compiler import kernel_select, quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import conv_quant, window
from relomodel.compiler.ops.base import LowerContext, LoweredOp, c_struct, int8_weighted_operands

NAME = "DEPTHWISE_CONV_2D"
KERNEL = "relo_depthwise_conv_s8.c"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    operands = int8_weighted_operands(graph, op, "filter")
    data, weights, bias, output = operands.data, operands.weights, operands.bias, operands.output
    in_scale, in_zp, out_scale, out_zp = operands.in_scale, operands.in_zp, operands.out_scale, operands.out_zp

    shape = window.depthwise_shape(op, data, weights, output)
    geometry, in_depth, out_depth, multiplier = shape.window, shape.in_depth, shape.out_depth, shape.depth_multiplier
    filter_scales = conv_quant.check_filter(op, weights, out_depth, channel_axis=3)
    bias_values = conv_quant.check_bias(op, bias, out_depth)
    multipliers, shifts = conv_quant.channel_multipliers(op, in_scale, filter_scales, out_scale)
    activation = quant.activation_name(op.options.get("fused_activation_function", 0))
    act_min, act_max = quant.activation_range_int8(activation, out_scale, out_zp)

    declarations, names = conv_quant.constant_declarations(op, weights, bias_values, multipliers, shifts)
    fields = {
        "window": geometry, "input_depth": in_depth, "depth_multiplier": multiplier,
        "input_offset": -in_zp, "output_offset": out_zp,
        "activation_min": act_min, "activation_max": act_max,
        "filter_offset": conv_quant.filter_offset(op, weights, "filter"),
    }
    declarations.append(c_struct("relo_depthwise_conv_params_t", names["params"], fields))

    def emit_call(arena) -> str:
        return (f"relo_depthwise_conv_s8(&{names['params']}, (const int8_t *){arena(data.index)}, "
                f"{names['filter']}, {names['bias']}, {names['multiplier']}, {names['shift']}, "
                f"(int8_t *){arena(output.index)})")

    portable = LoweredOp(
        op=op, kernel_files=(KERNEL,), declarations=declarations, emit_call=emit_call,
        macs=window.window_macs(geometry, shape.taps, out_depth),
        weight_bytes=weights.size_bytes + (bias.size_bytes if bias is not None else 0),
        output_shape=output.shape,
        overlap=(output.index, data.index,
                 window.streaming_overlap_distance(geometry, in_depth, out_depth)),
        notes={"activation": activation, "per_channel": weights.quantization.per_channel,
               "symmetric": conv_quant.filter_offset(op, weights, "filter") == 0},
    )
    return kernel_select.depthwise_conv_2d(ctx, portable, data=data, weights=weights, bias=bias,
                                           output=output, fields=fields,
                                           requant=(multipliers, shifts),
                                           graph=graph)
