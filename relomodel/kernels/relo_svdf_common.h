/* SPDX-License-Identifier: Apache-2.0 */
/* Steps shared by the SVDF kernels (int8 and int16 state); private to relo_svdf_*.c. */
#ifndef RELO_SVDF_COMMON_H
#define RELO_SVDF_COMMON_H

#include <stdint.h>

#include "relo_nn_math.h"
#include "relo_nn_types.h"

static inline int32_t relo_svdf_validate(const relo_svdf_params_t *params)
{
    if (params->batches <= 0 || params->input_size <= 0 || params->filters <= 0 ||
        params->rank <= 0 || params->memory_size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->filters % params->rank != 0 || params->feature_shift > 30 ||
        params->output_shift > 30) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

/* weights_feature row . (input - input zero point) */
static inline int32_t relo_svdf_feature_dot(const int8_t *input, const int8_t *row,
                                            int32_t input_size, int32_t input_zero_point)
{
    int32_t acc = 0;
    for (int32_t i = 0; i < input_size; ++i) {
        acc += (int32_t)row[i] * ((int32_t)input[i] - input_zero_point);
    }
    return acc;
}

/* Accumulator -> int8 output. The reference applies no fused activation here: its int8 output
 * clamp is the whole activation (RELU models get a zero point of -128). */
static inline int8_t relo_svdf_rescale_output(const relo_svdf_params_t *params, int32_t acc)
{
    const int32_t scaled = relo_nn_requantize(acc, params->output_multiplier, params->output_shift);
    return (int8_t)relo_nn_clamp_s32(scaled + params->output_zero_point, -128, 127);
}

#endif /* RELO_SVDF_COMMON_H */
