/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SVDF for cores with the DSP extension, int8 state (relo_svdf_s8_dsp, as relo_svdf_s8) and
 * int16 state (relo_svdf_s8_s16_dsp, as relo_svdf_s8_s16): the feature products four filters
 * at a time by SMLAD (relo_dsp_dot4.h) over the input widened once, the state shifted a word
 * at a time, and the memory x weights_time products by SMLAD.
 *
 * Layout contract with the compiler (compiler/kernel_select/ svdf), fixed at pack time:
 * - weights_feature: relo_dsp_dot4.h layout of the filters zero padded to a multiple of 4;
 * - weights_time: as the reference, [filters][memory_size], of the state's type;
 * - unit_constants[u] = bias[u] - state zero point * sum of the weights_time of unit u's
 *   filters, wrapped to int32 (so the products take the raw state: the same int32 sums);
 * - feature_rescale: the relo_dsp_rescale.h record of the feature requantization, which the
 *   compiler proved exact for every feature accumulator.
 * `scratch` holds input_size rounded up to a multiple of 4 int16. The output requantization
 * is relo_dsp_requantize_any (any accumulator: biases may be near 2^31). Bit-exact with the
 * portable kernels.
 */
#include "relo_dsp_dot4.h"
#include "relo_dsp_rescale.h"
#include "relo_nn_functions.h"
#include "relo_nn_saturate.h"
#include "relo_svdf_common.h"

/* Inlined into each entry point, where the state type is a constant: each gets its own loops
 * without the branches on it. */
#define RELO_SVDF_DSP_SPECIALISE __attribute__((always_inline))

/* The reference's shift of the whole state by one element (state[i] = state[i + 1] for every
 * i but the last), over `bytes` bytes of elements `size` (1 or 2) bytes wide, a word at a
 * time: each word is read (unaligned) before the one below it is written. */
static inline RELO_SVDF_DSP_SPECIALISE void relo_svdf_dsp_shift(uint8_t *state, int32_t bytes,
                                                                int32_t size)
{
    int32_t i = 0;
    for (; i + 16 + size <= bytes; i += 16) { /* four words a pass: less loop per word */
        const uint8_t *from = state + i + size;
        const uint32_t w0 = relo_dsp_read_s8x4((const int8_t *)from);
        const uint32_t w1 = relo_dsp_read_s8x4((const int8_t *)from + 4);
        const uint32_t w2 = relo_dsp_read_s8x4((const int8_t *)from + 8);
        const uint32_t w3 = relo_dsp_read_s8x4((const int8_t *)from + 12);
        memcpy(state + i, &w0, 4);
        memcpy(state + i + 4, &w1, 4);
        memcpy(state + i + 8, &w2, 4);
        memcpy(state + i + 12, &w3, 4);
    }
    for (; i + 4 + size <= bytes; i += 4) {
        uint32_t word;
        memcpy(&word, state + i + size, sizeof word);
        memcpy(state + i, &word, sizeof word);
    }
    for (; i + size < bytes; ++i) {
        state[i] = state[i + size];
    }
}

/* memory . weights_time of one filter, int8 (any alignment), accumulated onto acc */
static int32_t relo_svdf_dsp_time_dot_s8(const int8_t *memory, const int8_t *time, int32_t size,
                                         int32_t acc)
{
    int32_t m = 0;
    for (; m + 4 <= size; m += 4) {
        const uint32_t s = relo_dsp_read_s8x4(memory + m), t = relo_dsp_read_s8x4(time + m);
        acc = relo_dsp_smlad(relo_dsp_sxtb16(t), relo_dsp_sxtb16(s), acc);
        acc = relo_dsp_smlad(relo_dsp_sxtb16_ror8(t), relo_dsp_sxtb16_ror8(s), acc);
    }
    for (; m < size; ++m) {
        acc = (int32_t)((uint32_t)acc + (uint32_t)(time[m] * memory[m])); /* wraps as SMLAD */
    }
    return acc;
}

/* memory . weights_time of one filter, int16 (2-byte aligned), accumulated onto acc */
static int32_t relo_svdf_dsp_time_dot_s16(const int16_t *memory, const int16_t *time,
                                          int32_t size, int32_t acc)
{
    int32_t m = 0;
    for (; m + 2 <= size; m += 2) {
        acc = relo_dsp_smlad(relo_dsp_read_s16x2(time + m), relo_dsp_read_s16x2(memory + m),
                             acc);
    }
    if (m < size) {
        acc = (int32_t)((uint32_t)acc + (uint32_t)(time[m] * memory[m])); /* wraps as SMLAD */
    }
    return acc;
}

/* relo_svdf_rescale_output in fewer instructions */
static inline int8_t relo_svdf_dsp_output(const relo_svdf_params_t *params, int32_t acc)
{
    const int32_t scaled =
        relo_dsp_requantize_any(acc, params->output_multiplier, params->output_shift);
    return (int8_t)relo_nn_sat_s8(scaled + params->output_zero_point);
}

/* The newest activation of every filter, four filters a step, into the last memory slots of
 * an int8 (state8) or int16 (state16) state: the other one is 0. */
