/* SPDX-License-Identifier: Apache-2.0 */
/* QUANTIZE uint8 -> int8: rescale by input scale / output scale with TFLite Micro's rounding
 * (its Requantize; the zero-point-only "xor 0x80" fast path gives the same bytes). */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

int32_t relo_requantize_u8_s8(const relo_requantize_params_t *params, const uint8_t *input,
                              int8_t *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->shift > 22 || params->shift < -31) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t centred = (int32_t)input[i] + params->input_offset;
        const int32_t value = relo_nn_requantize(centred, params->multiplier, params->shift) +
                              params->output_offset;
        output[i] = (int8_t)relo_nn_clamp_s32(value, -128, 127);
    }
    return RELO_NN_OK;
}
