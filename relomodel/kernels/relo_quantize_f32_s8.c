/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QUANTIZE float32 -> int8: q = clamp(round(x / scale) + zero_point). As in TFLite Micro's
 * reference kernel the quotient is a single-precision division and round() goes half away
 * from zero; rounding is done on the truncated integer and its exact remainder, because
 * adding 0.5f first would itself round (0.49999997f + 0.5f == 1.0f).
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

/* Beyond this magnitude every result saturates anyway; keeps the int conversion defined. */
#define RELO_QUANTIZE_LIMIT 1048576.0f

/* round(magnitude / scale), ties away from zero, for magnitude >= 0 and scale > 0. */
static int32_t relo_quantize_round_magnitude(float magnitude, float scale)
{
    const float quotient = magnitude / scale;
    if (!(quotient < RELO_QUANTIZE_LIMIT)) { /* also catches NaN */
        return (int32_t)RELO_QUANTIZE_LIMIT;
    }
    const int32_t whole = (int32_t)quotient;        /* truncation: exact */
    const float fraction = quotient - (float)whole; /* exact below 2^23 */
    return fraction >= 0.5f ? whole + 1 : whole;
}

int32_t relo_quantize_f32_s8(const relo_quantize_params_t *params, const float *input,
                             int8_t *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (!(params->scale > 0.0f)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        const float value = input[i];
        const int32_t magnitude = relo_quantize_round_magnitude(value < 0.0f ? -value : value,
                                                                params->scale);
        const int32_t rounded = value < 0.0f ? -magnitude : magnitude;
        output[i] = (int8_t)relo_nn_clamp_s32(rounded + params->zero_point, -128, 127);
    }
    return RELO_NN_OK;
}
