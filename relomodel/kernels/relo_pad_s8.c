/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PAD / PADV2, int8, up to rank 4: copies the input into the middle of the output and fills
 * the border with one value. Output shape = before + input_shape + after per dimension.
 */
#include "relo_nn_functions.h"

static int32_t relo_pad_validate(const relo_pad_params_t *params, const int8_t *input,
                                 const int8_t *output)
{
    if (params == 0 || input == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    for (int32_t d = 0; d < RELO_PAD_RANK; ++d) {
        if (params->input_shape[d] <= 0 || params->before[d] < 0 || params->after[d] < 0) {
            return RELO_NN_ERR_BAD_SIZE;
        }
    }
    if (params->pad_value < -128 || params->pad_value > 127) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

static int8_t *relo_pad_fill(int8_t *out, int32_t count, int8_t value)
{
    for (int32_t i = 0; i < count; ++i) {
        out[i] = value;
    }
    return out + count;
}

int32_t relo_pad_s8(const relo_pad_params_t *params, const int8_t *input, int8_t *output)
{
    const int32_t status = relo_pad_validate(params, input, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    const int32_t *shape = params->input_shape;
    const int32_t *before = params->before;
    const int32_t *after = params->after;
    const int8_t value = (int8_t)params->pad_value;
    int32_t out_shape[RELO_PAD_RANK];
    for (int32_t d = 0; d < RELO_PAD_RANK; ++d) {
        out_shape[d] = before[d] + shape[d] + after[d];
    }
    /* sizes of one step along dimensions 1..3 of the output */
    const int32_t out_row = out_shape[3];
    const int32_t out_plane = out_shape[2] * out_row;
    const int32_t out_cube = out_shape[1] * out_plane;
    int8_t *out = relo_pad_fill(output, before[0] * out_cube, value);
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        out = relo_pad_fill(out, before[1] * out_plane, value);
        for (int32_t i1 = 0; i1 < shape[1]; ++i1) {
            out = relo_pad_fill(out, before[2] * out_row, value);
            for (int32_t i2 = 0; i2 < shape[2]; ++i2) {
                out = relo_pad_fill(out, before[3], value);
                for (int32_t i3 = 0; i3 < shape[3]; ++i3) {
                    *out++ = *input++;
                }
                out = relo_pad_fill(out, after[3], value);
            }
            out = relo_pad_fill(out, after[2] * out_row, value);
        }
        out = relo_pad_fill(out, after[1] * out_plane, value);
    }
    relo_pad_fill(out, after[0] * out_cube, value);
    return RELO_NN_OK;
}
