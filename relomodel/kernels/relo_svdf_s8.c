/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SVDF, int8 state: each run shifts every filter's memory one step left, writes the newest
 * feature activation (input x weights_feature) in the last slot, then filters the memory with
 * weights_time and sums `rank` filters per output unit. Bit-exact with TFLite Micro's
 * reference integer SVDF (EvalIntegerSvdfReference).
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"
#include "relo_svdf_common.h"

/* Newest activation of every filter: requantized to the state scale, clamped to int8, then
 * offset by the state zero point (which may wrap, exactly as the reference's int8 store). */
static void relo_svdf_s8_feature(const relo_svdf_params_t *params, const int8_t *input,
                                 const int8_t *weights_feature, int8_t *state)
{
    int8_t *newest = state + params->memory_size - 1;
    for (int32_t f = 0; f < params->filters; ++f) {
        const int32_t acc = relo_svdf_feature_dot(input, weights_feature + f * params->input_size,
                                                  params->input_size, params->input_zero_point);
        const int32_t scaled = relo_nn_clamp_s32(
            relo_nn_requantize(acc, params->feature_multiplier, params->feature_shift), -128, 127);
        newest[f * params->memory_size] = (int8_t)(params->state_zero_point + scaled);
    }
}

/* Sum over rank of (memory . weights_time) per unit, plus bias, rescaled to the output. */
static void relo_svdf_s8_output(const relo_svdf_params_t *params, const int8_t *weights_time,
                                const int32_t *bias, const int8_t *state, int8_t *output)
{
    const int32_t units = params->filters / params->rank;
    for (int32_t u = 0; u < units; ++u) {
        int32_t acc = bias != 0 ? bias[u] : 0;
        for (int32_t r = 0; r < params->rank; ++r) {
            const int32_t f = u * params->rank + r;
            const int8_t *memory = state + f * params->memory_size;
            const int8_t *time = weights_time + f * params->memory_size;
            for (int32_t m = 0; m < params->memory_size; ++m) {
                acc += (int32_t)time[m] * ((int32_t)memory[m] - params->state_zero_point);
            }
        }
        output[u] = relo_svdf_rescale_output(params, acc);
    }
}

int32_t relo_svdf_s8(const relo_svdf_params_t *params, const int8_t *input,
                     const int8_t *weights_feature, const int8_t *weights_time,
                     const int32_t *bias, int8_t *state, int8_t *output)
{
    if (params == 0 || input == 0 || weights_feature == 0 || weights_time == 0 || state == 0 ||
        output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    const int32_t status = relo_svdf_validate(params);
    if (status != RELO_NN_OK) {
        return status;
    }
    const int32_t state_row = params->filters * params->memory_size;
    const int32_t units = params->filters / params->rank;
    /* The reference shifts the whole state buffer by one element, across filters and batches;
     * the element that crosses into a filter's last slot is then overwritten. */
    for (int32_t i = 0; i + 1 < params->batches * state_row; ++i) {
        state[i] = state[i + 1];
    }
    for (int32_t b = 0; b < params->batches; ++b) {
        int8_t *batch_state = state + b * state_row;
        relo_svdf_s8_feature(params, input + b * params->input_size, weights_feature, batch_state);
        relo_svdf_s8_output(params, weights_time, bias, batch_state, output + b * units);
    }
    return RELO_NN_OK;
}
