/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HARD_SWISH, int8: x * relu6(x + 3) / 6. Bit-exact with TFLite's reference, which works in
 * 16-bit fixed point: the input on a "hires" scale (x 2^7), a "reluish" factor in [0, 1]
 * obtained by rescaling x so that 3.0 is 2^15 and saturating, and a truncating product of
 * the two. Every int16 narrowing below is one the reference performs.
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

#define RELO_INT16_MIN (-32768)
#define RELO_INT16_MAX 32767

static int32_t relo_hard_swish_saturate_s16(int64_t value)
{
    return (int32_t)(value < RELO_INT16_MIN ? RELO_INT16_MIN : value > RELO_INT16_MAX ? RELO_INT16_MAX : value);
}

/* gemmlowp's int16 SaturatingRoundingDoublingHighMul: round(a * b / 2^15), ties away from zero. */
static int32_t relo_hard_swish_rounding_high_mul_s16(int32_t a, int32_t b)
{
    if (a == RELO_INT16_MIN && b == RELO_INT16_MIN) {
        return RELO_INT16_MAX;
    }
    const int32_t product = a * b;
    const int32_t nudge = product >= 0 ? (1 << 14) : (1 - (1 << 14));
    return (int16_t)((product + nudge) / (1 << 15));
}

/* The same product truncated toward zero (Arm SQDMULH). */
static int32_t relo_hard_swish_high_mul_s16(int32_t a, int32_t b)
{
    if (a == RELO_INT16_MIN && b == RELO_INT16_MIN) {
        return RELO_INT16_MAX;
    }
    return (int16_t)((a * b) / (1 << 15));
}

/* gemmlowp's RoundingDivideByPOT on int16: the mask is narrowed to int16 like the reference's. */
static int32_t relo_hard_swish_rounding_divide_s16(int32_t x, int32_t exponent)
{
    const int16_t mask = (int16_t)((1LL << exponent) - 1);
    const int16_t remainder = (int16_t)(x & mask);
    const int16_t threshold = (int16_t)((mask >> 1) + (x < 0 ? 1 : 0));
    return (int16_t)((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/* The input rescaled to [-1, 1] (3.0 -> 2^15, saturating), then mapped to [0, 1] in q0.15. */
static int32_t relo_hard_swish_reluish(const relo_hard_swish_params_t *p, int32_t hires_input)
{
    int32_t value = hires_input;
    const int32_t exponent = p->reluish_multiplier_exponent;
    if (exponent > 0) {
        /* all but one bit of the left shift first: saturation here cannot change the result */
        value = relo_hard_swish_saturate_s16((int64_t)value * (1LL << (exponent - 1)));
    }
    value = relo_hard_swish_rounding_high_mul_s16(value, p->reluish_multiplier_int16);
    if (exponent > 0) {
        value = relo_hard_swish_saturate_s16((int64_t)value * 2);
    }
    if (exponent < 0) {
        value = relo_hard_swish_rounding_divide_s16(value, -exponent);
    }
    return (int16_t)((value + (1 << 15)) >> 1);
}

int32_t relo_hard_swish_s8(const relo_hard_swish_params_t *params, const int8_t *input,
                           int8_t *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->output_multiplier_exponent > 0 || params->output_multiplier_exponent < -31 ||
        params->reluish_multiplier_exponent > 31 || params->reluish_multiplier_exponent < -31) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t i = 0; i < params->size; ++i) {
        const int32_t centred = (int16_t)((int32_t)input[i] - params->input_zero_point);
        const int32_t hires_input = (int16_t)(centred * (1 << 7));
        const int32_t preshift_output =
            relo_hard_swish_rounding_high_mul_s16(hires_input, params->output_multiplier_int16);
        const int32_t reluish = relo_hard_swish_reluish(params, hires_input);
        const int32_t product = relo_hard_swish_high_mul_s16(reluish, preshift_output);
        int32_t value = relo_hard_swish_rounding_divide_s16(product, -params->output_multiplier_exponent);
        value = (int16_t)(value + params->output_zero_point);
        output[i] = (int8_t)relo_nn_clamp_s32(value, -128, 127);
    }
    return RELO_NN_OK;
}
