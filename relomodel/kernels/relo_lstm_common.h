/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the portable LSTM kernel (relo_lstm_s8.c) and the DSP one (relo_lstm_s8_dsp.c) share:
 * everything but the eight dot products. TFLite Micro's integer LSTM works gate by gate over
 * whole vectors, but every element of the gates, the cell and the hidden state depends only
 * on the input row, the previous hidden state and its own cell element, so both kernels go
 * element by element: the four gates of element i, then cell[i] and hidden[i] at once. The
 * input row and the previous hidden state are widened once per step to int16 with their
 * offsets added (so the dot products are plain sums), which also keeps the old hidden state
 * for the recurrent products while the new one is written.
 */
#ifndef RELO_LSTM_COMMON_H
#define RELO_LSTM_COMMON_H

#include "relo_nn_functions.h"
#include "relo_nn_math.h"
#include "relo_nn_s16_activations.h"
#include "relo_nn_saturate.h"
#include "relo_nn_widen.h"

#define RELO_LSTM_INT16_MAX 32767
#define RELO_LSTM_GATE_ACT_MULTIPLIER 3 /* Q3.12 gate input: the reference's power-of-two case */

/* The eleven requantizations of an element, by index: the input and recurrent FC of each gate
 * (to Q3.12), forget x cell and input x cell gate (to the cell state), tanh(cell) x output
 * gate (to the hidden state, before its zero point). */
#define RELO_LSTM_RESCALE_INPUT_FC(g) (g)
#define RELO_LSTM_RESCALE_RECURRENT_FC(g) (RELO_LSTM_GATES + (g))
#define RELO_LSTM_RESCALE_FORGET_CELL (2 * RELO_LSTM_GATES)
#define RELO_LSTM_RESCALE_INPUT_CELL (2 * RELO_LSTM_GATES + 1)
#define RELO_LSTM_RESCALE_HIDDEN (2 * RELO_LSTM_GATES + 2)
#define RELO_LSTM_RESCALES (2 * RELO_LSTM_GATES + 3)

/* requantization `which` of x, TFLite Micro's arithmetic; `records` are the kernel's own
 * pack-time constants, if it has any */
typedef int32_t (*relo_lstm_rescale_fn)(const relo_lstm_params_t *p, const int32_t *records,
                                        int32_t which, int32_t x);

/* The eight accumulators of one element: acc[g] for the input products (bias included),
 * acc[RELO_LSTM_GATES + g] for the recurrent ones, g in RELO_LSTM_GATE_* order. */
typedef void (*relo_lstm_dots_fn)(const relo_lstm_params_t *p, const int8_t *input_weights,
                                  const int8_t *recurrent_weights, const int32_t *biases,
                                  const int16_t *x, const int16_t *h, int32_t element,
                                  int32_t *acc);

