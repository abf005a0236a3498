/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEQUANTIZE int8 -> float32: x = scale * (q - zero_point). TFLite Micro multiplies in double
 * and rounds to float; (q - zero_point) has at most 9 significant bits, so the double product
 * is exact and one single-precision multiply gives the same correctly rounded float.
 */
#include "relo_nn_functions.h"

int32_t relo_dequantize_s8_f32(const relo_dequantize_params_t *params, const int8_t *input,
                               float *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        output[i] = (float)((int32_t)input[i] - params->zero_point) * params->scale;
    }
    return RELO_NN_OK;
}
