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

/* Output row `row` of window `w` (one batch) as a window of its own over the same image,
 * written to `rows`: the convolution kernels then compute just that row (compiler
 * stream_conv_fc.py streams a convolution into a FULLY_CONNECTED this way). Returns how many
 * input rows the image pointer must skip; padding above the image stays padding. */
static inline int32_t relo_window_select_row(const relo_window_t *w, int32_t row,
                                             relo_window_t *rows)
{
    const int32_t first_input_row = row * w->stride_height - w->pad_top;
    const int32_t skipped = first_input_row > 0 ? first_input_row : 0;
    *rows = *w;
    rows->batches = 1;
    rows->output_height = 1;
    rows->input_height = w->input_height - skipped;
    rows->pad_top = skipped - first_input_row;
    return skipped;
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

/* The in-bounds taps [begin, end) of the window whose origin is input (in_y, in_x). */
typedef struct {
    int32_t y_begin;
    int32_t y_end;
    int32_t x_begin;
    int32_t x_end;
} relo_window_taps_t;

static inline relo_window_taps_t relo_window_taps(const relo_window_t *w, int32_t in_y,
                                                  int32_t in_x)
{
    relo_window_taps_t t;
    t.y_begin = relo_window_first_tap(in_y, w->dilation_height, w->filter_height);
    t.y_end = relo_window_end_tap(in_y, w->dilation_height, w->filter_height, w->input_height);
    t.x_begin = relo_window_first_tap(in_x, w->dilation_width, w->filter_width);
    t.x_end = relo_window_end_tap(in_x, w->dilation_width, w->filter_width, w->input_width);
    return t;
}

/* Sum of (input + input_offset) over the window at input origin (in_y, in_x) and channels
 * [first_channel, first_channel + channels) of an NHWC image with `depth` channels. For
 * asymmetric filters: a window sum with (filter + filter_offset) is the symmetric sum plus
 * filter_offset times this, so the symmetric inner loops stay as they are. */
/* noinline: inlined into the symmetric kernels' loops it costs them ~3.5% (register pressure),
 * though it never runs there; unused: the pool kernels include this header too */
__attribute__((noinline, unused)) static int32_t
relo_window_input_sum(const relo_window_t *w, const int8_t *image, int32_t depth,
                      int32_t first_channel, int32_t channels, int32_t input_offset, int32_t in_y,
                      int32_t in_x)
{
    const relo_window_taps_t t = relo_window_taps(w, in_y, in_x);
    int32_t sum = 0;
    for (int32_t fy = t.y_begin; fy < t.y_end; ++fy) {
        for (int32_t fx = t.x_begin; fx < t.x_end; ++fx) {
            const int32_t y = in_y + fy * w->dilation_height;
            const int32_t x = in_x + fx * w->dilation_width;
            const int8_t *pixel = image + (y * w->input_width + x) * depth + first_channel;
            for (int32_t c = 0; c < channels; ++c) {
                sum += (int32_t)pixel[c] + input_offset;
            }
        }
    }
    return sum;
}

#endif /* RELO_WINDOW_H */
