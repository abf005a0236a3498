/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RELU-style clamps, int8. Bit-exact with TFLite Micro's ReluQuantized: the centred input is
 * rescaled to the output (rounding twice), offset, then clamped. RELU6, which TFLite Micro
 * evaluates as a plain clamp in input units, is the identity rescale with zero offsets.
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

int32_t relo_relu_s8(const relo_relu_params_t *params, const int8_t *input, int8_t *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    /* |centred| <= 255 < 2^8: left shifts up to 22 stay inside int32 */
    if (params->shift > 22 || params->shift < -31 || params->activation_min > params->activation_max) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    const int32_t low = relo_nn_max_s32(params->activation_min, -128);
    const int32_t high = relo_nn_min_s32(params->activation_max, 127);
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t centred = (int32_t)input[i] + params->input_offset;
        const int32_t value = relo_nn_requantize(centred, params->multiplier, params->shift) +
                              params->output_offset;
        output[i] = (int8_t)relo_nn_clamp_s32(value, low, high);
    }
    return RELO_NN_OK;
}
