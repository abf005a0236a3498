/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strided gather of 1-, 2- or 4-byte elements: output element (i0..i5) is input element
 * input_base + sum(i_d * input_stride[d]). TRANSPOSE (permuted strides) and STRIDED_SLICE
 * (scaled, possibly negative strides and a start offset) both lower to it; the values are
 * moved untouched, so it is exact for every element type of that size.
 */
#include "relo_nn_functions.h"
#include "relo_nn_strided.h"

/* 1 when every element the gather reads lies inside [0, input_size). */
static int32_t relo_gather_reads_in_bounds(const relo_gather_params_t *p)
{
    int64_t lowest = p->input_base;
    int64_t highest = p->input_base;
    for (int32_t d = 0; d < RELO_NN_MAX_RANK; ++d) {
        const int64_t reach = (int64_t)(p->output_shape[d] - 1) * p->input_stride[d];
        if (reach < 0) {
            lowest += reach;
        } else {
            highest += reach;
        }
    }
    return lowest >= 0 && highest < p->input_size;
}

static void relo_gather_row(const uint8_t *input, int32_t first, int32_t step, int32_t count,
                            int32_t element_size, uint8_t *output)
{
    for (int32_t i = 0; i < count; ++i) {
        const uint8_t *source = input + (first + i * step) * element_size;
        for (int32_t b = 0; b < element_size; ++b) {
            output[b] = source[b];
        }
        output += element_size;
    }
}

int32_t relo_gather(const relo_gather_params_t *params, const void *input, void *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    const int32_t rows = relo_nn_row_count(params->output_shape);
    if (rows == 0 || params->input_size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    const int32_t size = params->element_size;
    if ((size != 1 && size != 2 && size != 4) || !relo_gather_reads_in_bounds(params)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    const int32_t inner = params->output_shape[RELO_NN_MAX_RANK - 1];
    const int32_t step = params->input_stride[RELO_NN_MAX_RANK - 1];
    uint8_t *out = (uint8_t *)output;
    for (int32_t row = 0; row < rows; ++row) {
        const int32_t first =
            params->input_base + relo_nn_row_offset(params->output_shape, params->input_stride, row);
        relo_gather_row((const uint8_t *)input, first, step, inner, size, out);
        out += inner * size;
    }
    return RELO_NN_OK;
}
