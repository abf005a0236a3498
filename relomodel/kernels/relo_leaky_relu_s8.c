/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LEAKY_RELU, int8. Bit-exact with TFLite Micro's reference: a non-negative centred input is
 * rescaled by s_in / s_out, a negative one by alpha * s_in / s_out, then offset and clamped.
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

int32_t relo_leaky_relu_s8(const relo_leaky_relu_params_t *params, const int8_t *input,
                           int8_t *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->identity_shift > 22 || params->identity_shift < -31 || params->alpha_shift > 22 ||
        params->alpha_shift < -31) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t centred = (int32_t)input[i] - params->input_zero_point;
        const int32_t rescaled = centred >= 0
            ? relo_nn_requantize(centred, params->identity_multiplier, params->identity_shift)
            : relo_nn_requantize(centred, params->alpha_multiplier, params->alpha_shift);
        output[i] = (int8_t)relo_nn_clamp_s32(rescaled + params->output_zero_point, -128, 127);
    }
    return RELO_NN_OK;
}
