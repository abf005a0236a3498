/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MEAN, int8: sum over the reduced dimensions, remove the input zero point, rescale by
 * (input scale / output scale) / count in one requantization, add the output zero point.
 * Bit-exact with TFLite Micro's integer QuantizedMeanOrSum. Needs no scratch: each output
 * walks its own reduced block.
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

static int32_t relo_mean_validate(const relo_mean_params_t *params, const int8_t *input,
                                  const int8_t *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    int32_t count = 1;
    for (int32_t d = 0; d < RELO_MEAN_RANK; ++d) {
        if (params->input_shape[d] <= 0) {
            return RELO_NN_ERR_BAD_SIZE;
        }
        if (params->reduce[d] != 0) {
            count *= params->input_shape[d];
        }
    }
    if (count != params->count) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->shift > 31 || params->shift < -31 || params->multiplier < 0) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

/* Sum of the reduced block whose first element is at `base`. */
static int32_t relo_mean_block_sum(const int8_t *base, const int32_t extent[RELO_MEAN_RANK],
                                   const int32_t stride[RELO_MEAN_RANK])
{
    int32_t sum = 0;
    for (int32_t r0 = 0; r0 < extent[0]; ++r0) {
        for (int32_t r1 = 0; r1 < extent[1]; ++r1) {
            for (int32_t r2 = 0; r2 < extent[2]; ++r2) {
                const int8_t *row = base + r0 * stride[0] + r1 * stride[1] + r2 * stride[2];
                for (int32_t r3 = 0; r3 < extent[3]; ++r3) {
                    sum += row[r3 * stride[3]];
                }
            }
        }
    }
    return sum;
}

int32_t relo_mean_s8(const relo_mean_params_t *params, const int8_t *input, int8_t *output)
{
    const int32_t status = relo_mean_validate(params, input, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    const int32_t *shape = params->input_shape;
    int32_t stride[RELO_MEAN_RANK];
    int32_t kept[RELO_MEAN_RANK];    /* output extent per dimension */
    int32_t reduced[RELO_MEAN_RANK]; /* block extent per dimension */
    int32_t step = 1;
    for (int32_t d = RELO_MEAN_RANK - 1; d >= 0; --d) {
        stride[d] = step;
        step *= shape[d];
        kept[d] = params->reduce[d] ? 1 : shape[d];
        reduced[d] = params->reduce[d] ? shape[d] : 1;
    }
    for (int32_t o0 = 0; o0 < kept[0]; ++o0) {
        for (int32_t o1 = 0; o1 < kept[1]; ++o1) {
            for (int32_t o2 = 0; o2 < kept[2]; ++o2) {
                for (int32_t o3 = 0; o3 < kept[3]; ++o3) {
                    const int8_t *base =
                        input + o0 * stride[0] + o1 * stride[1] + o2 * stride[2] + o3 * stride[3];
                    const int32_t centred = relo_mean_block_sum(base, reduced, stride) +
                                            params->input_offset * params->count;
                    const int32_t value =
                        relo_nn_requantize(centred, params->multiplier, params->shift) +
                        params->output_offset;
                    *output++ = (int8_t)relo_nn_clamp_s32(value, -128, 127);
                }
            }
        }
    }
    return RELO_NN_OK;
}