static inline RELO_SVDF_DSP_SPECIALISE void
relo_svdf_dsp_feature(const relo_svdf_params_t *params, const int16_t *x,
                      const int8_t *weights_feature, const int32_t *feature_rescale, int8_t *state8,
                      int16_t *state16)
{
    const int32_t quads = relo_nn_padded4(params->input_size) >> 2;
    const int32_t newest = params->memory_size - 1;
    for (int32_t first = 0; first < params->filters; first += 4) {
        int32_t acc[4] = {0, 0, 0, 0};
        relo_dsp_dot4_s8_s16(x, weights_feature + first * 4 * quads, quads, acc);
        const int32_t count = params->filters - first < 4 ? params->filters - first : 4;
        for (int32_t i = 0; i < count; ++i) {
            const int32_t scaled = relo_dsp_rescale(feature_rescale, acc[i]);
            const int32_t slot = (first + i) * params->memory_size + newest;
            if (state16 != 0) {
                state16[slot] = (int16_t)relo_nn_sat_s16(scaled); /* zero point 0 */
            } else { /* offset by the zero point, wrapping as the reference's int8 store */
                state8[slot] = (int8_t)(params->state_zero_point + relo_nn_sat_s8(scaled));
            }
        }
    }
}

/* Every unit's output: its filters' memory . weights_time, plus its constant, requantized.
 * One of the (state, weights_time) pairs is given, the other is 0. */
static inline RELO_SVDF_DSP_SPECIALISE void
relo_svdf_dsp_units(const relo_svdf_params_t *params, const int8_t *state8, const int8_t *time8,
                    const int16_t *state16, const int16_t *time16, const int32_t *unit_constants,
                    int8_t *output)
{
    const int32_t m = params->memory_size;
    for (int32_t u = 0; u < params->filters / params->rank; ++u) {
        int32_t acc = unit_constants[u];
        for (int32_t f = u * params->rank; f < (u + 1) * params->rank; ++f) {
            acc = state16 != 0
                      ? relo_svdf_dsp_time_dot_s16(state16 + f * m, time16 + f * m, m, acc)
                      : relo_svdf_dsp_time_dot_s8(state8 + f * m, time8 + f * m, m, acc);
        }
        output[u] = relo_svdf_dsp_output(params, acc);
    }
}

/* Both kernels: the shift, then per batch row the widened input, the newest activations and
 * the outputs. Exactly one of (state8, time8) and (state16, time16) is given. */
static inline RELO_SVDF_DSP_SPECIALISE int32_t
relo_svdf_dsp_run(const relo_svdf_params_t *params, const int8_t *input,
                  const int8_t *weights_feature, const int32_t *unit_constants,
                  const int32_t *feature_rescale, int8_t *state8, const int8_t *time8,
                  int16_t *state16, const int16_t *time16, int8_t *output, int16_t *scratch)
{
    if (params == 0 || input == 0 || weights_feature == 0 || unit_constants == 0 ||
        feature_rescale == 0 || output == 0 || scratch == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    const int32_t status = relo_svdf_validate(params);
    if (status != RELO_NN_OK) {
        return status;
    }
    const int32_t row = params->filters * params->memory_size; /* elements per batch row */
    const int32_t size = state16 != 0 ? 2 : 1;
    relo_svdf_dsp_shift(state16 != 0 ? (uint8_t *)state16 : (uint8_t *)state8,
                        params->batches * row * size, size);
    for (int32_t b = 0; b < params->batches; ++b) {
        int8_t *row8 = state8 != 0 ? state8 + b * row : 0;
        int16_t *row16 = state16 != 0 ? state16 + b * row : 0;
        relo_nn_widen_s8(input + b * params->input_size, params->input_size,
                         -params->input_zero_point, scratch);
        relo_svdf_dsp_feature(params, scratch, weights_feature, feature_rescale, row8, row16);
        relo_svdf_dsp_units(params, row8, time8, row16, time16, unit_constants,
                            output + b * (params->filters / params->rank));
    }
    return RELO_NN_OK;
}

int32_t relo_svdf_s8_dsp(const relo_svdf_params_t *params, const int8_t *input,
                         const int8_t *weights_feature, const int8_t *weights_time,
                         const int32_t *unit_constants, const int32_t *feature_rescale,
                         int8_t *state, int8_t *output, int16_t *scratch)
{
    if (weights_time == 0 || state == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    return relo_svdf_dsp_run(params, input, weights_feature, unit_constants, feature_rescale,
                             state, weights_time, 0, 0, output, scratch);
}

int32_t relo_svdf_s8_s16_dsp(const relo_svdf_params_t *params, const int8_t *input,
                             const int8_t *weights_feature, const int16_t *weights_time,
                             const int32_t *unit_constants, const int32_t *feature_rescale,
                             int16_t *state, int8_t *output, int16_t *scratch)
{
    if (weights_time == 0 || state == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    return relo_svdf_dsp_run(params, input, weights_feature, unit_constants, feature_rescale, 0,
                             0, state, weights_time, output, scratch);
}
