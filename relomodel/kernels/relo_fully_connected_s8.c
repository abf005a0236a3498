/* SPDX-License-Identifier: Apache-2.0 */
/* FULLY_CONNECTED, int8: output = clamp(requantize(bias + sum((in + in_offset) * (w + w_offset))) + out_offset). */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"

static int32_t relo_fc_dot_s8(const int8_t *row, const int8_t *weights, int32_t depth,
                              int32_t input_offset)
{
    int32_t acc = 0;
    for (int32_t d = 0; d < depth; ++d) {
        acc += (int32_t)weights[d] * ((int32_t)row[d] + input_offset);
    }
    return acc;
}

/* sum((in + in_offset)) over a row: with asymmetric weights (w + filter_offset) the dot
 * product gains filter_offset times this, so the symmetric inner loop stays as it is. */
static int32_t relo_fc_row_sum_s8(const int8_t *row, int32_t depth, int32_t input_offset)
{
    int32_t sum = 0;
    for (int32_t d = 0; d < depth; ++d) {
        sum += (int32_t)row[d] + input_offset;
    }
    return sum;
}

static int32_t relo_fc_validate(const relo_fc_params_t *params, const int8_t *input,
                                const int8_t *weights, const int32_t *multipliers,
                                const int32_t *shifts, const int8_t *output)
{
    if (params == 0 || input == 0 || weights == 0 || multipliers == 0 || shifts == 0 ||
        output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->batches <= 0 || params->input_depth <= 0 || params->output_depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->activation_min > params->activation_max || params->activation_min < -128 ||
        params->activation_max > 127) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

/* Accumulator of output channel c -> int8 output (rescale, zero point, activation clamp).
 * Also the requantization of relo_fully_connected_s8_dsp_rescale (relo_fully_connected_s8_dsp.c). */
int8_t relo_fc_output_s8(const relo_fc_params_t *params, int32_t acc, int32_t c,
                                const int32_t *multipliers, const int32_t *shifts)
{
    const int32_t q = params->per_channel ? c : 0;
    acc = params->rounding == RELO_ROUNDING_SINGLE
              ? relo_nn_requantize_single_round(acc, multipliers[q], shifts[q])
              : relo_nn_requantize(acc, multipliers[q], shifts[q]);
    acc += params->output_offset;
    return (int8_t)relo_nn_clamp_s32(acc, params->activation_min, params->activation_max);
}

int32_t relo_fully_connected_s8(const relo_fc_params_t *params, const int8_t *input,
                                const int8_t *weights, const int32_t *bias,
                                const int32_t *multipliers, const int32_t *shifts,
                                int8_t *output)
{
    const int32_t status = relo_fc_validate(params, input, weights, multipliers, shifts, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    const int32_t depth = params->input_depth;
    for (int32_t b = 0; b < params->batches; ++b) {
        const int8_t *row = input + b * depth;
        int8_t *out_row = output + b * params->output_depth;
        const int32_t filter_term = params->filter_offset == 0
            ? 0 : params->filter_offset * relo_fc_row_sum_s8(row, depth, params->input_offset);
        for (int32_t c = 0; c < params->output_depth; ++c) {
            int32_t acc = relo_fc_dot_s8(row, weights + c * depth, depth, params->input_offset) +
                          filter_term;
            if (bias != 0) {
                acc += bias[c];
            }
            out_row[c] = relo_fc_output_s8(params, acc, c, multipliers, shifts);
        }
    }
    return RELO_NN_OK;
}

/*
 * Streaming FULLY_CONNECTED (one batch): the input arrives in slices, e.g. a convolution's
 * output rows (compiler/stream_conv_fc.py), so it never exists whole. Integer sums do not
 * depend on their order, so begin + accumulate over every slice + finish is bit-exact with
 * relo_fully_connected_s8. `acc` holds output_depth int32 accumulators.
 */
int32_t relo_fc_stream_begin_s8(const relo_fc_params_t *params, const int32_t *bias, int32_t *acc)
{
    if (params == 0 || acc == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->batches != 1 || params->input_depth <= 0 || params->output_depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    for (int32_t c = 0; c < params->output_depth; ++c) {
        acc[c] = bias != 0 ? bias[c] : 0;
    }
    return RELO_NN_OK;
}

/* The arguments of an accumulate step: pointers set, [first, first + count) inside the row. */
int32_t relo_fc_stream_check_s8(const relo_fc_params_t *params, const int8_t *slice,
                                int32_t first, int32_t count, const int8_t *weights,
                                const int32_t *acc)
{
    if (params == 0 || slice == 0 || weights == 0 || acc == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (first < 0 || count <= 0 || first > params->input_depth - count) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    return RELO_NN_OK;
}

/* Adds input elements [first, first + count), given in `slice`, to every accumulator. */
int32_t relo_fc_stream_accumulate_s8(const relo_fc_params_t *params, const int8_t *slice,
                                     int32_t first, int32_t count, const int8_t *weights,
                                     int32_t *acc)
{
    const int32_t status = relo_fc_stream_check_s8(params, slice, first, count, weights, acc);
    if (status != RELO_NN_OK) {
        return status;
    }
    const int32_t depth = params->input_depth;
    const int32_t filter_term = params->filter_offset == 0
        ? 0 : params->filter_offset * relo_fc_row_sum_s8(slice, count, params->input_offset);
    for (int32_t c = 0; c < params->output_depth; ++c) {
        acc[c] += relo_fc_dot_s8(slice, weights + c * depth + first, count, params->input_offset) +
                  filter_term;
    }
    return RELO_NN_OK;
}

int32_t relo_fc_stream_finish_s8(const relo_fc_params_t *params, const int32_t *multipliers,
                                 const int32_t *shifts, const int32_t *acc, int8_t *output)
{
    if (acc == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    /* the accumulators stand in for input and weights, which finish does not read */
    const int32_t status = relo_fc_validate(params, (const int8_t *)acc, (const int8_t *)acc,
                                            multipliers, shifts, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    for (int32_t c = 0; c < params->output_depth; ++c) {
        output[c] = relo_fc_output_s8(params, acc[c], c, multipliers, shifts);
    }
    return RELO_NN_OK;
}
