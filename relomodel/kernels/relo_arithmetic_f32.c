/* SPDX-License-Identifier: Apache-2.0 */
/* ADD, SUB and MUL, float32, with broadcasting: one operation, then the fused activation. */
#include "relo_nn_f32.h"
#include "relo_nn_float.h"
#include "relo_nn_strided.h"

static float relo_arithmetic_f32_one(int32_t operation, float a, float b)
{
    if (operation == RELO_F32_SUB) {
        return a - b;
    }
    if (operation == RELO_F32_MUL) {
        return a * b;
    }
    return a + b;
}

int32_t relo_arithmetic_f32(const relo_arithmetic_f32_params_t *params, const float *input1,
                            const float *input2, float *output)
{
    if (params == 0 || input1 == 0 || input2 == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    const relo_broadcast_t *shape = &params->shape;
    const int32_t rows = relo_nn_row_count(shape->output_shape);
    if (rows == 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->operation < RELO_F32_ADD || params->operation > RELO_F32_MUL ||
        !(params->activation.min <= params->activation.max)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    const int32_t inner = shape->output_shape[RELO_NN_MAX_RANK - 1];
    const int32_t step1 = shape->input1_stride[RELO_NN_MAX_RANK - 1];
    const int32_t step2 = shape->input2_stride[RELO_NN_MAX_RANK - 1];
    for (int32_t row = 0; row < rows; ++row) {
        const float *a = input1 + relo_nn_row_offset(shape->output_shape, shape->input1_stride, row);
        const float *b = input2 + relo_nn_row_offset(shape->output_shape, shape->input2_stride, row);
        float *out = output + row * inner;
        for (int32_t i = 0; i < inner; ++i) {
            const float value = relo_arithmetic_f32_one(params->operation, a[i * step1], b[i * step2]);
            out[i] = relo_f32_clamp(value, params->activation.min, params->activation.max);
        }
    }
    return RELO_NN_OK;
}
