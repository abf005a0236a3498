"""Which kernel runs a CONV_2D or DEPTHWISE_CONV_2D on a target with the DSP extension, with the
constants and call that kernel needs (the portable lowering stays where none applies)."""

from __future__ import annotations

import dataclasses

import numpy as np

from relomodel.compiler.ir import Graph, Tensor
from relomodel.compiler.kernel_select.common import (
    CONV_DSP_KERNEL, DEPTHWISE_DSP_KERNEL, KERNEL_NOTE, ONE_CHANNEL_KERNEL, Requant, column_length, dsp_applies,
    dsp_names, scratch_key, without,
)
from relomodel.compiler.kernel_select.layouts import (
    conv_filter_stream, depthwise_filter_layout, image_scratch_bytes, one_channel_filter_layout,
    one_channel_offset_terms, one_channel_scratch_bytes, pointwise8_layout,
)
from relomodel.compiler.kernel_select.requant import doubled_bias, fast_requant
from relomodel.compiler.ops.base import LowerContext, LoweredOp, c_array, c_identifier, c_struct

# The wide (int16) convolution filter saves 3 of 15 inner-loop instructions per 16 MACs for
# twice the filter bytes: worth it where each weight serves many pixels (3 * pixels / 16
# instructions saved per extra byte); capped per layer to keep the package small.
WIDE_MIN_PIXELS = 576
WIDE_MAX_EXTRA_BYTES = 4096
# Two pixels per step need two im2col columns of scratch; one column is kept when two would
# cost more than this share of the model's largest activation (a floor of its arena), so the
# scratch can grow the arena by at most that share.
TWO_COLUMN_SHARE = 1 / 32
# relo_conv_s8_dsp_image widens each channel pair once per image (about one instruction per
# weight) and saves 3 instructions per 16 MACs of every pixel pair: from a few pixels on
IMAGE_MIN_PIXELS = 8


def conv_2d(ctx: LowerContext, lowered: LoweredOp, *, data: Tensor, weights: Tensor,
            bias: Tensor | None, output: Tensor, fields: dict, requant: Requant,
            graph: Graph) -> LoweredOp:
    """CONV_2D without groups -> im2col + SMLAD matrix product (int16 filter where it serves
    many pixels; for small images every pixel's column at once and each channel pair widened
    at run time, relo_conv_s8_dsp_image), or for 1x1 over 8 channels the pixel kept in
    registers (no im2col)."""
    if not dsp_applies(ctx, data, weights) or fields["filter_input_depth"] != fields["input_depth"]:
        return lowered
    filters = weights.data.reshape(weights.shape[0], -1)
    records = fast_requant(filters, bias, requant, fields["output_offset"])
    if records is None:
        return lowered
    if _pointwise8_applies(fields):
        return _pointwise8_conv(lowered, filters, records, data=data, bias=bias, output=output, fields=fields)
    return _im2col_conv(lowered, filters, records, data=data, bias=bias, output=output, fields=fields,
                        graph=graph)

def depthwise_conv_2d(ctx: LowerContext, lowered: LoweredOp, *, data: Tensor, weights: Tensor,
                      bias: Tensor | None, output: Tensor, fields: dict, requant: Requant,
                      graph: Graph) -> LoweredOp:
    """DEPTHWISE_CONV_2D: one input channel is a plain convolution, without im2col where the
    dilation is 1 (relo_conv_one_channel_s8_dsp: micro_speech's 10x8 filter, person_detect's
    first layer), else im2col + SMLAD; depth multiplier 1 over a multiple of 4 channels gets the
    four-channels-per-load kernel; anything else stays portable."""
    if not dsp_applies(ctx, data, weights):
        return lowered
    out_depth = weights.shape[3]
    filters = weights.data.reshape(-1, out_depth).T  # [out, h * w]
    records = fast_requant(filters, bias, requant, fields["output_offset"])
    if records is None:
        return lowered
    if fields["input_depth"] == 1:
        conv_fields = {
            "window": fields["window"], "input_depth": 1, "filter_input_depth": 1,
            "output_depth": out_depth,
            **{key: fields[key] for key in ("input_offset", "output_offset", "activation_min",
                                            "activation_max", "filter_offset")},
        }
        if _one_channel_applies(fields["window"]):
            return _one_channel_conv(lowered, weights, records, data=data, bias=bias, output=output,
                                     fields=conv_fields)
        # output channel c reads the one input channel: [out, h * w] is a CONV_2D filter
        return _im2col_conv(lowered, filters, records, data=data, bias=bias, output=output,
                            fields=conv_fields, graph=graph)
    if fields["depth_multiplier"] == 1 and out_depth % 4 == 0:
        return _depthwise_four(lowered, weights, records, data=data, bias=bias, output=output,
                               input_offset=fields["input_offset"])
    return lowered

