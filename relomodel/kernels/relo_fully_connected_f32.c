/* SPDX-License-Identifier: Apache-2.0 */
/* FULLY_CONNECTED, float32: output = clamp(sum(in * w) + bias), summed in TFLite Micro's order. */
#include "relo_nn_f32.h"
#include "relo_nn_float.h"

static float relo_fc_dot_f32(const float *row, const float *weights, int32_t depth)
{
    float total = 0.0f;
    for (int32_t d = 0; d < depth; ++d) {
        total += row[d] * weights[d];
    }
    return total;
}

int32_t relo_fully_connected_f32(const relo_fc_f32_params_t *params, const float *input,
                                 const float *weights, const float *bias, float *output)
{
    if (params == 0 || input == 0 || weights == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->batches <= 0 || params->input_depth <= 0 || params->output_depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (!(params->activation.min <= params->activation.max)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    const int32_t depth = params->input_depth;
    for (int32_t b = 0; b < params->batches; ++b) {
        const float *row = input + b * depth;
        float *out_row = output + b * params->output_depth;
        for (int32_t c = 0; c < params->output_depth; ++c) {
            const float total = relo_fc_dot_f32(row, weights + c * depth, depth);
            const float bias_value = bias != 0 ? bias[c] : 0.0f;
            out_row[c] = relo_f32_clamp(total + bias_value, params->activation.min,
                                        params->activation.max);
        }
    }
    return RELO_NN_OK;
}
