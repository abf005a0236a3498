/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TFLite Micro's two-rounding requantization in a few instructions, for values the compiler
 * proved small enough (compiler/kernel_select/ rescale_record), with any shift: the general
 * form of relo_dsp_requantize_bounded (which folds an output offset and so needs |x| < 2^29).
 */
#ifndef RELO_DSP_RESCALE_H
#define RELO_DSP_RESCALE_H

#include "relo_nn_dsp.h"

/* TFLite Micro's requantization (relo_nn_requantize) of x by the record r (multiplier, left
 * shift + 1, right shift, rounding: compiler/kernel_select/ rescale_record), exact when
 * |x << left shift| < 2^30 and 0 <= multiplier < 2^31, as the compiler proved for every
 * record: the rounding doubling high multiply of a = x << left is SMMULR of 2a (2a cannot
 * overflow; relo_dsp_requantize_bounded gives the proof of both roundings), then the
 * rounding right shift (h + 2^(e-1) - [h < 0]) >> e, which cannot overflow as |h| < 2^30. */
static inline int32_t relo_dsp_rescale(const int32_t *r, int32_t x)
{
    const int32_t high = relo_dsp_smmulr((int32_t)((uint32_t)x << r[1]), r[0]);
    if (r[2] == 0) {
        return high;
    }
    return (high + r[3] + (high >> 31)) >> r[2];
}

/* TFLite Micro's requantization (relo_nn_requantize) for any x, with no proof needed, in about
 * half its instructions: the rounding doubling high multiply is floor((a * m + 2^30) / 2^31)
 * for every product (the argument of relo_dsp_requantize_bounded, without its need for 2a to
 * fit), one SMLAL; the rounding right shift by e is TFLM's own, remainder against threshold
 * (the form that cannot overflow). Needs 0 <= multiplier < 2^31 (TFLM's never saturating
 * case) and shift <= 30, as every multiplier the compiler makes. */
static inline int32_t relo_dsp_requantize_any(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    const int32_t a = (int32_t)((uint32_t)x << left); /* wraps as the reference's int32 */
    const int32_t high = (int32_t)(((int64_t)a * multiplier + (1LL << 30)) >> 31);
    const int32_t mask = (int32_t)((1u << right) - 1u);
    const int32_t threshold = (mask >> 1) + (high < 0);
    return (high >> right) + ((high & mask) > threshold);
}

#endif /* RELO_DSP_RESCALE_H */
