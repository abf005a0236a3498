/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ADD and SUB, int8, with broadcasting. Bit-exact with TFLite Micro's reference: each
 * centred input is shifted left by left_shift (20) and rescaled to twice the larger input
 * scale, the two are added or subtracted, and the result is rescaled to the output. (SUB
 * cannot be ADD with a negated multiplier: the rounding high multiply rounds negative ties
 * toward zero, so it is not symmetric.)
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"
#include "relo_nn_strided.h"

/* TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0). */
static int32_t relo_add_rescale(int32_t x, int32_t multiplier, int32_t shift)
{
    return relo_nn_rounding_divide_by_pot(relo_nn_doubling_high_mul(x, multiplier), -shift);
}

static int8_t relo_add_one(const relo_add_params_t *p, int8_t a, int8_t b)
{
    const int32_t shifted1 = ((int32_t)a + p->input1_offset) * (1 << p->left_shift);
    const int32_t shifted2 = ((int32_t)b + p->input2_offset) * (1 << p->left_shift);
    const int32_t scaled1 = relo_add_rescale(shifted1, p->input1_multiplier, p->input1_shift);
    const int32_t scaled2 = relo_add_rescale(shifted2, p->input2_multiplier, p->input2_shift);
    const int32_t raw = p->subtract ? scaled1 - scaled2 : scaled1 + scaled2;
    const int32_t value = relo_add_rescale(raw, p->output_multiplier, p->output_shift) +
                          p->output_offset;
    return (int8_t)relo_nn_clamp_s32(value, p->activation_min, p->activation_max);
}

static int32_t relo_add_params_are_valid(const relo_add_params_t *p)
{
    return (p->subtract == 0 || p->subtract == 1) && p->left_shift >= 0 && p->left_shift <= 20 && p->input1_shift <= 0 &&
           p->input1_shift >= -31 && p->input2_shift <= 0 && p->input2_shift >= -31 &&
           p->output_shift <= 0 && p->output_shift >= -31 &&
           p->activation_min <= p->activation_max && p->activation_min >= -128 &&
           p->activation_max <= 127;
}

int32_t relo_add_s8(const relo_add_params_t *params, const int8_t *input1, const int8_t *input2,
                    int8_t *output)
{
    if (params == 0 || input1 == 0 || input2 == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    const relo_broadcast_t *shape = &params->shape;
    const int32_t rows = relo_nn_row_count(shape->output_shape);
    if (rows == 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (!relo_add_params_are_valid(params)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    const int32_t inner = shape->output_shape[RELO_NN_MAX_RANK - 1];
    const int32_t step1 = shape->input1_stride[RELO_NN_MAX_RANK - 1];
    const int32_t step2 = shape->input2_stride[RELO_NN_MAX_RANK - 1];
    for (int32_t row = 0; row < rows; ++row) {
        const int8_t *a = input1 + relo_nn_row_offset(shape->output_shape, shape->input1_stride, row);
        const int8_t *b = input2 + relo_nn_row_offset(shape->output_shape, shape->input2_stride, row);
        int8_t *out = output + row * inner;
        for (int32_t i = 0; i < inner; ++i) {
            out[i] = relo_add_one(params, a[i * step1], b[i * step2]);
        }
    }
    return RELO_NN_OK;
}