static inline int32_t relo_lstm_validate(const relo_lstm_params_t *p)
{
    if (p->batches <= 0 || p->time_steps <= 0 || p->input_size <= 0 || p->state_size <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if ((p->cell_gate_activation != RELO_LSTM_ACT_TANH &&
         p->cell_gate_activation != RELO_LSTM_ACT_SIGMOID) ||
        p->cell_clip < 0 || p->cell_clip > RELO_LSTM_INT16_MAX || p->cell_tanh_right_shift < 0 ||
        p->cell_tanh_right_shift > 15 || p->hidden_zero_point < -128 ||
        p->hidden_zero_point > 127) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

/* The portable kernel's requantizations: relo_nn_requantize with the params' multipliers. */
static inline int32_t relo_lstm_rescale(const relo_lstm_params_t *p, const int32_t *records,
                                        int32_t which, int32_t x)
{
    (void)records;
    if (which < RELO_LSTM_GATES) {
        return relo_nn_requantize(x, p->input_multiplier[which], p->input_shift[which]);
    }
    if (which < 2 * RELO_LSTM_GATES) {
        const int32_t g = which - RELO_LSTM_GATES;
        return relo_nn_requantize(x, p->recurrent_multiplier[g], p->recurrent_shift[g]);
    }
    if (which == RELO_LSTM_RESCALE_FORGET_CELL) {
        return relo_nn_requantize(x, p->forget_cell_multiplier, p->forget_cell_shift);
    }
    if (which == RELO_LSTM_RESCALE_INPUT_CELL) {
        return relo_nn_requantize(x, p->input_cell_multiplier, p->input_cell_shift);
    }
    return relo_nn_requantize(x, p->hidden_multiplier, p->hidden_shift);
}

/* gate g = activation(clamp16(clamp16(input FC) + clamp16(recurrent FC))), Q0.15 */
static inline int32_t relo_lstm_gate_value(const relo_lstm_params_t *p, const int32_t *records,
                                           relo_lstm_rescale_fn rescale, const int32_t *acc,
                                           int32_t g)
{
    const int32_t sum = relo_nn_sat_s16(
        relo_nn_sat_s16(rescale(p, records, RELO_LSTM_RESCALE_INPUT_FC(g), acc[g])) +
        relo_nn_sat_s16(rescale(p, records, RELO_LSTM_RESCALE_RECURRENT_FC(g),
                                acc[RELO_LSTM_GATES + g])));
    const int32_t activation = g == RELO_LSTM_GATE_CELL ? p->cell_gate_activation
                                                        : RELO_LSTM_ACT_SIGMOID;
    return activation == RELO_LSTM_ACT_TANH
               ? relo_nn_tanh_s16(sum, RELO_LSTM_GATE_ACT_MULTIPLIER, 0)
               : relo_nn_sigmoid_s16(sum, RELO_LSTM_GATE_ACT_MULTIPLIER, 0);
}

/* From one element's accumulators: cell = clip(clamp16(clamp16(forget * cell) +
 * clamp16(input * cell gate))), hidden = int8(tanh(cell) * output gate) (TFLite
 * MulElementwise for the three products). */
static inline void relo_lstm_update_element(const relo_lstm_params_t *p, const int32_t *records,
                                            relo_lstm_rescale_fn rescale, const int32_t *acc,
                                            int16_t *cell, int8_t *hidden)
{
    const int32_t forget = relo_lstm_gate_value(p, records, rescale, acc, RELO_LSTM_GATE_FORGET);
    const int32_t input = relo_lstm_gate_value(p, records, rescale, acc, RELO_LSTM_GATE_INPUT);
    const int32_t cell_gate = relo_lstm_gate_value(p, records, rescale, acc, RELO_LSTM_GATE_CELL);
    const int32_t output_gate =
        relo_lstm_gate_value(p, records, rescale, acc, RELO_LSTM_GATE_OUTPUT);
    const int32_t kept =
        relo_nn_sat_s16(rescale(p, records, RELO_LSTM_RESCALE_FORGET_CELL, forget * *cell));
    const int32_t added = relo_nn_sat_s16(
        rescale(p, records, RELO_LSTM_RESCALE_INPUT_CELL, input * cell_gate));
    int32_t value = relo_nn_sat_s16(kept + added);
    if (p->cell_clip > 0) {
        value = relo_nn_clamp_s32(value, -p->cell_clip, p->cell_clip);
    }
    *cell = (int16_t)value;
    const int32_t tanh_cell =
        relo_nn_tanh_s16(value, p->cell_tanh_multiplier, p->cell_tanh_right_shift);
    *hidden = (int8_t)relo_nn_sat_s8(
        rescale(p, records, RELO_LSTM_RESCALE_HIDDEN, tanh_cell * output_gate) +
        p->hidden_zero_point);
}

/* Every batch row and time step; `scratch` holds padded4(input_size) + padded4(state_size)
 * int16 (the widened input row, then the widened previous hidden state). Inlined into each
 * kernel with its own `dots` and `rescale`, so the calls through the pointers become direct
 * ones (or vanish). */
static inline int32_t relo_lstm_run(const relo_lstm_params_t *params, const int8_t *input,
                                    const int8_t *input_weights, const int8_t *recurrent_weights,
                                    const int32_t *biases, int8_t *hidden_state,
                                    int16_t *cell_state, int8_t *output, int16_t *scratch,
                                    const int32_t *records, relo_lstm_dots_fn dots,
                                    relo_lstm_rescale_fn rescale)
{
    if (params == 0 || input == 0 || input_weights == 0 || recurrent_weights == 0 ||
        biases == 0 || hidden_state == 0 || cell_state == 0 || output == 0 || scratch == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    const int32_t status = relo_lstm_validate(params);
    if (status != RELO_NN_OK) {
        return status;
    }
    const int32_t n = params->state_size;
    int16_t *x = scratch;
    int16_t *h = scratch + relo_nn_padded4(params->input_size);
    int32_t acc[2 * RELO_LSTM_GATES];
    for (int32_t b = 0; b < params->batches; ++b) {
        int8_t *hidden = hidden_state + b * n;
        int16_t *cell = cell_state + b * n;
        for (int32_t t = 0; t < params->time_steps; ++t) {
            /* row (b, t) of the input and output, in either layout */
            const int32_t row = params->time_major ? t * params->batches + b
                                                   : b * params->time_steps + t;
            relo_nn_widen_s8(input + row * params->input_size, params->input_size,
                            params->input_offset, x);
            relo_nn_widen_s8(hidden, n, params->hidden_offset, h);
            for (int32_t i = 0; i < n; ++i) {
                dots(params, input_weights, recurrent_weights, biases, x, h, i, acc);
                relo_lstm_update_element(params, records, rescale, acc, &cell[i], &hidden[i]);
            }
            for (int32_t i = 0; i < n; ++i) {
                output[row * n + i] = hidden[i];
            }
        }
    }
    return RELO_NN_OK;
}

#endif /* RELO_LSTM_COMMON_H */
