/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONV_2D, int8 activations and filter, int32 bias (may be NULL), per-channel requantization.
 * Bit-exact with TFLite Micro's reference ConvPerChannel, groups included; with a filter
 * offset (asymmetric uint8-born filters), with LiteRT's reference uint8 Conv.
 */
#include "relo_nn_functions.h"
#include "relo_window.h"

static int32_t relo_conv_validate(const relo_conv_params_t *params, const int8_t *input,
                                  const int8_t *filter, const int32_t *multipliers,
                                  const int32_t *shifts, const int8_t *output)
{
    if (params == 0 || input == 0 || filter == 0 || multipliers == 0 || shifts == 0 ||
        output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (!relo_window_is_valid(&params->window) || params->input_depth <= 0 ||
        params->filter_input_depth <= 0 || params->output_depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    /* groups = input_depth / filter_input_depth must divide the output channels evenly */
    if (params->input_depth % params->filter_input_depth != 0 ||
        params->output_depth % (params->input_depth / params->filter_input_depth) != 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (!relo_window_activation_is_valid(params->activation_min, params->activation_max)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

/* Sum over the window of filter * (input + input_offset) for one output position and channel. */
static int32_t relo_conv_window_sum(const relo_conv_params_t *params, const int8_t *image,
                                    const int8_t *channel_filter, int32_t in_y, int32_t in_x,
                                    int32_t first_input_channel)
{
    const relo_window_t *w = &params->window;
    const int32_t filter_depth = params->filter_input_depth;
    const relo_window_taps_t t = relo_window_taps(w, in_y, in_x);
    int32_t acc = 0;
    for (int32_t fy = t.y_begin; fy < t.y_end; ++fy) {
        const int32_t y = in_y + fy * w->dilation_height;
        for (int32_t fx = t.x_begin; fx < t.x_end; ++fx) {
            const int32_t x = in_x + fx * w->dilation_width;
            const int8_t *pixel =
                image + (y * w->input_width + x) * params->input_depth + first_input_channel;
            const int8_t *taps = channel_filter + (fy * w->filter_width + fx) * filter_depth;
            for (int32_t c = 0; c < filter_depth; ++c) {
                acc += (int32_t)taps[c] * ((int32_t)pixel[c] + params->input_offset);
            }
        }
    }
    return acc;
}

int32_t relo_conv_s8(const relo_conv_params_t *params, const int8_t *input, const int8_t *filter,
                     const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                     int8_t *output)
{
    const int32_t status = relo_conv_validate(params, input, filter, multipliers, shifts, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_window_t *w = &params->window;
    const int32_t groups = params->input_depth / params->filter_input_depth;
    const int32_t channels_per_group = params->output_depth / groups;
    const int32_t filter_size = w->filter_height * w->filter_width * params->filter_input_depth;
    const int32_t image_size = w->input_height * w->input_width * params->input_depth;
    for (int32_t b = 0; b < w->batches; ++b) {
        const int8_t *image = input + b * image_size;
        for (int32_t oy = 0; oy < w->output_height; ++oy) {
            const int32_t in_y = oy * w->stride_height - w->pad_top;
            for (int32_t ox = 0; ox < w->output_width; ++ox) {
                const int32_t in_x = ox * w->stride_width - w->pad_left;
                for (int32_t oc = 0; oc < params->output_depth; ++oc) {
                    const int32_t first_input_channel =
                        (oc / channels_per_group) * params->filter_input_depth;
                    int32_t acc = relo_conv_window_sum(params, image, filter + oc * filter_size,
                                                       in_y, in_x, first_input_channel);
                    if (params->filter_offset != 0) {
                        acc += params->filter_offset *
                               relo_window_input_sum(w, image, params->input_depth,
                                                     first_input_channel,
                                                     params->filter_input_depth,
                                                     params->input_offset, in_y, in_x);
                    }
                    if (bias != 0) {
                        acc += bias[oc];
                    }
                    *output++ = relo_window_requantize_s8(acc, multipliers[oc], shifts[oc],
                                                          params->output_offset,
                                                          params->activation_min,
                                                          params->activation_max);
                }
            }
        }
    }
    return RELO_NN_OK;
}
