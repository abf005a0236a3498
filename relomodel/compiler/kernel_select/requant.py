"""When the DSP kernels' few-instruction requantizations are provably TFLite Micro's, and their
records: the bounds are checked here at pack time from the weights and biases."""

from __future__ import annotations

import numpy as np

from relomodel.compiler.ir import Tensor
from relomodel.compiler.kernel_select.common import Requant

# relo_dsp_requantize_bounded needs every accumulator below this in magnitude
ACCUMULATOR_BOUND = 1 << 29
INPUT_SPAN = 255  # |input + input_offset| <= 255 for int8 input and zero point
MAX_RIGHT_SHIFT = 22  # output offset (|offset| <= 128) << 22 stays below 2^29
# relo_dsp_rescale.h's requantization needs |x << left shift| below this (2x fits int32)
RESCALE_BOUND = 1 << 30
# |a * b| of two int16 where one is a sigmoid/tanh output (|.| <= 32767): the LSTM's products
LSTM_PRODUCT_BOUND = 32767 * 32768


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

def rescale_record(multiplier: int, shift: int, largest: int) -> list[int] | None:
    """The relo_dsp_rescale.h record (multiplier, left shift + 1, right shift, rounding) of
    TFLite Micro's requantization by (multiplier, shift), or None unless it is provably exact
    for every |x| <= largest: multiplier in [0, 2^31), right shift <= 31, |x << left shift| <
    RESCALE_BOUND."""
    left, right = max(shift, 0), max(-shift, 0)
    if not 0 <= multiplier < 1 << 31 or right > 31 or largest << left >= RESCALE_BOUND:
        return None
    return [multiplier, left + 1, right, (1 << (right - 1)) if right else 0]

def doubled_bias(bias: Tensor) -> np.ndarray:
    """2 * bias, for the kernels that accumulate doubled sums (|bias| < ACCUMULATOR_BOUND was
    proven by fast_requant, so int32 holds it)."""
    return bias.data.reshape(-1).astype(np.int64) * 2
