/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An int8 vector widened once to int16 with its offset added and zero padded to a multiple of
 * 4, so the dot products over it are plain sums of products (relo_dsp_dot4.h, the LSTM's).
 */
#ifndef RELO_NN_WIDEN_H
#define RELO_NN_WIDEN_H

#include <stdint.h>

/* The widened length: size rounded up to a multiple of 4. */
static inline int32_t relo_nn_padded4(int32_t size) { return (size + 3) & ~3; }

/* out[0 .. padded4(size)) = vector + offset, then zeros (|value| <= 255 fits int16). */
static inline void relo_nn_widen_s8(const int8_t *vector, int32_t size, int32_t offset,
                                    int16_t *out)
{
    int32_t i = 0;
    for (; i < size; ++i) {
        out[i] = (int16_t)(vector[i] + offset);
    }
    for (; i < relo_nn_padded4(size); ++i) {
        out[i] = 0;
    }
}

#endif /* RELO_NN_WIDEN_H */
