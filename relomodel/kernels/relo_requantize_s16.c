/* SPDX-License-Identifier: Apache-2.0 */
/* QUANTIZE from int16: out = clamp(requantize(in - in_zp) + out_zp) to the output type
 * (TFLite Micro's reference Requantize). The output is 1, 2 or 4 bytes per element. */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

static void relo_requantize_s16_store(void *output, int32_t index, int32_t bytes, int32_t value)
{
    if (bytes == 1) {
        ((int8_t *)output)[index] = (int8_t)value;
    } else if (bytes == 2) {
        ((int16_t *)output)[index] = (int16_t)value;
    } else {
        ((int32_t *)output)[index] = value;
    }
}

int32_t relo_requantize_s16(const relo_requantize_wide_params_t *params, const int16_t *input,
                            void *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if ((params->output_bytes != 1 && params->output_bytes != 2 && params->output_bytes != 4) ||
        params->output_min > params->output_max || params->shift > 14) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t scaled = relo_nn_requantize((int32_t)input[i] + params->input_offset,
                                                  params->multiplier, params->shift);
        /* int64: an int32 output plus its zero point must not overflow before the clamp */
        const int64_t shifted = (int64_t)scaled + params->output_offset;
        const int64_t clamped = shifted < params->output_min   ? params->output_min
                                : shifted > params->output_max ? params->output_max
                                                               : shifted;
        relo_requantize_s16_store(output, i, params->output_bytes, (int32_t)clamped);
    }
    return RELO_NN_OK;
}