def _im2col_conv(lowered: LoweredOp, filters: np.ndarray, records: np.ndarray, *, data: Tensor,
                 bias: Tensor | None, output: Tensor, fields: dict, graph: Graph) -> LoweredOp:
    op = lowered.op
    names = dsp_names(op, bias)
    params = c_identifier(op, "params")  # re-declared: a DEPTHWISE_CONV_2D becomes a CONV_2D
    replaced = ("filter", "params", "multiplier", "shift") + (("bias",) if bias is not None else ())
    declarations = without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
    pixels = int(np.prod(output.shape[1:-1]))  # of one image
    column_bytes = column_length(filters.shape[1]) * 2  # int16 taps
    largest = max(t.size_bytes for t in graph.tensors if not t.is_constant)
    image = image_scratch_bytes(pixels, filters.shape[1])
    # the whole image's columns where the op's input and output (overlapping as its kernel
    # allows, planner.lower_bound) and that scratch fit in the largest activation's bytes, which
    # any arena holds: the scratch fills a gap of the arena rather than growing it
    if pixels >= IMAGE_MIN_PIXELS and _footprint(lowered, data, output) + image <= largest:
        kernel, filter_type, wide, columns, scratch_bytes = "relo_conv_s8_dsp_image", "int8_t", False, None, image
    else:
        wide = pixels * output.shape[0] >= WIDE_MIN_PIXELS and filters.size <= WIDE_MAX_EXTRA_BYTES
        kernel, filter_type = ("relo_conv_s8_dsp_wide", "int16_t") if wide else ("relo_conv_s8_dsp", "int8_t")
        columns = 2 if 2 * column_bytes <= TWO_COLUMN_SHARE * largest else 1
        scratch_bytes = columns * column_bytes
    laid = conv_filter_stream(filters, bias, wide)
    declarations += [c_array(filter_type, names["filter"], laid, weights=True),
                     c_array("int32_t", names["requant"], records, weights=True),
                     c_struct("relo_conv_params_t", params, fields)]
    trailing = "" if columns is None else f", {columns}"

    def emit_call(arena) -> str:
        return (f"{kernel}(&{params}, (const int8_t *){arena(data.index)}, {names['filter']}, "
                f"(const relo_dsp_requant_t *){names['requant']}, (int8_t *){arena(output.index)}, "
                f"(int16_t *){arena(scratch_key(op.index))}{trailing})")

    return dataclasses.replace(lowered, kernel_files=(CONV_DSP_KERNEL,), declarations=declarations,
                               emit_call=emit_call, scratch_bytes=scratch_bytes,
                               notes={**lowered.notes, KERNEL_NOTE: kernel})

def _footprint(lowered: LoweredOp, data: Tensor, output: Tensor) -> int:
    """Bytes the op's input and output need together: max(output, distance + input) where the
    output may start `distance` bytes before the input (LoweredOp.overlap), else both."""
    if lowered.overlap is None:
        return data.size_bytes + output.size_bytes
    return max(output.size_bytes, lowered.overlap[2] + data.size_bytes)

def _pointwise8_applies(fields: dict) -> bool:
    """relo_conv_pointwise8_s8_dsp's preconditions (MobileNet's first pointwise layer)."""
    window = fields["window"]
    return (fields["input_depth"] == 8 and fields["filter_input_depth"] == 8
            and window["filter_height"] == 1 and window["filter_width"] == 1
            and window["stride_height"] == 1 and window["stride_width"] == 1
            and window["pad_top"] == 0 and window["pad_left"] == 0
            and window["output_height"] == window["input_height"] and window["output_width"] == window["input_width"]
            and fields["activation_min"] == -128 and fields["activation_max"] == 127)

