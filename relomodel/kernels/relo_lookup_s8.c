/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An int8 -> int8 elementwise function as a 256-entry table. The table is filled once, when
 * the model is initialised, by the function's own kernel run over every int8 value, so the
 * lookups are exact by construction; each element then costs a load and a store instead of a
 * fixed-point exp or reciprocal (LOGISTIC, TANH, HARD_SWISH on tensors where that pays).
 */
#include "relo_nn_functions.h"

int32_t relo_lookup_s8_domain(int8_t *table)
{
    if (table == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    for (int32_t i = 0; i < RELO_LOOKUP_S8_ENTRIES; ++i) {
        table[i] = (int8_t)(i - 128);
    }
    return RELO_NN_OK;
}

int32_t relo_lookup_s8(const int8_t *table, const int8_t *input, int8_t *output, int32_t size)
{
    if (table == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    const int8_t *by_value = table + 128; /* by_value[x] for x in -128..127 */
    int32_t i = 0;
    for (; i + 4 <= size; i += 4) {
        const int8_t a = by_value[input[i]], b = by_value[input[i + 1]];
        const int8_t c = by_value[input[i + 2]], d = by_value[input[i + 3]];
        output[i] = a, output[i + 1] = b, output[i + 2] = c, output[i + 3] = d;
    }
    for (; i < size; ++i) {
        output[i] = by_value[input[i]];
    }
    return RELO_NN_OK;
}
