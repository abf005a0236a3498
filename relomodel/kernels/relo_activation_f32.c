/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One-input activations, float32, written as TFLite Micro's float reference kernels:
 * LOGISTIC and TANH through relo_nn_float.h, HARD_SWISH as x * min(6, max(0, x + 3)) / 6.
 */
#include "relo_nn_f32.h"
#include "relo_nn_float.h"

static float relo_activation_f32_one(const relo_activation_f32_params_t *p, float x)
{
    switch (p->function) {
    case RELO_F32_LOGISTIC:
        return relo_f32_sigmoid(x);
    case RELO_F32_TANH:
        return relo_f32_tanh(x);
    case RELO_F32_RELU:
        return x < 0.0f ? 0.0f : x;
    case RELO_F32_RELU6:
        return relo_f32_clamp(x, 0.0f, 6.0f);
    case RELO_F32_RELU_N1_TO_1:
        return relo_f32_clamp(x, -1.0f, 1.0f);
    case RELO_F32_LEAKY_RELU:
        return x > 0.0f ? x : x * p->alpha;
    default: /* RELO_F32_HARD_SWISH, checked by the caller */
        return x * relo_f32_clamp(x + 3.0f, 0.0f, 6.0f) / 6.0f;
    }
}

int32_t relo_activation_f32(const relo_activation_f32_params_t *params, const float *input,
                            float *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->function < RELO_F32_LOGISTIC || params->function > RELO_F32_RELU_N1_TO_1) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        output[i] = relo_activation_f32_one(params, input[i]);
    }
    return RELO_NN_OK;
}
