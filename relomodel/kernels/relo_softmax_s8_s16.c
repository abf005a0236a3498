/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SOFTMAX, int8 -> int16 (output scale 1/65536, zero point -32768): the fixed-point algorithm
 * of relo_softmax_s8.c with a 16-bit output stage, as TFLite Micro's reference Softmax
 * instantiated for an int16 output.
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

#define RELO_SOFTMAX_S16_ACCUM_INTEGER_BITS 12
#define RELO_SOFTMAX_S16_OUTPUT_BITS 16

static int32_t relo_softmax_s16_row_max(const int8_t *row, int32_t depth)
{
    int32_t max_value = row[0];
    for (int32_t c = 1; c < depth; ++c) {
        max_value = relo_nn_max_s32(max_value, row[c]);
    }
    return max_value;
}

/* exp((x - max) * beta * scale) in q0.31 for a difference already known to be >= diff_min. */
static int32_t relo_softmax_s16_exp(const relo_softmax_params_t *params, int32_t input_diff)
{
    const int32_t shifted = (int32_t)((int64_t)input_diff * (1LL << params->input_left_shift));
    return relo_nn_exp_on_negative_values_q5_26(
        relo_nn_doubling_high_mul(shifted, params->input_multiplier));
}

static void relo_softmax_s16_row(const relo_softmax_params_t *params, const int8_t *row,
                                 int16_t *out)
{
    const int32_t depth = params->depth;
    const int32_t max_value = relo_softmax_s16_row_max(row, depth);

    int32_t sum_of_exps_q12_19 = 0;
    for (int32_t c = 0; c < depth; ++c) {
        const int32_t diff = (int32_t)row[c] - max_value;
        if (diff >= params->diff_min) {
            sum_of_exps_q12_19 += relo_nn_rounding_divide_by_pot(
                relo_softmax_s16_exp(params, diff), RELO_SOFTMAX_S16_ACCUM_INTEGER_BITS);
        }
    }

    /* The max element contributes exp(0) == 1, so the sum is at least 1.0 and never zero. */
    const int32_t headroom_plus_one = relo_nn_count_leading_zeros((uint32_t)sum_of_exps_q12_19);
    const int32_t bits_over_unit = RELO_SOFTMAX_S16_ACCUM_INTEGER_BITS - headroom_plus_one;
    const int32_t shifted_sum_minus_one =
        (int32_t)(((uint32_t)sum_of_exps_q12_19 << headroom_plus_one) - (1U << 31));
    const int32_t reciprocal_q31 = relo_nn_one_over_one_plus_x_q31(shifted_sum_minus_one);
    const int32_t output_shift = bits_over_unit + 31 - RELO_SOFTMAX_S16_OUTPUT_BITS;

    for (int32_t c = 0; c < depth; ++c) {
        const int32_t diff = (int32_t)row[c] - max_value;
        int32_t value = -32768;
        if (diff >= params->diff_min) {
            const int32_t probability_q31 =
                relo_nn_doubling_high_mul(reciprocal_q31, relo_softmax_s16_exp(params, diff));
            value = relo_nn_rounding_divide_by_pot(probability_q31, output_shift) - 32768;
        }
        out[c] = (int16_t)relo_nn_clamp_s32(value, -32768, 32767);
    }
}

int32_t relo_softmax_s8_s16(const relo_softmax_params_t *params, const int8_t *input,
                            int16_t *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->rows <= 0 || params->depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->input_left_shift < 0 || params->input_left_shift > 31 || params->diff_min > 0) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t r = 0; r < params->rows; ++r) {
        relo_softmax_s16_row(params, input + r * params->depth, output + r * params->depth);
    }
    return RELO_NN_OK;
}
