/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Walking an output tensor row by row while following other tensors through per-dimension
 * element strides (0 on broadcast dimensions, any sign for slices and permutations).
 * Shapes are always RELO_NN_MAX_RANK long; the compiler pads them with leading 1s and merges
 * dimensions it can, so the innermost dimension is usually long and loops stay simple.
 */
#ifndef RELO_NN_STRIDED_H
#define RELO_NN_STRIDED_H

#include <stdint.h>

#include "relo_nn_types.h"

/* Number of rows: the product of every dimension but the innermost. 0 if any is not positive. */
static inline int32_t relo_nn_row_count(const int32_t shape[RELO_NN_MAX_RANK])
{
    int32_t rows = 1;
    for (int32_t d = 0; d < RELO_NN_MAX_RANK; ++d) {
        if (shape[d] <= 0) {
            return 0;
        }
        if (d < RELO_NN_MAX_RANK - 1) {
            rows *= shape[d];
        }
    }
    return rows;
}

/* Element offset, along `stride`, of the first element of row `row` of `shape`. */
static inline int32_t relo_nn_row_offset(const int32_t shape[RELO_NN_MAX_RANK],
                                         const int32_t stride[RELO_NN_MAX_RANK], int32_t row)
{
    int32_t offset = 0;
    for (int32_t d = RELO_NN_MAX_RANK - 2; d >= 0; --d) {
        offset += (row % shape[d]) * stride[d];
        row /= shape[d];
    }
    return offset;
}

#endif /* RELO_NN_STRIDED_H */
