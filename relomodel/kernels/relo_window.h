/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sliding-window helpers shared by the convolution and pooling kernels (header-only, so
 * each kernel file stays self-contained).
 *
 * Contract with the arena planner (compiler/ops/window.py, streaming_overlap_distance): the
 * window kernels write outputs in NHWC order and, before writing output pixel p, read only
 * the windows of pixels >= p. The planner relies on it to let the output overlap the input,
 * so these kernels must keep that order and never mark input/output pointers `restrict`.
 */
#ifndef RELO_WINDOW_H
#define RELO_WINDOW_H

#include <stdint.h>

#include "relo_nn_math.h"
#include "relo_nn_types.h"

/* 1 when every size is positive and every stride/dilation at least 1. */
static inline int32_t relo_window_is_valid(const relo_window_t *w)
{
    return w->batches > 0 && w->input_height > 0 && w->input_width > 0 && w->output_height > 0 &&
           w->output_width > 0 && w->filter_height > 0 && w->filter_width > 0 &&
           w->stride_height > 0 && w->stride_width > 0 && w->dilation_height > 0 &&
           w->dilation_width > 0 && w->pad_top >= 0 && w->pad_left >= 0;
}

/* First tap index k in [0, count) with 0 <= origin + k * dilation, i.e. inside the input. */
static inline int32_t relo_window_first_tap(int32_t origin, int32_t dilation, int32_t count)
{
    int32_t k = 0;
    if (origin < 0) {
        k = (-origin + dilation - 1) / dilation;
    }
    return k < count ? k : count;
}

/* One past the last tap index k with origin + k * dilation < size. */
static inline int32_t relo_window_end_tap(int32_t origin, int32_t dilation, int32_t count,
                                          int32_t size)
{
    if (origin >= size) {
        return 0;
    }
    const int32_t end = (size - origin + dilation - 1) / dilation;
    return end < count ? end : count;
}

/* Rescale an accumulator, add the output zero point and clamp to the activation range. */
static inline int8_t relo_window_requantize_s8(int32_t acc, int32_t multiplier, int32_t shift,
                                               int32_t output_offset, int32_t act_min,
                                               int32_t act_max)
{
    const int32_t value = relo_nn_requantize(acc, multiplier, shift) + output_offset;
    return (int8_t)relo_nn_clamp_s32(value, act_min, act_max);
}

/* 1 when the activation range is a non-empty int8 range. */
static inline int32_t relo_window_activation_is_valid(int32_t act_min, int32_t act_max)
{
    return act_min <= act_max && act_min >= -128 && act_max <= 127;
}

#endif /* RELO_WINDOW_H */
