/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVERAGE_POOL_2D and MAX_POOL_2D, float32, over each window's in-bounds taps (padding is
 * not counted). As TFLite Micro: the average is the float sum (row, then column) divided by
 * the tap count; the maximum starts at -FLT_MAX and ignores NaN taps.
 */
#include "relo_nn_f32.h"
#include "relo_nn_float.h"
#include "relo_window.h"

#define RELO_POOL_F32_AVERAGE 0
#define RELO_POOL_F32_MAX 1

/* The pooled value of channel `c` over taps [y_begin, y_end) x [x_begin, x_end). */
static float relo_pool_f32_window(const relo_pool_f32_params_t *params, const float *image,
                                  int32_t y_begin, int32_t y_end, int32_t x_begin, int32_t x_end,
                                  int32_t c, int32_t mode)
{
    const int32_t width = params->window.input_width;
    float total = 0.0f;
    float largest = -RELO_F32_MAX;
    for (int32_t y = y_begin; y < y_end; ++y) {
        for (int32_t x = x_begin; x < x_end; ++x) {
            const float value = image[(y * width + x) * params->depth + c];
            total += value;
            if (largest < value) {
                largest = value;
            }
        }
    }
    if (mode == RELO_POOL_F32_MAX) {
        return largest;
    }
    return total / (float)((y_end - y_begin) * (x_end - x_begin));
}

static int32_t relo_pool_f32(const relo_pool_f32_params_t *params, const float *input,
                             float *output, int32_t mode)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    const relo_window_t *w = &params->window;
    if (!relo_window_is_valid(w) || w->dilation_height != 1 || w->dilation_width != 1 ||
        params->depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (!(params->activation.min <= params->activation.max)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t b = 0; b < w->batches; ++b) {
        const float *image = input + b * w->input_height * w->input_width * params->depth;
        for (int32_t oy = 0; oy < w->output_height; ++oy) {
            const int32_t in_y = oy * w->stride_height - w->pad_top;
            for (int32_t ox = 0; ox < w->output_width; ++ox) {
                const int32_t in_x = ox * w->stride_width - w->pad_left;
                const relo_window_taps_t t = relo_window_taps(w, in_y, in_x); /* dilation 1 */
                if (t.y_end <= t.y_begin || t.x_end <= t.x_begin) {
                    return RELO_NN_ERR_BAD_SIZE; /* a window entirely in the padding */
                }
                for (int32_t c = 0; c < params->depth; ++c) {
                    const float value = relo_pool_f32_window(params, image, in_y + t.y_begin, in_y + t.y_end,
                                                             in_x + t.x_begin, in_x + t.x_end, c, mode);
                    *output++ = relo_f32_clamp(value, params->activation.min, params->activation.max);
                }
            }
        }
    }
    return RELO_NN_OK;
}

int32_t relo_average_pool_f32(const relo_pool_f32_params_t *params, const float *input,
                              float *output)
{
    return relo_pool_f32(params, input, output, RELO_POOL_F32_AVERAGE);
}

int32_t relo_max_pool_f32(const relo_pool_f32_params_t *params, const float *input, float *output)
{
    return relo_pool_f32(params, input, output, RELO_POOL_F32_MAX);
}
