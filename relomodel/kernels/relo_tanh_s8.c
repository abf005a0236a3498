/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TANH, int8 -> int8 (output scale 1/128, zero point 0). Bit-exact with TFLite Micro's
 * reference, which evaluates gemmlowp's fixed-point tanh on the input rescaled to q4.27:
 * tanh(|x|) = (1 - exp(-2|x|)) / (1 + exp(-2|x|)), where doubling x is free (the same raw
 * bits read as q5.26), and the division is Newton-Raphson. No table, no floating point.
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

#define RELO_TANH_OUTPUT_SHIFT 24 /* q0.31 -> units of 1/128 */

/* (1 - x) / (1 + x) for x in [0, 1], q0.31 in and out (gemmlowp's Newton-Raphson on the half
 * denominator with a q2.29 estimate, as in relo_nn_one_over_one_plus_x_q31). */
static int32_t relo_tanh_one_minus_x_over_one_plus_x_q31(int32_t x)
{
    const int32_t half_denominator = relo_nn_rounding_half_sum(x, RELO_NN_INT32_MAX);
    const int32_t forty_eight_over_17 = 1515870810;       /* q2.29 */
    const int32_t minus_thirty_two_over_17 = -1010580540; /* q2.29 */
    const int32_t one_q2_29 = 1 << 29;
    int32_t estimate = forty_eight_over_17 +
                       relo_nn_doubling_high_mul(half_denominator, minus_thirty_two_over_17);
    for (int32_t step = 0; step < 3; ++step) {
        const int32_t one_minus = one_q2_29 - relo_nn_doubling_high_mul(half_denominator, estimate);
        estimate += relo_nn_saturating_rounding_mul_by_pot(
            relo_nn_doubling_high_mul(estimate, one_minus), 2);
    }
    /* estimate ~ 2 / (1 + x) in q2.29; minus one is (1 - x) / (1 + x), then q2.29 -> q0.31 */
    return relo_nn_saturating_rounding_mul_by_pot(estimate - one_q2_29, 2);
}

/* tanh(x) in q0.31 for x in q4.27. */
static int32_t relo_tanh_q31(int32_t x)
{
    if (x == 0) {
        return 0;
    }
    const int32_t minus_magnitude = x < 0 ? x : -x;
    /* the raw bits of -|x| in q4.27 are -2|x| in q5.26 */
    const int32_t of_magnitude = relo_tanh_one_minus_x_over_one_plus_x_q31(
        relo_nn_exp_on_negative_values_q5_26(minus_magnitude));
    return x < 0 ? -of_magnitude : of_magnitude;
}

int32_t relo_tanh_s8(const relo_sigmoid_params_t *params, const int8_t *input, int8_t *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->input_left_shift > 31 || params->input_left_shift < -31 ||
        params->input_range_radius < 0) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t centred = (int32_t)input[i] - params->input_zero_point;
        if (centred <= -params->input_range_radius) {
            output[i] = -128;
        } else if (centred >= params->input_range_radius) {
            output[i] = 127;
        } else {
            const int32_t x_q4_27 =
                relo_nn_requantize(centred, params->input_multiplier, params->input_left_shift);
            const int32_t value =
                relo_nn_rounding_divide_by_pot(relo_tanh_q31(x_q4_27), RELO_TANH_OUTPUT_SHIFT);
            output[i] = (int8_t)relo_nn_clamp_s32(value, -128, 127);
        }
    }
    return RELO_NN_OK;
}