def _pointwise8_conv(lowered: LoweredOp, filters: np.ndarray, records: np.ndarray, *, data: Tensor,
                     bias: Tensor | None, output: Tensor, fields: dict) -> LoweredOp:
    op = lowered.op
    names = dsp_names(op, bias)
    names["channels"] = c_identifier(op, "channels_dsp")
    params = c_identifier(op, "params")
    replaced = ("filter", "params", "multiplier", "shift") + (("bias",) if bias is not None else ())
    declarations = without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
    laid, channels = pointwise8_layout(filters, bias, records)
    declarations += [c_array("int16_t", names["filter"], laid, weights=True),
                     c_array("int32_t", names["channels"], channels, weights=True),
                     c_struct("relo_conv_params_t", params, fields)]

    def emit_call(arena) -> str:
        return (f"relo_conv_pointwise8_s8_dsp(&{params}, (const int8_t *){arena(data.index)}, {names['filter']}, "
                f"{names['channels']}, (int8_t *){arena(output.index)})")

    return dataclasses.replace(lowered, kernel_files=(CONV_DSP_KERNEL,), declarations=declarations,
                               emit_call=emit_call, notes={**lowered.notes, KERNEL_NOTE: "relo_conv_pointwise8_s8_dsp"})

def _one_channel_applies(window: dict) -> bool:
    return window["dilation_height"] == 1 and window["dilation_width"] == 1

def _one_channel_conv(lowered: LoweredOp, weights: Tensor, records: np.ndarray, *, data: Tensor,
                      bias: Tensor | None, output: Tensor, fields: dict) -> LoweredOp:
    op = lowered.op
    names = dsp_names(op, bias)
    names["terms"] = c_identifier(op, "offset_terms_dsp")
    params = c_identifier(op, "params")  # re-declared: a DEPTHWISE_CONV_2D becomes a CONV_2D
    # [1, h, w, out] -> [out, h, w]; doubled with the bias and the offset terms: the kernel
    # accumulates twice the sums (relo_dsp_requantize_doubled)
    filters = weights.data[0].transpose(2, 0, 1)
    replaced = ("filter", "params", "multiplier", "shift") + (("bias",) if bias is not None else ())
    declarations = without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
    declarations += [c_array("int16_t", names["filter"], one_channel_filter_layout(filters.astype(np.int16) * 2),
                             weights=True),
                     c_array("int32_t", names["terms"],
                             one_channel_offset_terms(filters, 2 * fields["input_offset"]), weights=True),
                     c_array("int32_t", names["requant"], records, weights=True),
                     c_struct("relo_conv_params_t", params, fields)]
    if bias is not None:
        declarations.append(c_array("int32_t", names["bias"], doubled_bias(bias), weights=True))
    # at least a word: the kernel wants scratch even where no window reaches past an edge
    scratch_bytes = max(one_channel_scratch_bytes(fields["window"]), 4)

    def emit_call(arena) -> str:
        return (f"relo_conv_one_channel_s8_dsp(&{params}, (const int8_t *){arena(data.index)}, "
                f"{names['filter']}, {names['bias']}, {names['terms']}, "
                f"(const relo_dsp_requant_t *){names['requant']}, (int8_t *){arena(output.index)}, "
                f"(int8_t *){arena(scratch_key(op.index))}, {scratch_bytes})")

    return dataclasses.replace(lowered, kernel_files=(ONE_CHANNEL_KERNEL,), declarations=declarations,
                               emit_call=emit_call, scratch_bytes=scratch_bytes,
                               notes={**lowered.notes, KERNEL_NOTE: "relo_conv_one_channel_s8_dsp"})

def _depthwise_four(lowered: LoweredOp, weights: Tensor, records: np.ndarray, *, data: Tensor,
                    bias: Tensor | None, output: Tensor, input_offset: int) -> LoweredOp:
    op = lowered.op
    names = dsp_names(op, bias)
    # the bias and the requantization records live in the filter groups
    replaced = ("filter", "multiplier", "shift") + (("bias",) if bias is not None else ())
    declarations = without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
    declarations.append(c_array("int16_t", names["filter"],
                                depthwise_filter_layout(weights.data, bias, input_offset, records), weights=True))

    def emit_call(arena) -> str:
        return (f"relo_depthwise_conv_s8_dsp(&{c_identifier(op, 'params')}, "
                f"(const int8_t *){arena(data.index)}, {names['filter']}, (int8_t *){arena(output.index)})")

    return dataclasses.replace(lowered, kernel_files=(DEPTHWISE_DSP_KERNEL,), declarations=declarations,
                               emit_call=emit_call,
                               notes={**lowered.notes, KERNEL_NOTE: "relo_depthwise_conv_s8_dsp"})
