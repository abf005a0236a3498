"""Which kernel runs a convolution: the portable C one, or a DSP-extension one when the target
has it (Cortex-M4/M7), with the weight layout that kernel reads, made here at pack time.

The op modules lower every operator for the portable kernel first (all validation and
quantization arithmetic lives there); `conv_2d` and `depthwise_conv_2d` then swap in a DSP
kernel where it applies and is provably exact, replacing the filter array, the requantization
constants and the call. Weights keep their `.rodata.relo_weights.*` section. Layout contracts
are documented in the C files.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from relomodel.compiler.ir import Graph, Tensor
from relomodel.compiler.ops.base import LowerContext, LoweredOp, c_array, c_identifier, c_struct
from relomodel.compiler.state import state_symbol

CONV_DSP_KERNEL = "relo_conv_s8_dsp.c"
DEPTHWISE_DSP_KERNEL = "relo_depthwise_conv_s8_dsp.c"
FC_DSP_KERNEL = "relo_fully_connected_s8_dsp.c"
ONE_CHANNEL_KERNEL = "relo_conv_one_channel_s8_dsp.c"
LSTM_DSP_KERNEL = "relo_lstm_s8_dsp.c"
SVDF_DSP_KERNEL = "relo_svdf_s8_dsp.c"
SVDF_DSP_FUNCTIONS = {"int8": "relo_svdf_s8_dsp", "int16": "relo_svdf_s8_s16_dsp"}  # by state type
KERNEL_NOTE = "kernel"  # LoweredOp.notes key naming the kernel function chosen
# LoweredOp.notes key holding the portable lowering a DSP one replaced (the FC streaming
# fusion, compiler/stream_conv_fc.py, calls the portable kernel's streaming entry points)
PORTABLE_NOTE = "portable"

# (0, 2, 1, 3): SXTB16 of a word of these bytes gives taps (0, 1), SXTB16 ROR 8 taps (2, 3)
SXTB16_ORDER = np.array([0, 2, 1, 3])
# FULLY_CONNECTED splits weights and raw int8 inputs alike, (0, 2) and (1, 3): no reordering
NATURAL_ORDER = np.arange(4)
# relo_dsp_requantize_bounded needs every accumulator below this in magnitude
ACCUMULATOR_BOUND = 1 << 29
INPUT_SPAN = 255  # |input + input_offset| <= 255 for int8 input and zero point
MAX_RIGHT_SHIFT = 22  # output offset (|offset| <= 128) << 22 stays below 2^29
# relo_dsp_rescale.h's requantization needs |x << left shift| below this (2x fits int32)
RESCALE_BOUND = 1 << 30
# |a * b| of two int16 where one is a sigmoid/tanh output (|.| <= 32767): the LSTM's products
LSTM_PRODUCT_BOUND = 32767 * 32768
# The wide (int16) convolution filter saves 3 of 15 inner-loop instructions per 16 MACs for
# twice the filter bytes: worth it where each weight serves many pixels (3 * pixels / 16
# instructions saved per extra byte); capped per layer to keep the package small.
WIDE_MIN_PIXELS = 576
WIDE_MAX_EXTRA_BYTES = 4096
# Two pixels per step need two im2col columns of scratch; one column is kept when two would
# cost more than this share of the model's largest activation (a floor of its arena), so the
# scratch can grow the arena by at most that share.
TWO_COLUMN_SHARE = 1 / 32
ONE_CHANNEL_GROUP = 4  # output channels relo_conv_one_channel_s8_dsp.c accumulates per pass
# relo_conv_s8_dsp_image widens each channel pair once per image (about one instruction per
# weight) and saves 3 instructions per 16 MACs of every pixel pair: from a few pixels on
IMAGE_MIN_PIXELS = 8

Requant = tuple[list[int], list[int]]  # (multipliers, shifts) per output channel


def conv_2d(ctx: LowerContext, lowered: LoweredOp, *, data: Tensor, weights: Tensor,
            bias: Tensor | None, output: Tensor, fields: dict, requant: Requant,
            graph: Graph) -> LoweredOp:
    """CONV_2D without groups -> im2col + SMLAD matrix product (int16 filter where it serves
    many pixels; for small images every pixel's column at once and each channel pair widened
    at run time, relo_conv_s8_dsp_image), or for 1x1 over 8 channels the pixel kept in
    registers (no im2col)."""
    if not _dsp_applies(ctx, data, weights) or fields["filter_input_depth"] != fields["input_depth"]:
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
    if not _dsp_applies(ctx, data, weights):
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


def fully_connected(ctx: LowerContext, lowered: LoweredOp, *, data: Tensor, weights: Tensor,
                    bias: Tensor | None, output: Tensor, requant: Requant, input_offset: int,
                    output_offset: int, single_rounding: bool, portable_kernel: str) -> LoweredOp:
    """FULLY_CONNECTED -> SMLAD over four inputs, two rows per pass, the input offset folded
    into a per-row constant. The fast requantization where it is provably exact (TFLite
    Micro's double rounding, bounded accumulators); elsewhere the portable kernel's own
    requantization (relo_fully_connected_s8_dsp_rescale). Both link `portable_kernel`, which
    holds that requantization."""
    if not _dsp_applies(ctx, data, weights):
        return lowered
    op = lowered.op
    filters = weights.data.reshape(weights.shape[0], -1)
    multipliers, shifts = requant
    if len(multipliers) == 1:  # per tensor: the fast kernel reads one record per row
        multipliers, shifts = multipliers * filters.shape[0], shifts * filters.shape[0]
    records = None if single_rounding else fast_requant(filters, bias, (multipliers, shifts), output_offset)
    names = _dsp_names(op, bias)
    names["constants"] = c_identifier(op, "row_constants_dsp")
    params = c_identifier(op, "params")
    replaced = ("weights",) + (("bias",) if bias is not None else ())
    replaced += ("multiplier", "shift") if records is not None else ()
    declarations = _without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
    declarations += [
        c_array("int8_t", names["filter"], conv_filter_layout(filters, order=NATURAL_ORDER), weights=True),
        c_array("int32_t", names["constants"], fc_row_constants(filters, bias, input_offset), weights=True),
    ]
    if records is not None:
        declarations.append(c_array("int32_t", names["requant"], records, weights=True))
        kernel = "relo_fully_connected_s8_dsp"
        rescale = f"(const relo_dsp_requant_t *){names['requant']}"
    else:
        kernel = "relo_fully_connected_s8_dsp_rescale"
        rescale = f"{c_identifier(op, 'multiplier')}, {c_identifier(op, 'shift')}"

    def emit_call(arena) -> str:
        return (f"{kernel}(&{params}, (const int8_t *){arena(data.index)}, {names['filter']}, "
                f"{names['constants']}, {rescale}, (int8_t *){arena(output.index)})")

    return dataclasses.replace(lowered, kernel_files=(FC_DSP_KERNEL, portable_kernel), declarations=declarations, emit_call=emit_call,
                               notes={**lowered.notes, KERNEL_NOTE: kernel, PORTABLE_NOTE: lowered})


def lstm(ctx: LowerContext, lowered: LoweredOp, *, input_weights: list[Tensor],
         recurrent_weights: list[Tensor], biases: list[Tensor], params: dict) -> LoweredOp:
    """UNIDIRECTIONAL_SEQUENCE_LSTM -> SMLAD over the four gates of an element at once, and
    TFLite Micro's requantizations in a few instructions where `lstm_rescales` proves them
    exact (else the portable kernel). The kernel keeps the portable one's sums; the weights
    and biases move to its layout under the same names, so the call is the portable one with
    the DSP kernel's name and the records appended."""
    if not ctx.dsp:  # the op module has checked the weights: int8, symmetric, per tensor
        return lowered
    rescales = lstm_rescales(params, input_weights, recurrent_weights, biases)
    if rescales is None:
        return lowered
    op = lowered.op
    names = {role: c_identifier(op, role) for role in ("input_weights", "recurrent_weights", "biases")}
    declarations = _without(lowered.declarations, *names.values())
    declarations += [
        c_array("int8_t", names["input_weights"], lstm_weights_layout(np.stack([w.data for w in input_weights])),
                weights=True),
        c_array("int8_t", names["recurrent_weights"],
                lstm_weights_layout(np.stack([w.data for w in recurrent_weights])), weights=True),
        c_array("int32_t", names["biases"], np.stack([b.data.reshape(-1) for b in biases]).T),
        c_array("int32_t", c_identifier(op, "rescales_dsp"), rescales, weights=True),
    ]

    def emit_call(arena) -> str:
        call = lowered.emit_call(arena)
        assert call.startswith("relo_lstm_s8(") and call.endswith(")")
        return f"relo_lstm_s8_dsp({call[len('relo_lstm_s8('):-1]}, {c_identifier(op, 'rescales_dsp')})"

    return dataclasses.replace(lowered, kernel_files=(LSTM_DSP_KERNEL,), declarations=declarations,
                               emit_call=emit_call, notes={**lowered.notes, KERNEL_NOTE: "relo_lstm_s8_dsp"})


def lstm_rescales(params: dict, input_weights: list[Tensor], recurrent_weights: list[Tensor],
                  biases: list[Tensor]) -> np.ndarray | None:
    """relo_lstm_s8_dsp.c's records (multiplier, left shift + 1, right shift, rounding) in
    relo_lstm_common.h order: the input FC of each gate, the recurrent FC of each gate,
    forget x cell, input x cell gate, hidden. None unless every one is provably exact: each
    multiplier in [0, 2^31), right shift <= 31, and |x << left shift| < RESCALE_BOUND for
    every x it can see (FC accumulators from the weights and bias, products of int16 gates)."""
    def bound(weights: Tensor, bias: Tensor | None) -> int:
        worst = np.abs(weights.data.astype(np.int64)).sum(axis=1) * INPUT_SPAN
        if bias is not None:
            worst += np.abs(bias.data.reshape(-1).astype(np.int64))
        return int(worst.max())

    cases = [(params["input_multiplier"][g], params["input_shift"][g], bound(input_weights[g], biases[g]))
             for g in range(4)]
    cases += [(params["recurrent_multiplier"][g], params["recurrent_shift"][g], bound(recurrent_weights[g], None))
              for g in range(4)]
    cases += [(params[f"{name}_multiplier"], params[f"{name}_shift"], LSTM_PRODUCT_BOUND)
              for name in ("forget_cell", "input_cell", "hidden")]
    records = [rescale_record(*case) for case in cases]
    return None if any(r is None for r in records) else np.array(records, dtype=np.int64)


def svdf(ctx: LowerContext, lowered: LoweredOp, *, data: Tensor, feature: Tensor, time: Tensor,
         bias: np.ndarray | None, state: Tensor, output: Tensor, fields: dict) -> LoweredOp:
    """SVDF (int8 or int16 state) -> the feature products four filters a step by SMLAD over the
    input widened once (arena scratch), the memory products by SMLAD over the raw state with
    the state zero point folded into per-unit constants; where the feature requantization is
    provably exact in relo_dsp_rescale.h's few instructions (else the portable kernel)."""
    if not ctx.dsp:
        return lowered
    filters = feature.data.reshape(fields["filters"], -1).astype(np.int64)
    record = rescale_record(fields["feature_multiplier"], fields["feature_shift"],
                            int(np.abs(filters).sum(axis=1).max()) * INPUT_SPAN)
    if record is None:
        return lowered
    op = lowered.op
    padded = np.zeros((column_length(fields["filters"]), filters.shape[1]), dtype=np.int8)
    padded[:fields["filters"]] = filters
    names = {role: c_identifier(op, role) for role in
             ("weights_feature", "weights_time", "params", "unit_constants", "feature_rescale")}
    declarations = _without(lowered.declarations, names["weights_feature"],
                            *([c_identifier(op, "bias")] if bias is not None else []))
    declarations += [
        c_array("int8_t", names["weights_feature"], four_rows_layout(padded), weights=True),
        c_array("int32_t", names["unit_constants"],
                svdf_unit_constants(time.data, bias, fields["state_zero_point"], fields["rank"]), weights=True),
        c_array("int32_t", names["feature_rescale"], np.array(record, dtype=np.int64), weights=True),
    ]

    kernel = SVDF_DSP_FUNCTIONS[state.dtype]

    def emit_call(arena) -> str:
        return (f"{kernel}(&{names['params']}, (const int8_t *){arena(data.index)}, "
                f"{names['weights_feature']}, {names['weights_time']}, {names['unit_constants']}, "
                f"{names['feature_rescale']}, {state_symbol(state.index)}, (int8_t *){arena(output.index)}, "
                f"(int16_t *){arena(scratch_key(op.index))})")

    return dataclasses.replace(lowered, kernel_files=(SVDF_DSP_KERNEL,), declarations=declarations,
                               emit_call=emit_call, scratch_bytes=2 * column_length(filters.shape[1]),
                               notes={**lowered.notes, KERNEL_NOTE: kernel})


def svdf_unit_constants(time: np.ndarray, bias: np.ndarray | None, state_zero_point: int, rank: int) -> np.ndarray:
    """bias - state zero point * sum of the unit's weights_time, per unit, wrapped to int32 as
    the kernels' int32 sums wrap."""
    sums = time.astype(np.int64).reshape(-1, rank * time.shape[-1]).sum(axis=1)
    constants = -state_zero_point * sums
    if bias is not None:
        constants += bias.astype(np.int64)
    return (constants + (1 << 31)) % (1 << 32) - (1 << 31)


def rescale_record(multiplier: int, shift: int, largest: int) -> list[int] | None:
    """The relo_dsp_rescale.h record (multiplier, left shift + 1, right shift, rounding) of
    TFLite Micro's requantization by (multiplier, shift), or None unless it is provably exact
    for every |x| <= largest: multiplier in [0, 2^31), right shift <= 31, |x << left shift| <
    RESCALE_BOUND."""
    left, right = max(shift, 0), max(-shift, 0)
    if not 0 <= multiplier < 1 << 31 or right > 31 or largest << left >= RESCALE_BOUND:
        return None
    return [multiplier, left + 1, right, (1 << (right - 1)) if right else 0]


def lstm_weights_layout(stacked: np.ndarray) -> np.ndarray:
    """[4 gates, state, depth] int8 -> the relo_lstm_s8_dsp.c layout: the four gates' rows of
    each element as one group of four_rows_layout. Returned flat."""
    gates, rows, depth = stacked.shape
    return four_rows_layout(stacked.transpose(1, 0, 2).reshape(gates * rows, depth))


def four_rows_layout(rows: np.ndarray) -> np.ndarray:
    """[R, depth] int8, R a multiple of 4 -> the relo_dsp_dot4.h layout: depth zero padded to K
    (a multiple of 4); for each group of four rows, quad by quad, that quad of each row of the
    group; every quad in SXTB16 order. Returned flat."""
    count, depth = rows.shape
    length = column_length(depth)
    padded = np.zeros((count, length), dtype=np.int8)
    padded[:, :depth] = rows
    quads = padded.reshape(count // 4, 4, length // 4, 4)[..., SXTB16_ORDER]
    return quads.transpose(0, 2, 1, 3).reshape(-1)


def fc_row_constants(filters: np.ndarray, bias: Tensor | None, input_offset: int) -> np.ndarray:
    """bias + input_offset * sum(row) per output row, wrapped to int32 as the kernels' int32
    sums wrap (only the sum modulo 2^32 reaches the requantization)."""
    constants = filters.astype(np.int64).sum(axis=1) * input_offset
    if bias is not None:
        constants += bias.data.reshape(-1).astype(np.int64)
    return (constants + (1 << 31)) % (1 << 32) - (1 << 31)


def fast_requant(filters: np.ndarray, bias: Tensor | None, requant: Requant,
                 output_offset: int) -> np.ndarray | None:
    """relo_dsp_requant_t records (multiplier, right shift, rounding + offset) per output
    channel for relo_dsp_requantize_bounded, or None when its preconditions do not hold: every
    shift in [-MAX_RIGHT_SHIFT, -1] and every accumulator (bias + sum of filter * (input +
    offset)) provably below ACCUMULATOR_BOUND."""
    multipliers, shifts = requant
    if any(not -MAX_RIGHT_SHIFT <= s <= -1 for s in shifts) or any(not 0 <= m < 1 << 31 for m in multipliers):
        return None
    worst = np.abs(filters.astype(np.int64)).sum(axis=1) * INPUT_SPAN
    if bias is not None:
        worst += np.abs(bias.data.reshape(-1).astype(np.int64))
    if worst.max() >= ACCUMULATOR_BOUND:
        return None
    return np.array([[m, -s, (1 << (-s - 1)) + (output_offset << -s)] for m, s in zip(multipliers, shifts)],
                    dtype=np.int64)


def conv_filter_layout(filters: np.ndarray, order: np.ndarray = SXTB16_ORDER) -> np.ndarray:
    """[out, taps] int8 -> the relo_conv_s8_dsp.c layout: K = taps rounded up to 4, zero padded;
    the quads of each pair of channels interleaved (quad q of channel 2i, then of 2i + 1); an
    odd last channel plain; every quad in `order` (SXTB16 order for the convolution, natural
    for relo_fully_connected_s8_dsp.c). Returned flat."""
    out_depth, taps = filters.shape
    length = column_length(taps)
    padded = np.zeros((out_depth, length), dtype=np.int8)
    padded[:, :taps] = filters
    quads = padded.reshape(out_depth, length // 4, 4)[:, :, order]
    paired = out_depth // 2 * 2
    interleaved = quads[:paired].reshape(paired // 2, 2, length // 4, 4).transpose(0, 2, 1, 3)
    return np.concatenate([interleaved.reshape(-1), quads[paired:].reshape(-1)])


def depthwise_filter_layout(filters: np.ndarray, bias: Tensor | None = None, input_offset: int = 0,
                            records: np.ndarray | None = None) -> np.ndarray:
    """[1, h, w, C] int8 -> the relo_depthwise_conv_s8_dsp.c layout: int16, by groups of four
    channels; a group is its four interior biases (int32 as little-endian int16 halves: bias +
    input_offset * sum of the channel's taps, what a window wholly inside the input starts
    from), its taps, consecutive, the channels of a tap in SXTB16 order, then its four
    relo_dsp_requant_t records (fast_requant's, as int16 halves; zeros when None). Taps and
    biases doubled: the kernel accumulates doubled sums. Returned flat."""
    channels = filters.shape[3]
    taps = filters.reshape(-1, channels // 4, 4)[:, :, SXTB16_ORDER].astype(np.int16) * 2
    interior = filters.reshape(-1, channels).astype(np.int64).sum(axis=0) * input_offset
    if bias is not None:
        interior += bias.data.reshape(-1).astype(np.int64)
    interior *= 2
    # |interior| < 2 * ACCUMULATOR_BOUND (fast_requant's proof), so int32 holds it exactly
    halves = interior.astype("<i4").view("<i2").reshape(channels // 4, 8)
    if records is None:
        records = np.zeros((channels, 3), dtype=np.int64)
    tails = np.asarray(records, dtype=np.int64).astype("<u4").view("<i2").reshape(channels // 4, 24)
    return np.concatenate([halves, taps.transpose(1, 0, 2).reshape(channels // 4, -1), tails], axis=1).reshape(-1)


def one_channel_filter_layout(filters: np.ndarray) -> np.ndarray:
    """[out, h, w] taps (the kernel takes them doubled) -> the relo_conv_one_channel_s8_dsp.c
    layout: int16; channels in groups of four (zero padded), for each group, filter row and
    quad of taps (w rounded up to 4, zero padded), each channel's quad in SXTB16 order.
    Returned flat."""
    out_depth, height, width = filters.shape
    groups, quads = -(-out_depth // ONE_CHANNEL_GROUP), column_length(width) // 4
    padded = np.zeros((groups * ONE_CHANNEL_GROUP, height, quads * 4), dtype=np.int16)
    padded[:out_depth, :, :width] = filters
    laid = padded.reshape(groups, ONE_CHANNEL_GROUP, height, quads, 4)[..., SXTB16_ORDER]
    return laid.transpose(0, 2, 3, 1, 4).reshape(-1)


def one_channel_offset_terms(filters: np.ndarray, input_offset: int) -> np.ndarray:
    """[out, h, w] int8 -> [out, h + 1] int32: input_offset times the sum of filter rows [0, k)
    of each channel, wrapped to int32 (the kernel adds their differences with int32 wrap)."""
    rows = filters.astype(np.int64).sum(axis=2)
    prefix = np.concatenate([np.zeros((rows.shape[0], 1), dtype=np.int64), np.cumsum(rows, axis=1)], axis=1)
    return (prefix * input_offset + (1 << 31)) % (1 << 32) - (1 << 31)


def one_channel_scratch_bytes(window: dict) -> int:
    """relo_conv_one_channel_s8_dsp_scratch_bytes: filter_height rows of the two edge strips,
    each wide enough for its pixels' last whole quads, a multiple of 4. The left strip serves the
    output columns whose windows start left of the image, the right one those reading past it."""
    stride, out_width, reach = window["stride_width"], window["output_width"], column_length(window["filter_width"])
    left = min(-(-window["pad_left"] // stride), out_width)
    last_inside = window["input_width"] + window["pad_left"] - reach
    right_first = min(max(last_inside // stride + 1 if last_inside >= 0 else 0, left), out_width)

    def pitch(pixels: int) -> int:
        return column_length((pixels - 1) * stride + reach) if pixels > 0 else 0

    return window["filter_height"] * (pitch(left) + pitch(out_width - right_first))


def conv_filter_stream(filters: np.ndarray, bias: Tensor | None, wide: bool) -> np.ndarray:
    """[out, taps] int8 -> the filter relo_conv_s8_dsp.c walks: conv_filter_layout (SXTB16
    order, or natural order widened to int16 for relo_conv_s8_dsp_wide) with each pair's block
    preceded by its channels' doubled biases (int32, as little-endian bytes or int16 halves) and
    the odd last channel's taps by its own. Returned flat (int8 or int16 values)."""
    out_depth = filters.shape[0]
    length = column_length(filters.shape[1])
    laid = conv_filter_layout(filters, order=NATURAL_ORDER if wide else SXTB16_ORDER).astype(np.int16)
    biases = doubled_bias(bias) if bias is not None else np.zeros(out_depth, dtype=np.int64)
    words = biases.astype("<i4").view("<i2" if wide else "i1").reshape(out_depth, -1).astype(np.int16)
    pairs = out_depth // 2
    blocks = [np.concatenate([words[2 * i:2 * i + 2].reshape(-1), laid[2 * length * i:2 * length * (i + 1)]])
              for i in range(pairs)]
    if out_depth % 2:
        blocks.append(np.concatenate([words[-1], laid[2 * length * pairs:]]))
    return np.concatenate(blocks)


def doubled_bias(bias: Tensor) -> np.ndarray:
    """2 * bias, for the kernels that accumulate doubled sums (|bias| < ACCUMULATOR_BOUND was
    proven by fast_requant, so int32 holds it)."""
    return bias.data.reshape(-1).astype(np.int64) * 2


# relo_conv_pointwise8_s8_dsp: each channel's 8 taps as the pairs SXTB16 / SXTB16 ROR 8 make
# of the pixel's two words
POINTWISE8_ORDER = np.array([0, 2, 1, 3, 4, 6, 5, 7])


def pointwise8_layout(filters: np.ndarray, bias: Tensor | None, records: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[out, 8] int8 -> the relo_conv_pointwise8_s8_dsp layout: (filter: int16, per channel its
    taps in POINTWISE8_ORDER; channels: int32, per channel 2 * bias (the kernel's columns are
    doubled) then its relo_dsp_requant_t record's rounding, multiplier and right shift, in that
    order). Both flat."""
    taps = filters[:, POINTWISE8_ORDER].astype(np.int16)
    biases = doubled_bias(bias) if bias is not None else np.zeros(filters.shape[0], dtype=np.int64)
    rounding_first = np.asarray(records)[:, [2, 0, 1]]
    return taps.reshape(-1), np.concatenate([biases[:, None], rounding_first], axis=1).reshape(-1)


def column_length(taps: int) -> int:
    return (taps + 3) // 4 * 4


def scratch_key(op_index: int) -> int:
    """The arena-plan key of an op's scratch buffer (negative: never a tensor index)."""
    return -(op_index + 1)


def _dsp_applies(ctx: LowerContext, data: Tensor, weights: Tensor) -> bool:
    # asymmetric (uint8-born) filters keep the portable kernels' filter-offset path
    return (ctx.dsp and data.dtype == "int8" and weights.dtype == "int8"
            and all(z == 0 for z in weights.quantization.zero_points))


def _im2col_conv(lowered: LoweredOp, filters: np.ndarray, records: np.ndarray, *, data: Tensor,
                 bias: Tensor | None, output: Tensor, fields: dict, graph: Graph) -> LoweredOp:
    op = lowered.op
    names = _dsp_names(op, bias)
    params = c_identifier(op, "params")  # re-declared: a DEPTHWISE_CONV_2D becomes a CONV_2D
    replaced = ("filter", "params", "multiplier", "shift") + (("bias",) if bias is not None else ())
    declarations = _without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
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


def image_scratch_bytes(pixels: int, taps: int) -> int:
    """relo_conv_s8_dsp_image's scratch: the columns of every pixel pair of one image, then one
    channel pair's widened block (two int32 biases and 2 K int16 taps)."""
    length = column_length(taps)
    return (pixels + 1) // 2 * 2 * length * 2 + 8 + 4 * length


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
    names = _dsp_names(op, bias)
    names["channels"] = c_identifier(op, "channels_dsp")
    params = c_identifier(op, "params")
    replaced = ("filter", "params", "multiplier", "shift") + (("bias",) if bias is not None else ())
    declarations = _without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
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
    names = _dsp_names(op, bias)
    names["terms"] = c_identifier(op, "offset_terms_dsp")
    params = c_identifier(op, "params")  # re-declared: a DEPTHWISE_CONV_2D becomes a CONV_2D
    # [1, h, w, out] -> [out, h, w]; doubled with the bias and the offset terms: the kernel
    # accumulates twice the sums (relo_dsp_requantize_doubled)
    filters = weights.data[0].transpose(2, 0, 1)
    replaced = ("filter", "params", "multiplier", "shift") + (("bias",) if bias is not None else ())
    declarations = _without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
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
    names = _dsp_names(op, bias)
    # the bias and the requantization records live in the filter groups
    replaced = ("filter", "multiplier", "shift") + (("bias",) if bias is not None else ())
    declarations = _without(lowered.declarations, *(c_identifier(op, role) for role in replaced))
    declarations.append(c_array("int16_t", names["filter"],
                                depthwise_filter_layout(weights.data, bias, input_offset, records), weights=True))

    def emit_call(arena) -> str:
        return (f"relo_depthwise_conv_s8_dsp(&{c_identifier(op, 'params')}, "
                f"(const int8_t *){arena(data.index)}, {names['filter']}, (int8_t *){arena(output.index)})")

    return dataclasses.replace(lowered, kernel_files=(DEPTHWISE_DSP_KERNEL,), declarations=declarations,
                               emit_call=emit_call,
                               notes={**lowered.notes, KERNEL_NOTE: "relo_depthwise_conv_s8_dsp"})


def _dsp_names(op, bias: Tensor | None) -> dict[str, str]:
    return {"filter": c_identifier(op, "filter_dsp"), "requant": c_identifier(op, "requant_dsp"),
            "bias": c_identifier(op, "bias") if bias is not None else "0"}


def _without(declarations: list[str], *names: str) -> list[str]:
    """The declarations minus the ones defining `names` (each must be there exactly once)."""
    kept = list(declarations)
    for name in names:
        found = [d for d in kept if _defines(d, name)]
        if len(found) != 1:
            raise AssertionError(f"expected one declaration of {name}, found {len(found)}")
        kept.remove(found[0])
    return kept


def _defines(declaration: str, name: str) -> bool:
    head = declaration.split("=", 1)[0]
    return f" {name}[" in head or head.rstrip().endswith(f" {name}")
