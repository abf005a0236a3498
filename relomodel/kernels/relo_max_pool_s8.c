/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MAX_POOL_2D, int8: the largest in-bounds tap of each window, clamped to the activation
 * range. Bit-exact with TFLite Micro's reference kernel.
 */
#include "relo_nn_functions.h"
#include "relo_window.h"

static int32_t relo_max_pool_validate(const relo_pool_params_t *params, const int8_t *input,
                                      const int8_t *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (!relo_window_is_valid(&params->window) || params->depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (!relo_window_activation_is_valid(params->activation_min, params->activation_max)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

int32_t relo_max_pool_s8(const relo_pool_params_t *params, const int8_t *input, int8_t *output)
{
    const int32_t status = relo_max_pool_validate(params, input, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_window_t *w = &params->window;
    const int32_t depth = params->depth;
    for (int32_t b = 0; b < w->batches; ++b) {
        const int8_t *image = input + b * w->input_height * w->input_width * depth;
        for (int32_t oy = 0; oy < w->output_height; ++oy) {
            const int32_t in_y = oy * w->stride_height - w->pad_top;
            const int32_t y_begin = relo_window_first_tap(in_y, 1, w->filter_height);
            const int32_t y_end = relo_window_end_tap(in_y, 1, w->filter_height, w->input_height);
            for (int32_t ox = 0; ox < w->output_width; ++ox) {
                const int32_t in_x = ox * w->stride_width - w->pad_left;
                const int32_t x_begin = relo_window_first_tap(in_x, 1, w->filter_width);
                const int32_t x_end = relo_window_end_tap(in_x, 1, w->filter_width, w->input_width);
                for (int32_t c = 0; c < depth; ++c) {
                    int32_t largest = -128; /* an empty window gives int8's lowest value */
                    for (int32_t y = in_y + y_begin; y < in_y + y_end; ++y) {
                        for (int32_t x = in_x + x_begin; x < in_x + x_end; ++x) {
                            largest = relo_nn_max_s32(largest,
                                                      image[(y * w->input_width + x) * depth + c]);
                        }
                    }
                    *output++ = (int8_t)relo_nn_clamp_s32(largest, params->activation_min,
                                                          params->activation_max);
                }
            }
        }
    }
    return RELO_NN_OK;
}
