/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Four int8 weight rows dotted with one int16 vector (an int8 input widened once, its offset
 * added), by SMLAD: the vector's pairs are loaded once for the four rows. Shared by the DSP
 * kernels whose rows come in fours (the LSTM's gates, the SVDF's filters); the compiler lays
 * the rows out (compiler/kernel_select/ four_rows_layout).
 */
#ifndef RELO_DSP_DOT4_H
#define RELO_DSP_DOT4_H

#include "relo_nn_dsp.h"
#include "relo_nn_widen.h" /* the vectors it reads */

#if RELO_DSP_NATIVE
/* One quad of the four rows: 19 instructions for 16 MACs (GCC needs 25). LDRD for the pairs and
 * for two rows' weight words; one temporary for the low halves, the high halves extended in
 * place. Operands as relo_dsp_dot4_s8_s16's asm names them. */
#define RELO_DSP_DOT4_QUAD                           \
    "ldrd   %[v01], %[v23], [%[v]], #8\n"            \
    "ldrd   %[w0], %[w1], [%[w]], #8\n"              \
    "sxtb16 %[t], %[w0]\n"                           \
    "smlad  %[a0], %[t], %[v01], %[a0]\n"            \
    "sxtb16 %[w0], %[w0], ror #8\n"                  \
    "smlad  %[a0], %[w0], %[v23], %[a0]\n"           \
    "sxtb16 %[t], %[w1]\n"                           \
    "smlad  %[a1], %[t], %[v01], %[a1]\n"            \
    "sxtb16 %[w1], %[w1], ror #8\n"                  \
    "smlad  %[a1], %[w1], %[v23], %[a1]\n"           \
    "ldrd   %[w0], %[w1], [%[w]], #8\n"              \
    "sxtb16 %[t], %[w0]\n"                           \
    "smlad  %[a2], %[t], %[v01], %[a2]\n"            \
    "sxtb16 %[w0], %[w0], ror #8\n"                  \
    "smlad  %[a2], %[w0], %[v23], %[a2]\n"           \
    "sxtb16 %[t], %[w1]\n"                           \
    "smlad  %[a3], %[t], %[v01], %[a3]\n"            \
    "sxtb16 %[w1], %[w1], ror #8\n"                  \
    "smlad  %[a3], %[w1], %[v23], %[a3]\n"
#endif

/* acc[0..3] += four int8 rows . the int16 vector `v`, over `quads` quads (>= 1). Layout of `w`:
 * quad by quad, that quad of row 0, 1, 2, 3 (16 bytes), each quad in SXTB16 order (w0, w2,
 * w1, w3) so SXTB16 gives (w0, w1) and SXTB16 ROR 8 (w2, w3), matching v's int16 pairs.
 * v and w 4-byte aligned (LDRD). */
static inline __attribute__((always_inline)) void
relo_dsp_dot4_s8_s16(const int16_t *v, const int8_t *w, int32_t quads, int32_t *acc)
{
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
#if RELO_DSP_NATIVE
    /* an odd quad alone, then two quads per loop pass: 20 instructions per 16 MACs */
    const int16_t *end = v + 4 * quads;
    uint32_t v01, v23, w0, w1, t;
#define RELO_DSP_DOT4_OPERANDS                                                                  \
    : [v] "+r"(v), [w] "+r"(w), [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3),     \
      [v01] "=&r"(v01), [v23] "=&r"(v23), [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "=&r"(t)          \
    : [end] "r"(end)                                                                            \
    : "cc", "memory"
    if (quads & 1) {
        __asm__ volatile(RELO_DSP_DOT4_QUAD RELO_DSP_DOT4_OPERANDS);
    }
    if (quads > 1) {
        __asm__ volatile("1:\n" RELO_DSP_DOT4_QUAD RELO_DSP_DOT4_QUAD
                         "cmp    %[v], %[end]\n"
                         "bne    1b\n" RELO_DSP_DOT4_OPERANDS);
    }
#undef RELO_DSP_DOT4_OPERANDS
#else
    for (; quads > 0; --quads, v += 4, w += 16) {
        const uint32_t v01 = relo_dsp_read_s16x2(v), v23 = relo_dsp_read_s16x2(v + 2);
        const uint32_t w0 = relo_dsp_read_s8x4(w), w1 = relo_dsp_read_s8x4(w + 4);
        const uint32_t w2 = relo_dsp_read_s8x4(w + 8), w3 = relo_dsp_read_s8x4(w + 12);
        a0 = relo_dsp_smlad(relo_dsp_sxtb16(w0), v01, a0);
        a1 = relo_dsp_smlad(relo_dsp_sxtb16(w1), v01, a1);
        a2 = relo_dsp_smlad(relo_dsp_sxtb16(w2), v01, a2);
        a3 = relo_dsp_smlad(relo_dsp_sxtb16(w3), v01, a3);
        a0 = relo_dsp_smlad(relo_dsp_sxtb16_ror8(w0), v23, a0);
        a1 = relo_dsp_smlad(relo_dsp_sxtb16_ror8(w1), v23, a1);
        a2 = relo_dsp_smlad(relo_dsp_sxtb16_ror8(w2), v23, a2);
        a3 = relo_dsp_smlad(relo_dsp_sxtb16_ror8(w3), v23, a3);
    }
#endif
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

#endif /* RELO_DSP_DOT4_H */
