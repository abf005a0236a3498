/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single-precision helpers for the float32 kernels: exp, tanh and the logistic function
 * written here because blobs link without newlib (expf/tanhf would drag in errno and other
 * non-PIC global state), plus the fused-activation clamp.
 *
 * Everything is float, never double: the Cortex-M4F FPU is single precision, and one double
 * operation would become a slow soft-float call. Maximum errors, measured against double
 * precision over every 97th float in [-110, 110] where the result is a normal float
 * (tests/compiler/test_float_math.py, which enforces 2.5 ulp):
 *   relo_f32_exp      1.17 ulp
 *   relo_f32_tanh     1.96 ulp
 *   relo_f32_sigmoid  2.0 ulp (against TFLite Micro's formula evaluated in double)
 * (docs/float-models.md turns these into the model tolerance.)
 */
#ifndef RELO_NN_FLOAT_H
#define RELO_NN_FLOAT_H

#include <stdint.h>

#define RELO_F32_MAX 3.40282346638528859811704183484516925e+38f

/* ln(2) split so that k * RELO_F32_LN2_HI is exact for |k| < 2^9 (Cody-Waite reduction). */
#define RELO_F32_LN2_HI 6.93145751953125e-01f
#define RELO_F32_LN2_LO 1.42860682030941723212e-06f
#define RELO_F32_LOG2E 1.44269504088896340736f
/* exp(x) overflows float at this input and above, and rounds to 0 below the other. */
#define RELO_F32_EXP_OVERFLOW 88.72283935546875f
#define RELO_F32_EXP_UNDERFLOW -103.97283935546875f

typedef union {
    float value;
    uint32_t bits;
} relo_f32_bits_t;

/* 2^k for -126 <= k <= 127, built from its exponent bits. */
static inline float relo_f32_pow2(int32_t k)
{
    relo_f32_bits_t u;
    u.bits = (uint32_t)(k + 127) << 23;
    return u.value;
}

static inline float relo_f32_infinity(void)
{
    relo_f32_bits_t u;
    u.bits = 0x7F800000u;
    return u.value;
}

/* e^r for |r| <= ln(2)/2: the Taylor series to degree 7 (truncation < 2^-29 relative). */
static inline float relo_f32_exp_reduced(float r)
{
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    return p * r + 1.0f;
}

/* e^x: x = k ln2 + r, e^x = 2^k e^r. NaN in, NaN out. */
static inline float relo_f32_exp(float x)
{
    if (x != x) {
        return x;
    }
    if (x >= RELO_F32_EXP_OVERFLOW) {
        return relo_f32_infinity();
    }
    if (x < RELO_F32_EXP_UNDERFLOW) {
        return 0.0f;
    }
    const float t = x * RELO_F32_LOG2E;
    const int32_t k = (int32_t)(t < 0.0f ? t - 0.5f : t + 0.5f);
    const float kf = (float)k;
    const float r = (x - kf * RELO_F32_LN2_HI) - kf * RELO_F32_LN2_LO;
    const float p = relo_f32_exp_reduced(r);
    if (k >= -126 && k <= 127) {
        return p * relo_f32_pow2(k);
    }
    /* 2^k is not a normal float: scale in two exact-then-rounding steps */
    const int32_t half = k / 2;
    return (p * relo_f32_pow2(half)) * relo_f32_pow2(k - half);
}

/* tanh(x) for |x| <= 0.5: odd Taylor series to x^15 (truncation < 2^-26 relative). */
static inline float relo_f32_tanh_small(float x)
{
    const float x2 = x * x;
    float p = -929569.0f / 638512875.0f;
    p = p * x2 + 21844.0f / 6081075.0f;
    p = p * x2 - 1382.0f / 155925.0f;
    p = p * x2 + 62.0f / 2835.0f;
    p = p * x2 - 17.0f / 315.0f;
    p = p * x2 + 2.0f / 15.0f;
    p = p * x2 - 1.0f / 3.0f;
    return x + x * (x2 * p);
}

/* tanh(x) = 1 - 2 / (e^(2x) + 1) for x > 0.5, odd symmetry, 1 beyond 9.1 (float saturates). */
static inline float relo_f32_tanh(float x)
{
    if (x != x) {
        return x;
    }
    const float a = x < 0.0f ? -x : x;
    float result;
    if (a <= 0.5f) {
        return relo_f32_tanh_small(x);
    } else if (a > 9.1f) {
        result = 1.0f;
    } else {
        result = 1.0f - 2.0f / (relo_f32_exp(2.0f * a) + 1.0f);
    }
    return x < 0.0f ? -result : result;
}

/* 1 / (1 + e^-x), with TFLite Micro's float cut-offs: 1 above 16.619047, e^x below -9. */
static inline float relo_f32_sigmoid(float x)
{
    if (x > 16.619047164916992188f) {
        return 1.0f;
    }
    if (x < -9.0f) {
        return relo_f32_exp(x);
    }
    return 1.0f / (1.0f + relo_f32_exp(-x));
}

/* Fused activation clamp. NaN passes through, as std::min(std::max(x, lo), hi) lets it. */
static inline float relo_f32_clamp(float x, float low, float high)
{
    if (x < low) {
        return low;
    }
    if (x > high) {
        return high;
    }
    return x;
}

#endif /* RELO_NN_FLOAT_H */
