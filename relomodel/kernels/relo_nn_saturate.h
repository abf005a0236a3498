/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Clamps to int8 and int16: one SSAT on cores that have it (M3, M4, M7), where GCC would emit
 * two compares and two conditional moves; plain C elsewhere (M0+, the host).
 */
#ifndef RELO_NN_SATURATE_H
#define RELO_NN_SATURATE_H

#include <stdint.h>

#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT
#include <arm_acle.h>

static inline int32_t relo_nn_sat_s8(int32_t x) { return __ssat(x, 8); }
static inline int32_t relo_nn_sat_s16(int32_t x) { return __ssat(x, 16); }

#else

static inline int32_t relo_nn_sat_s8(int32_t x) { return x < -128 ? -128 : (x > 127 ? 127 : x); }
static inline int32_t relo_nn_sat_s16(int32_t x)
{
    return x < -32768 ? -32768 : (x > 32767 ? 32767 : x);
}

#endif

#endif /* RELO_NN_SATURATE_H */
