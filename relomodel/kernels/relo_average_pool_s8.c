/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVERAGE_POOL_2D, int8: the mean of the window's in-bounds taps (padding is not counted),
 * rounded half away from zero, then clamped. Bit-exact with TFLite Micro's reference kernel.
 */
#include "relo_nn_functions.h"
#include "relo_window.h"

static int32_t relo_average_pool_validate(const relo_pool_params_t *params, const int8_t *input,
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

/* Division rounded half away from zero; count > 0. */
static int32_t relo_average_pool_round_divide(int32_t sum, int32_t count)
{
    return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

/* Division rounded half up (floor of sum / count + 1/2); count > 0. LiteRT's uint8 pool rounds
 * its non-negative uint8 sums this way; on the int8 sums (shifted by -128 per tap) that is
 * half up, which differs from half away from zero on negative ties. */
static int32_t relo_average_pool_round_divide_up(int32_t sum, int32_t count)
{
    const int32_t biased = sum + count / 2;
    return biased >= 0 ? biased / count : -((-biased + count - 1) / count);
}

int32_t relo_average_pool_s8(const relo_pool_params_t *params, const int8_t *input,
                             int8_t *output)
{
    const int32_t status = relo_average_pool_validate(params, input, output);
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
                const int32_t count = (y_end - y_begin) * (x_end - x_begin);
                if (y_end <= y_begin || x_end <= x_begin) {
                    return RELO_NN_ERR_BAD_SIZE; /* a window entirely in the padding */
                }
                for (int32_t c = 0; c < depth; ++c) {
                    int32_t sum = 0;
                    for (int32_t y = in_y + y_begin; y < in_y + y_end; ++y) {
                        for (int32_t x = in_x + x_begin; x < in_x + x_end; ++x) {
                            sum += image[(y * w->input_width + x) * depth + c];
                        }
                    }
                    const int32_t mean = params->round_ties_up
                                             ? relo_average_pool_round_divide_up(sum, count)
                                             : relo_average_pool_round_divide(sum, count);
                    *output++ = (int8_t)relo_nn_clamp_s32(mean, params->activation_min,
                                                          params->activation_max);
                }
            }
        }
    }
    return RELO_NN_OK;
}
