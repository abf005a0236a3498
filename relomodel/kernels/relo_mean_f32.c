/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MEAN, float32, rank <= 4, any axes: each output is the float sum of its inputs taken in
 * row-major order, divided by their count (TFLite Micro's reduce-sum order).
 */
#include "relo_nn_f32.h"

/* Index of the output that input position (i0..i3) is averaged into. */
static int32_t relo_mean_f32_output_index(const relo_mean_f32_params_t *p, const int32_t index[4])
{
    int32_t flat = 0;
    for (int32_t d = 0; d < RELO_MEAN_RANK; ++d) {
        if (!p->reduce[d]) {
            flat = flat * p->input_shape[d] + index[d];
        }
    }
    return flat;
}

int32_t relo_mean_f32(const relo_mean_f32_params_t *params, const float *input, float *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    int32_t outputs = 1;
    int32_t count = 1;
    for (int32_t d = 0; d < RELO_MEAN_RANK; ++d) {
        if (params->input_shape[d] <= 0) {
            return RELO_NN_ERR_BAD_SIZE;
        }
        if (params->reduce[d]) {
            count *= params->input_shape[d];
        } else {
            outputs *= params->input_shape[d];
        }
    }
    if (count != params->count) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t o = 0; o < outputs; ++o) {
        output[o] = 0.0f;
    }
    const int32_t *shape = params->input_shape;
    int32_t index[RELO_MEAN_RANK];
    for (index[0] = 0; index[0] < shape[0]; ++index[0]) {
        for (index[1] = 0; index[1] < shape[1]; ++index[1]) {
            for (index[2] = 0; index[2] < shape[2]; ++index[2]) {
                for (index[3] = 0; index[3] < shape[3]; ++index[3]) {
                    output[relo_mean_f32_output_index(params, index)] += *input++;
                }
            }
        }
    }
    for (int32_t o = 0; o < outputs; ++o) {
        output[o] = output[o] / (float)count;
    }
    return RELO_NN_OK;
}
