/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MUL, int8, with broadcasting. Bit-exact with TFLite Micro's reference: the product of the
 * centred inputs is rescaled by s1 * s2 / s_out (rounding twice), offset and clamped.
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"
#include "relo_nn_strided.h"

static int8_t relo_mul_one(const relo_mul_params_t *p, int8_t a, int8_t b)
{
    const int32_t product = ((int32_t)a + p->input1_offset) * ((int32_t)b + p->input2_offset);
    const int32_t value = relo_nn_requantize(product, p->output_multiplier, p->output_shift) +
                          p->output_offset;
    return (int8_t)relo_nn_clamp_s32(value, p->activation_min, p->activation_max);
}

int32_t relo_mul_s8(const relo_mul_params_t *params, const int8_t *input1, const int8_t *input2,
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
    /* |product| <= 255 * 255 < 2^16, so left shifts up to 15 cannot overflow */
    if (params->output_shift > 15 || params->output_shift < -31 ||
        params->activation_min > params->activation_max || params->activation_min < -128 ||
        params->activation_max > 127) {
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
            out[i] = relo_mul_one(params, a[i * step1], b[i * step2]);
        }
    }
    return RELO_NN_OK;
}
