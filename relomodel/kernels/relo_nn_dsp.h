/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Cortex-M DSP-extension instructions the *_dsp kernels use, behind relo_dsp_* names.
 *
 * On a core with the DSP extension (M4, M7: __ARM_FEATURE_DSP) they are the compiler's own
 * ACLE intrinsics, one instruction each. Elsewhere (the host-native test harness) they are
 * plain C with the same results, so the restructured kernels are also tested off target;
 * only the instruction selection is left for the tests on the emulated board.
 *
 * Packed pairs: a uint32_t holds two int16 halves, "lo" in bits 0-15 and "hi" in 16-31.
 */
#ifndef RELO_NN_DSP_H
#define RELO_NN_DSP_H

#include <stdint.h>
#include <string.h>

#include "relo_nn_types.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define RELO_DSP_NATIVE 1
#else
#define RELO_DSP_NATIVE 0
#endif

/* Four int8 from any address (Cortex-M4/M7 LDR tolerates unaligned addresses). */
static inline uint32_t relo_dsp_read_s8x4(const int8_t *source)
{
    uint32_t word;
    memcpy(&word, source, sizeof word);
    return word;
}

/* Packed pairs read in place from int16 buffers (may_alias: an int16 array read as pairs). */
typedef uint32_t relo_dsp_pairs_t __attribute__((may_alias));

/* Two int16 as one packed pair (memcpy: no aliasing surprises, still one LDR). */
static inline uint32_t relo_dsp_read_s16x2(const int16_t *source)
{
    uint32_t word;
    memcpy(&word, source, sizeof word);
    return word;
}

static inline void relo_dsp_write_s16x2(int16_t *target, uint32_t pair)
{
    memcpy(target, &pair, sizeof pair);
}

#if RELO_DSP_NATIVE

/* Bytes 0 and 2 sign-extended to the lo and hi halves. */
static inline uint32_t relo_dsp_sxtb16(uint32_t x) { return __sxtb16(x); }

/* Bytes 1 and 3 sign-extended to the lo and hi halves (SXTB16 with its free rotation). */
static inline uint32_t relo_dsp_sxtb16_ror8(uint32_t x)
{
    uint32_t result;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(result) : "r"(x));
    return result;
}

/* offsets + relo_dsp_sxtb16(x), halfwise, in one SXTAB16 */
static inline uint32_t relo_dsp_sxtab16(uint32_t offsets, uint32_t x) { return __sxtab16(offsets, x); }

/* offsets + relo_dsp_sxtb16_ror8(x), halfwise, in one SXTAB16 */
static inline uint32_t relo_dsp_sxtab16_ror8(uint32_t offsets, uint32_t x)
{
    uint32_t result;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(result) : "r"(offsets), "r"(x));
    return result;
}

/* acc + lo(a) * lo(b) + hi(a) * hi(b) */
static inline int32_t relo_dsp_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlad(a, b, acc);
}

static inline int32_t relo_dsp_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlabb(a, b, acc);
}

static inline int32_t relo_dsp_smlatt(uint32_t a, uint32_t b, int32_t acc)
{
    return __smlatt(a, b, acc);
}

/* Halfwise a + b (wrapping). */
static inline uint32_t relo_dsp_sadd16(uint32_t a, uint32_t b) { return __sadd16(a, b); }


#else /* portable equivalents */

static inline int32_t relo_dsp_lo(uint32_t x) { return (int16_t)(x & 0xFFFFu); }
static inline int32_t relo_dsp_hi(uint32_t x) { return (int16_t)(x >> 16); }

static inline uint32_t relo_dsp_pair(int32_t lo, int32_t hi)
{
    return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16);
}

static inline uint32_t relo_dsp_sxtb16(uint32_t x)
{
    return relo_dsp_pair((int8_t)(x & 0xFFu), (int8_t)((x >> 16) & 0xFFu));
}

static inline uint32_t relo_dsp_sxtb16_ror8(uint32_t x)
{
    return relo_dsp_pair((int8_t)((x >> 8) & 0xFFu), (int8_t)(x >> 24));
}

static inline uint32_t relo_dsp_sxtab16(uint32_t offsets, uint32_t x)
{
    return relo_dsp_pair(relo_dsp_lo(offsets) + (int8_t)(x & 0xFFu),
                         relo_dsp_hi(offsets) + (int8_t)((x >> 16) & 0xFFu));
}

