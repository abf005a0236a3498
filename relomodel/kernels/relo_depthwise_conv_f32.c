/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D, float32, any depth multiplier: output channel ic * multiplier + m sums
 * input channel ic over the window (TFLite Micro's order: filter row, then column), then
 * adds the bias and applies the fused activation.
 */
#include "relo_nn_f32.h"
#include "relo_nn_float.h"
#include "relo_window.h"

static int32_t relo_depthwise_conv_f32_validate(const relo_depthwise_conv_f32_params_t *params,
                                                const float *input, const float *filter,
                                                const float *output)
{
    if (params == 0 || input == 0 || filter == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (!relo_window_is_valid(&params->window) || params->input_depth <= 0 ||
        params->depth_multiplier <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (!(params->activation.min <= params->activation.max)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

/* Window sum for one output channel `oc` reading input channel `ic`. */
static float relo_depthwise_conv_f32_sum(const relo_depthwise_conv_f32_params_t *params,
                                         const float *image, const float *filter, int32_t in_y,
                                         int32_t in_x, int32_t ic, int32_t oc)
{
    const relo_window_t *w = &params->window;
    const int32_t out_depth = params->input_depth * params->depth_multiplier;
    const relo_window_taps_t t = relo_window_taps(w, in_y, in_x);
    float total = 0.0f;
    for (int32_t fy = t.y_begin; fy < t.y_end; ++fy) {
        const int32_t y = in_y + fy * w->dilation_height;
        for (int32_t fx = t.x_begin; fx < t.x_end; ++fx) {
            const int32_t x = in_x + fx * w->dilation_width;
            total += image[(y * w->input_width + x) * params->input_depth + ic] *
                     filter[(fy * w->filter_width + fx) * out_depth + oc];
        }
    }
    return total;
}

int32_t relo_depthwise_conv_f32(const relo_depthwise_conv_f32_params_t *params,
                                const float *input, const float *filter, const float *bias,
                                float *output)
{
    const int32_t status = relo_depthwise_conv_f32_validate(params, input, filter, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_window_t *w = &params->window;
    const int32_t image_size = w->input_height * w->input_width * params->input_depth;
    for (int32_t b = 0; b < w->batches; ++b) {
        const float *image = input + b * image_size;
        for (int32_t oy = 0; oy < w->output_height; ++oy) {
            const int32_t in_y = oy * w->stride_height - w->pad_top;
            for (int32_t ox = 0; ox < w->output_width; ++ox) {
                const int32_t in_x = ox * w->stride_width - w->pad_left;
                for (int32_t ic = 0; ic < params->input_depth; ++ic) {
                    for (int32_t m = 0; m < params->depth_multiplier; ++m) {
                        const int32_t oc = ic * params->depth_multiplier + m;
                        const float total =
                            relo_depthwise_conv_f32_sum(params, image, filter, in_y, in_x, ic, oc);
                        const float bias_value = bias != 0 ? bias[oc] : 0.0f;
                        *output++ = relo_f32_clamp(total + bias_value, params->activation.min,
                                                   params->activation.max);
                    }
                }
            }
        }
    }
    return RELO_NN_OK;
}
