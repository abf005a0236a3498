"""Weights re-laid out at pack time for the DSP kernels (each layout's contract is documented at
the top of its C file), plus the constants folded into them and the scratch sizes they need."""

from __future__ import annotations

import numpy as np

from relomodel.compiler.ir import Tensor
from relomodel.compiler.kernel_select.common import NATURAL_ORDER, SXTB16_ORDER, column_length
from relomodel.compiler.kernel_select.requant import doubled_bias

ONE_CHANNEL_GROUP = 4  # output channels relo_conv_one_channel_s8_dsp.c accumulates per pass


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

def image_scratch_bytes(pixels: int, taps: int) -> int:
    """relo_conv_s8_dsp_image's scratch: the columns of every pixel pair of one image, then one
    channel pair's widened block (two int32 biases and 2 K int16 taps)."""
    length = column_length(taps)
    return (pixels + 1) // 2 * 2 * length * 2 + 8 + 4 * length

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

def lstm_weights_layout(stacked: np.ndarray) -> np.ndarray:
    """[4 gates, state, depth] int8 -> the relo_lstm_s8_dsp.c layout: the four gates' rows of
    each element as one group of four_rows_layout. Returned flat."""
    gates, rows, depth = stacked.shape
    return four_rows_layout(stacked.transpose(1, 0, 2).reshape(gates * rows, depth))

def fc_row_constants(filters: np.ndarray, bias: Tensor | None, input_offset: int) -> np.ndarray:
    """bias + input_offset * sum(row) per output row, wrapped to int32 as the kernels' int32
    sums wrap (only the sum modulo 2^32 reaches the requantization)."""
    constants = filters.astype(np.int64).sum(axis=1) * input_offset
    if bias is not None:
        constants += bias.data.reshape(-1).astype(np.int64)
    return (constants + (1 << 31)) % (1 << 32) - (1 << 31)

def svdf_unit_constants(time: np.ndarray, bias: np.ndarray | None, state_zero_point: int, rank: int) -> np.ndarray:
    """bias - state zero point * sum of the unit's weights_time, per unit, wrapped to int32 as
    the kernels' int32 sums wrap."""
    sums = time.astype(np.int64).reshape(-1, rank * time.shape[-1]).sum(axis=1)
    constants = -state_zero_point * sums
    if bias is not None:
        constants += bias.astype(np.int64)
    return (constants + (1 << 31)) % (1 << 32) - (1 << 31)