static inline uint32_t relo_dsp_sxtab16_ror8(uint32_t offsets, uint32_t x)
{
    return relo_dsp_pair(relo_dsp_lo(offsets) + (int8_t)((x >> 8) & 0xFFu),
                         relo_dsp_hi(offsets) + (int8_t)(x >> 24));
}

static inline int32_t relo_dsp_smlad(uint32_t a, uint32_t b, int32_t acc)
{
    /* wraps like the instruction (the Q flag it may set is never read) */
    const uint32_t sum = (uint32_t)acc + (uint32_t)(relo_dsp_lo(a) * relo_dsp_lo(b)) +
                         (uint32_t)(relo_dsp_hi(a) * relo_dsp_hi(b));
    return (int32_t)sum;
}

static inline int32_t relo_dsp_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(relo_dsp_lo(a) * relo_dsp_lo(b)));
}

static inline int32_t relo_dsp_smlatt(uint32_t a, uint32_t b, int32_t acc)
{
    return (int32_t)((uint32_t)acc + (uint32_t)(relo_dsp_hi(a) * relo_dsp_hi(b)));
}

static inline uint32_t relo_dsp_sadd16(uint32_t a, uint32_t b)
{
    return relo_dsp_pair(relo_dsp_lo(a) + relo_dsp_lo(b), relo_dsp_hi(a) + relo_dsp_hi(b));
}

#endif /* RELO_DSP_NATIVE */

/* lo(a) in lo, lo(b) in hi: one PKHBT (GCC 12's ACLE has no intrinsic for it). */
static inline uint32_t relo_dsp_pack_lo(uint32_t a, uint32_t b)
{
#if RELO_DSP_NATIVE
    uint32_t result;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(result) : "r"(a), "r"(b));
    return result;
#else
    return (a & 0xFFFFu) | (b << 16);
#endif
}

/* hi(a) in lo, hi(b) in hi: one PKHTB. */
static inline uint32_t relo_dsp_pack_hi(uint32_t a, uint32_t b)
{
#if RELO_DSP_NATIVE
    uint32_t result;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(result) : "r"(b), "r"(a));
    return result;
#else
    return (a >> 16) | (b & 0xFFFF0000u);
#endif
}

/* round(a * b / 2^32), ties up: one SMMULR. */
static inline int32_t relo_dsp_smmulr(int32_t a, int32_t b)
{
#if RELO_DSP_NATIVE
    int32_t result;
    __asm__("smmulr %0, %1, %2" : "=r"(result) : "r"(a), "r"(b));
    return result;
#else
    return (int32_t)(((int64_t)a * b + 0x80000000LL) >> 32);
#endif
}

/* TFLite Micro's requantization (two roundings) plus the output offset, in a few instructions,
 * for |x| < 2^29 (which the compiler proved from the weights and bias):
 * - the rounding doubling high multiply, ties away from zero, is (x * m + 2^30) >> 31 (for a
 *   negative product both give -(q + [r > 2^30]) where |x * m| = q * 2^31 + r), which is
 *   SMMULR of 2x (2x cannot overflow);
 * - the rounding right shift by e, ties away from zero, is (h + 2^(e-1) - [h < 0]) >> e, and
 *   adding offset * 2^e before the shift adds offset after it (nothing can overflow: |h| <
 *   2^29, |offset * 2^e| <= 2^29). */
static inline int32_t relo_dsp_requantize_bounded(int32_t x, const relo_dsp_requant_t *r)
{
    const int32_t high = relo_dsp_smmulr(x * 2, r->multiplier);
    return (high + r->rounding + (high >> 31)) >> r->right_shift;
}

/* out[i] = clamp(requantize(acc[i]), act_min, act_max) for one run of channels (act_min/max in
 * output units). A small loop of its own, so every loop-invariant stays in a register. */
