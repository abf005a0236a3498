/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixed-point arithmetic shared by the kernels, with the exact rounding of TFLite Micro's
 * reference kernels (gemmlowp semantics). Values named qM.N are int32 fixed point with M
 * integer bits and N fractional bits (M + N = 31).
 *
 * Shifts of negative numbers are arithmetic (GCC defines it so); products that could
 * overflow int32 are formed in int64.
 */
#ifndef RELO_NN_MATH_H
#define RELO_NN_MATH_H

#include <stdint.h>

#define RELO_NN_INT32_MIN (-2147483647 - 1)
#define RELO_NN_INT32_MAX 2147483647

static inline int32_t relo_nn_min_s32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline int32_t relo_nn_max_s32(int32_t a, int32_t b) { return a > b ? a : b; }

static inline int32_t relo_nn_clamp_s32(int32_t value, int32_t low, int32_t high)
{
    return relo_nn_min_s32(relo_nn_max_s32(value, low), high);
}

/* round(a * b / 2^31), ties away from zero, saturating the one overflowing case. */
static inline int32_t relo_nn_doubling_high_mul(int32_t a, int32_t b)
{
    if (a == RELO_NN_INT32_MIN && b == RELO_NN_INT32_MIN) {
        return RELO_NN_INT32_MAX;
    }
    const int64_t product = (int64_t)a * (int64_t)b;
    const int64_t nudge = product >= 0 ? (1LL << 30) : (1 - (1LL << 30));
    /* C division truncates toward zero, as the reference requires. */
    return (int32_t)((product + nudge) / (1LL << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero. exponent in [0, 31]. */
static inline int32_t relo_nn_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    const int32_t mask = (int32_t)((1LL << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * 2^exponent, saturating for exponent > 0 and rounding for exponent < 0. */
static inline int32_t relo_nn_saturating_rounding_mul_by_pot(int32_t x, int32_t exponent)
{
    if (exponent < 0) {
        return relo_nn_rounding_divide_by_pot(x, -exponent);
    }
    if (exponent == 0) {
        return x;
    }
    const int32_t threshold = (int32_t)((1LL << (31 - exponent)) - 1);
    if (x > threshold) {
        return RELO_NN_INT32_MAX;
    }
    if (x < -threshold) {
        return RELO_NN_INT32_MIN;
    }
    return (int32_t)((int64_t)x * (1LL << exponent));
}

/* TFLite Micro's requantization: x * multiplier * 2^shift, rounded twice
 * (rounding doubling high multiply, then rounding right shift). */
static inline int32_t relo_nn_requantize(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t left_shift = shift > 0 ? shift : 0;
    const int32_t right_shift = shift > 0 ? 0 : -shift;
    const int32_t shifted = (int32_t)((int64_t)x * (1LL << left_shift));
    return relo_nn_rounding_divide_by_pot(relo_nn_doubling_high_mul(shifted, multiplier), right_shift);
}

/* LiteRT's single-rounding requantization: one 64-bit product, rounded once (ties up).
 * The compiler guarantees multiplier >= 0 and shift in [-31, 30]. */
static inline int32_t relo_nn_requantize_single_round(int32_t x, int32_t multiplier, int32_t shift)
{
    const int32_t total_shift = 31 - shift;
    const int64_t round = 1LL << (total_shift - 1);
    const int64_t result = ((int64_t)x * (int64_t)multiplier + round) >> total_shift;
    return (int32_t)result;
}

/* (a + b) / 2 rounded away from zero, without overflow. */
static inline int32_t relo_nn_rounding_half_sum(int32_t a, int32_t b)
{
    const int64_t sum = (int64_t)a + (int64_t)b;
    const int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/* exp(a) for a in [-1/4, 0), q0.31 in and out: Taylor expansion around -1/8. */
static inline int32_t relo_nn_exp_on_interval_q31(int32_t a)
{
    const int32_t exp_minus_one_eighth = 1895147668; /* exp(-1/8) in q0.31 */
    const int32_t one_third = 715827883;             /* 1/3 in q0.31 */
    const int32_t x = a + (1 << 28);                 /* a + 1/8 */
    const int32_t x2 = relo_nn_doubling_high_mul(x, x);
    const int32_t x3 = relo_nn_doubling_high_mul(x2, x);
    const int32_t x4 = relo_nn_doubling_high_mul(x2, x2);
    const int32_t x4_over_4 = relo_nn_rounding_divide_by_pot(x4, 2);
    const int32_t x4_over_24_plus_x3_over_6_plus_x2_over_2 = relo_nn_rounding_divide_by_pot(
        relo_nn_doubling_high_mul(x4_over_4 + x3, one_third) + x2, 1);
    return exp_minus_one_eighth +
           relo_nn_doubling_high_mul(exp_minus_one_eighth,
                                     x + x4_over_24_plus_x3_over_6_plus_x2_over_2);
}

/* exp(a) for a <= 0: a in q5.26, result in q0.31. Splits a into a multiple of 1/4 and a
 * remainder in [-1/4, 0), then multiplies in exp(-2^k) for each set bit of the multiple. */
static inline int32_t relo_nn_exp_on_negative_values_q5_26(int32_t a)
{
    const int32_t one_quarter = 1 << 24;
    const int32_t a_mod_quarter_minus_one_quarter = (a & (one_quarter - 1)) - one_quarter;
    int32_t result = relo_nn_exp_on_interval_q31(
        relo_nn_saturating_rounding_mul_by_pot(a_mod_quarter_minus_one_quarter, 5));
    const int32_t remainder = a_mod_quarter_minus_one_quarter - a;
    /* exp(-1/4), exp(-1/2), exp(-1), exp(-2), exp(-4), exp(-8), exp(-16) in q0.31 */
    static const int32_t exp_of_minus_pot[7] = {
        1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242,
    };
    for (int32_t bit = 0; bit < 7; ++bit) {
        if (remainder & (1 << (24 + bit))) {
            result = relo_nn_doubling_high_mul(result, exp_of_minus_pot[bit]);
        }
    }
    return a == 0 ? RELO_NN_INT32_MAX : result;
}

/* 1 / (1 + x) for x in [0, 1), q0.31 in and out: three Newton-Raphson steps on the half
 * denominator, with the estimate in q2.29, rounded exactly as gemmlowp does. */
static inline int32_t relo_nn_one_over_one_plus_x_q31(int32_t x)
{
    const int32_t half_denominator = relo_nn_rounding_half_sum(x, RELO_NN_INT32_MAX);
    const int32_t forty_eight_over_17 = 1515870810;      /* q2.29 */
    const int32_t minus_thirty_two_over_17 = -1010580540; /* q2.29 */
    int32_t estimate = forty_eight_over_17 +
                       relo_nn_doubling_high_mul(half_denominator, minus_thirty_two_over_17);
    for (int32_t step = 0; step < 3; ++step) {
        const int32_t half_denominator_times_estimate =
            relo_nn_doubling_high_mul(half_denominator, estimate);
        const int32_t one_minus = (1 << 29) - half_denominator_times_estimate;
        estimate += relo_nn_saturating_rounding_mul_by_pot(
            relo_nn_doubling_high_mul(estimate, one_minus), 2);
    }
    /* estimate ~ 1 / half_denominator = 2 / (1 + x) in q2.29. Read as q1.30 the same bits are
     * 1 / (1 + x); converting q1.30 to q0.31 is a saturating doubling. */
    return relo_nn_saturating_rounding_mul_by_pot(estimate, 1);
}

/* Count of leading zero bits; x must be nonzero. Compiles to one CLZ instruction on Arm. */
static inline int32_t relo_nn_count_leading_zeros(uint32_t x)
{
    return (int32_t)__builtin_clz(x);
}

#endif /* RELO_NN_MATH_H */
