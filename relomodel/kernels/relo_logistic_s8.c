/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LOGISTIC, int8 -> int8 (output scale 1/256, zero point -128). Bit-exact with TFLite
 * Micro's reference, which evaluates gemmlowp's fixed-point logistic on the input rescaled
 * to q4.27: 1 / (1 + exp(-|x|)) from a barrel-shifted exp and a Newton-Raphson reciprocal,
 * mirrored for negative x. No lookup table and no floating point.
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

#define RELO_LOGISTIC_INPUT_INTEGER_BITS 4
#define RELO_LOGISTIC_INPUT_FRACTION_BITS (31 - RELO_LOGISTIC_INPUT_INTEGER_BITS)
#define RELO_LOGISTIC_OUTPUT_SHIFT 23 /* q0.31 -> units of 1/256 */

/* exp(a) for a <= 0 in q4.27, result in q0.31 (gemmlowp's exp_on_negative_values with four
 * integer bits: the same steps as the q5.26 version, with exponents -2..3 only). */
static int32_t relo_logistic_exp_q4_27(int32_t a)
{
    const int32_t one_quarter = 1 << (RELO_LOGISTIC_INPUT_FRACTION_BITS - 2);
    const int32_t a_mod_quarter_minus_one_quarter = (a & (one_quarter - 1)) - one_quarter;
    int32_t result = relo_nn_exp_on_interval_q31(relo_nn_saturating_rounding_mul_by_pot(
        a_mod_quarter_minus_one_quarter, RELO_LOGISTIC_INPUT_INTEGER_BITS));
    const int32_t remainder = a_mod_quarter_minus_one_quarter - a;
    /* exp(-1/4), exp(-1/2), exp(-1), exp(-2), exp(-4), exp(-8) in q0.31 */
    static const int32_t exp_of_minus_pot[6] = {
        1672461947, 1302514674, 790015084, 290630308, 39332535, 720401,
    };
    for (int32_t bit = 0; bit < 6; ++bit) {
        if (remainder & (1 << (RELO_LOGISTIC_INPUT_FRACTION_BITS - 2 + bit))) {
            result = relo_nn_doubling_high_mul(result, exp_of_minus_pot[bit]);
        }
    }
    return a == 0 ? RELO_NN_INT32_MAX : result;
}

/* logistic(x) in q0.31 for x in q4.27. */
static int32_t relo_logistic_q31(int32_t x)
{
    if (x == 0) {
        return 1 << 30; /* one half */
    }
    const int32_t magnitude = x > 0 ? x : -x;
    const int32_t of_positive = relo_nn_one_over_one_plus_x_q31(relo_logistic_exp_q4_27(-magnitude));
    return x > 0 ? of_positive : RELO_NN_INT32_MAX - of_positive;
}

int32_t relo_logistic_s8(const relo_sigmoid_params_t *params, const int8_t *input, int8_t *output)
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
                relo_nn_rounding_divide_by_pot(relo_logistic_q31(x_q4_27), RELO_LOGISTIC_OUTPUT_SHIFT) - 128;
            output[i] = (int8_t)relo_nn_clamp_s32(value, -128, 127);
        }
    }
    return RELO_NN_OK;
}