static inline void relo_dsp_requantize_s8(const int32_t *acc, int32_t count,
                                          const relo_dsp_requant_t *requant, int32_t act_min,
                                          int32_t act_max, int8_t *out)
{
    if (count <= 0) {
        return;
    }
#if RELO_DSP_NATIVE
    /* relo_dsp_requantize_bounded and the clamp, hand-scheduled: 17 instructions an output,
     * where GCC needs 20 */
    int32_t m, e, r, x;
    __asm__ volatile(
        "1:\n"
        "ldr    %[r], [%[q], #8]\n"
        "ldrd   %[m], %[e], [%[q]], #12\n"
        "ldr    %[x], [%[a]], #4\n"
        "lsl    %[x], %[x], #1\n"
        "smmulr %[x], %[x], %[m]\n"
        "add    %[r], %[r], %[x]\n"
        "add    %[r], %[r], %[x], asr #31\n"
        "asr    %[r], %[r], %[e]\n"
        "cmp    %[r], %[lo]\n"
        "it     lt\n"
        "movlt  %[r], %[lo]\n"
        "cmp    %[r], %[hi]\n"
        "it     gt\n"
        "movgt  %[r], %[hi]\n"
        "strb   %[r], [%[o]], #1\n"
        "subs   %[n], %[n], #1\n"
        "bne    1b\n"
        : [q] "+r"(requant), [a] "+r"(acc), [o] "+r"(out), [n] "+r"(count), [m] "=&r"(m),
          [e] "=&r"(e), [r] "=&r"(r), [x] "=&r"(x)
        : [lo] "r"(act_min), [hi] "r"(act_max)
        : "cc", "memory");
#else
    for (int32_t i = 0; i < count; ++i) {
        int32_t value = relo_dsp_requantize_bounded(acc[i], requant + i);
        value = value < act_min ? act_min : value;
        out[i] = (int8_t)(value > act_max ? act_max : value);
    }
#endif
}

/* x saturated to [-128, 127]: one SSAT. */
static inline int32_t relo_dsp_ssat8(int32_t x)
{
#if RELO_DSP_NATIVE
    return __ssat(x, 8);
#else
    return x < -128 ? -128 : (x > 127 ? 127 : x);
#endif
}

/* acc + round(a * b / 2^32), ties up: one SMMLAR. */
static inline int32_t relo_dsp_smmlar(int32_t a, int32_t b, int32_t acc)
{
#if RELO_DSP_NATIVE
    int32_t result;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(result) : "r"(a), "r"(b), "r"(acc));
    return result;
#else
    return (int32_t)((uint32_t)acc + (uint32_t)relo_dsp_smmulr(a, b));
#endif
}

/* relo_dsp_requantize_bounded(x, r) from x2 = 2x (kernels that accumulate doubled values: no
 * doubling left to do), in three instructions: SMMLAR gives high + rounding, and the sign of
 * x2 replaces the sign of high (they agree unless high == 0, and then the -1 cannot cross a
 * multiple of 2^e: rounding = 2^(e-1) + offset * 2^e with e >= 1). */
static inline int32_t relo_dsp_requantize_doubled(int32_t x2, const relo_dsp_requant_t *r)
{
    return (relo_dsp_smmlar(x2, r->multiplier, r->rounding) + (x2 >> 31)) >> r->right_shift;
}

/* clamp(requantize(x), act_min, act_max) for one int8 output from x2 = 2x, straight from a
 * register (the kernels' fused output paths). The record is taken by value: a caller copies it
 * to locals once per channel, which stay in registers across the int8 stores (a char store may
 * alias anything, so a pointer would make the compiler reload the record after each).
 * `full_range` is a constant at the call site: 1 when [act_min, act_max] is all of int8, and
 * the clamp is then the SSAT alone (SSAT first is harmless otherwise: the range lies inside
 * int8). */
static inline __attribute__((always_inline)) int32_t
relo_dsp_requantize_doubled_clamp_s8(int32_t x2, relo_dsp_requant_t r, int32_t act_min,
                                     int32_t act_max, int32_t full_range)
{
    int32_t value = relo_dsp_ssat8(relo_dsp_requantize_doubled(x2, &r));
    if (!full_range) {
        value = value < act_min ? act_min : value;
        value = value > act_max ? act_max : value;
    }
    return value;
}

/* 1 when [act_min, act_max] is the whole int8 range (ReLU6 on a [0, 6] scale often is). */
static inline int32_t relo_dsp_is_full_range_s8(int32_t act_min, int32_t act_max)
{
    return act_min == -128 && act_max == 127;
}

/* Both halves set to `value` (an int16). */
static inline uint32_t relo_dsp_splat(int32_t value)
{
    return ((uint32_t)value & 0xFFFFu) * 0x00010001u;
}

#endif /* RELO_NN_DSP_H */
