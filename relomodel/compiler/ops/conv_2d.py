"""CONV_2D: int8 activations, int8 filter (per tensor or per output channel), int32 bias."""

from __future__ import annotations

from relomodel.compiler import kernel_select, quant
from relomodel.compiler.ir import Graph, Operator
from relomodel.compiler.ops import conv_quant, window
from relomodel.compiler.ops.base import (
    LowerContext, LoweredOp, c_struct, fail, int8_weighted_operands,
)

NAME = "CONV_2D"
KERNEL = "relo_conv_s8.c"


def lower(graph: Graph, op: Operator, ctx: LowerContext) -> LoweredOp:
    operands = int8_weighted_operands(graph, op, "filter")
    data, weights, bias, output = operands.data, operands.weights, operands.bias, operands.output
    in_scale, in_zp, out_scale, out_zp = operands.in_scale, operands.in_zp, operands.out_scale, operands.out_zp
    if op.options.get("quantized_bias_type", 0) not in (0, 2):  # default or INT32
        raise fail(op, "only int32 bias is supported")

    shape = window.conv_shape(op, data, weights, output)
    geometry, in_depth, out_depth = shape.window, shape.in_depth, shape.out_depth
    filter_in_depth = shape.filter_in_depth
    filter_scales = conv_quant.check_filter(op, weights, out_depth, channel_axis=0)
    bias_values = conv_quant.check_bias(op, bias, out_depth)
    multipliers, shifts = conv_quant.channel_multipliers(op, in_scale, filter_scales, out_scale)
    activation = quant.activation_name(op.options.get("fused_activation_function", 0))
    act_min, act_max = quant.activation_range_int8(activation, out_scale, out_zp)

    declarations, names = conv_quant.constant_declarations(op, weights, bias_values, multipliers, shifts)
    fields = {
        "window": geometry, "input_depth": in_depth, "filter_input_depth": filter_in_depth,
        "output_depth": out_depth, "input_offset": -in_zp, "output_offset": out_zp,
        "activation_min": act_min, "activation_max": act_max,
        "filter_offset": conv_quant.filter_offset(op, weights, "filter"),
    }
    declarations.append(c_struct("relo_conv_params_t", names["params"], fields))

    def emit_call(arena) -> str:
        return (f"relo_conv_s8(&{names['params']}, (const int8_t *){arena(data.index)}, {names['filter']}, "
                f"{names['bias']}, {names['multiplier']}, {names['shift']}, (int8_t *){arena(output.index)})")

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
    return kernel_select.conv_2d(ctx, portable, data=data, weights=weights, bias=bias,
                                 output=output, fields=fields, requant=(multipliers, shifts),
                                 graph=graph)
