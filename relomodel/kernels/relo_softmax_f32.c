/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SOFTMAX, float32, over the innermost dimension, as TFLite Micro: subtract the row maximum,
 * e^((x - max) * beta) with our relo_f32_exp, divide by the row sum.
 */
#include "relo_nn_f32.h"
#include "relo_nn_float.h"

static void relo_softmax_f32_row(const float *input, float *output, int32_t depth, float beta)
{
    float largest = -RELO_F32_MAX;
    for (int32_t i = 0; i < depth; ++i) {
        if (largest < input[i]) {
            largest = input[i];
        }
    }
    float sum = 0.0f;
    for (int32_t i = 0; i < depth; ++i) {
        const float e = relo_f32_exp((input[i] - largest) * beta);
        output[i] = e;
        sum += e;
    }
    for (int32_t i = 0; i < depth; ++i) {
        output[i] = output[i] / sum;
    }
}

int32_t relo_softmax_f32(const relo_softmax_f32_params_t *params, const float *input,
                         float *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->rows <= 0 || params->depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (!(params->beta > 0.0f)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t row = 0; row < params->rows; ++row) {
        relo_softmax_f32_row(input + row * params->depth, output + row * params->depth,
                             params->depth, params->beta);
    }
    return RELO_NN_OK;
}
