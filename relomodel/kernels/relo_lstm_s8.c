/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights, int16 cell state, int32 bias,
 * bit-exact with TFLite Micro's reference integer LSTM. Per time step and batch row:
 *   gate   = act(clamp16(FC_input(x) + FC_recurrent(h)))   (Q3.12 in, Q0.15 out)
 *   cell   = clip(clamp16(forget * cell + input * cell_gate))
 *   hidden = tanh(cell) * output, requantized to int8; the output row is a copy of hidden.
 * Rows are independent, so batches are run one after another in either layout.
 */
#include "relo_nn_functions.h"
#include "relo_nn_math.h"
#include "relo_nn_s16_activations.h"

#define RELO_LSTM_INT16_MIN (-32768)
#define RELO_LSTM_INT16_MAX 32767
#define RELO_LSTM_GATE_ACT_MULTIPLIER 3 /* Q3.12 gate input: the reference's power-of-two case */

/* One FC of a gate: rows of `weights` . (vector + offset) + bias, requantized to int16. */
static void relo_lstm_fc(const int8_t *vector, int32_t depth, int32_t offset,
                         const int8_t *weights, const int32_t *bias, int32_t rows,
                         int32_t multiplier, int32_t shift, int16_t *out)
{
    for (int32_t r = 0; r < rows; ++r) {
        const int8_t *row = weights + r * depth;
        int32_t acc = bias != 0 ? bias[r] : 0;
        for (int32_t d = 0; d < depth; ++d) {
            acc += (int32_t)row[d] * ((int32_t)vector[d] + offset);
        }
        out[r] = (int16_t)relo_nn_clamp_s32(relo_nn_requantize(acc, multiplier, shift),
                                            RELO_LSTM_INT16_MIN, RELO_LSTM_INT16_MAX);
    }
}

/* gate = activation(clamp16(input FC + recurrent FC)) into `gate`; `temp` is scratch. */
static void relo_lstm_gate(const relo_lstm_params_t *p, int32_t g, int32_t activation,
                           const int8_t *x, const int8_t *h, const int8_t *input_weights,
                           const int8_t *recurrent_weights, const int32_t *biases,
                           int16_t *gate, int16_t *temp)
{
    const int32_t n = p->state_size;
    relo_lstm_fc(x, p->input_size, p->input_offset, input_weights + g * n * p->input_size,
                 biases + g * n, n, p->input_multiplier[g], p->input_shift[g], gate);
    relo_lstm_fc(h, n, p->hidden_offset, recurrent_weights + g * n * n, 0, n,
                 p->recurrent_multiplier[g], p->recurrent_shift[g], temp);
    for (int32_t i = 0; i < n; ++i) {
        const int32_t sum = relo_nn_clamp_s32((int32_t)gate[i] + temp[i], RELO_LSTM_INT16_MIN,
                                              RELO_LSTM_INT16_MAX);
        gate[i] = activation == RELO_LSTM_ACT_TANH
                      ? relo_nn_tanh_s16(sum, RELO_LSTM_GATE_ACT_MULTIPLIER, 0)
                      : relo_nn_sigmoid_s16(sum, RELO_LSTM_GATE_ACT_MULTIPLIER, 0);
    }
}

/* a * b requantized and clamped to [low, high], plus a zero point (TFLite MulElementwise). */
static int32_t relo_lstm_mul(int32_t a, int32_t b, int32_t multiplier, int32_t shift,
                             int32_t zero_point, int32_t low, int32_t high)
{
    return relo_nn_clamp_s32(relo_nn_requantize(a * b, multiplier, shift) + zero_point, low, high);
}

/* cell = clip(clamp16(clamp16(forget * cell) + clamp16(input * cell_gate))) */
static void relo_lstm_update_cell(const relo_lstm_params_t *p, const int16_t *forget,
                                  const int16_t *input, const int16_t *cell_gate, int16_t *cell)
{
    for (int32_t i = 0; i < p->state_size; ++i) {
        const int32_t kept = relo_lstm_mul(forget[i], cell[i], p->forget_cell_multiplier,
                                           p->forget_cell_shift, 0, RELO_LSTM_INT16_MIN,
                                           RELO_LSTM_INT16_MAX);
        const int32_t added = relo_lstm_mul(input[i], cell_gate[i], p->input_cell_multiplier,
                                            p->input_cell_shift, 0, RELO_LSTM_INT16_MIN,
                                            RELO_LSTM_INT16_MAX);
        int32_t value = relo_nn_clamp_s32(kept + added, RELO_LSTM_INT16_MIN, RELO_LSTM_INT16_MAX);
        if (p->cell_clip > 0) {
            value = relo_nn_clamp_s32(value, -p->cell_clip, p->cell_clip);
        }
        cell[i] = (int16_t)value;
    }
}

/* hidden = int8(tanh(cell) * output gate) */
static void relo_lstm_update_hidden(const relo_lstm_params_t *p, const int16_t *cell,
                                    const int16_t *output_gate, int8_t *hidden)
{
    for (int32_t i = 0; i < p->state_size; ++i) {
        const int32_t tanh_cell =
            relo_nn_tanh_s16(cell[i], p->cell_tanh_multiplier, p->cell_tanh_right_shift);
        hidden[i] = (int8_t)relo_lstm_mul(tanh_cell, output_gate[i], p->hidden_multiplier,
                                          p->hidden_shift, p->hidden_zero_point, -128, 127);
    }
}

/* One time step of one batch row. scratch: forget, input, cell gate, output gate, temp. */
static void relo_lstm_step(const relo_lstm_params_t *p, const int8_t *x,
                           const int8_t *input_weights, const int8_t *recurrent_weights,
                           const int32_t *biases, int8_t *hidden, int16_t *cell, int16_t *scratch)
{
    const int32_t n = p->state_size;
    int16_t *forget = scratch;
    int16_t *input = scratch + n;
    int16_t *cell_gate = scratch + 2 * n;
    int16_t *output_gate = scratch + 3 * n;
    int16_t *temp = scratch + 4 * n;
    relo_lstm_gate(p, RELO_LSTM_GATE_FORGET, RELO_LSTM_ACT_SIGMOID, x, hidden, input_weights,
                   recurrent_weights, biases, forget, temp);
    relo_lstm_gate(p, RELO_LSTM_GATE_INPUT, RELO_LSTM_ACT_SIGMOID, x, hidden, input_weights,
                   recurrent_weights, biases, input, temp);
    relo_lstm_gate(p, RELO_LSTM_GATE_CELL, p->cell_gate_activation, x, hidden, input_weights,
                   recurrent_weights, biases, cell_gate, temp);
    relo_lstm_update_cell(p, forget, input, cell_gate, cell);
    relo_lstm_gate(p, RELO_LSTM_GATE_OUTPUT, RELO_LSTM_ACT_SIGMOID, x, hidden, input_weights,
                   recurrent_weights, biases, output_gate, temp);
    relo_lstm_update_hidden(p, cell, output_gate, hidden);
}

static int32_t relo_lstm_validate(const relo_lstm_params_t *p)
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

int32_t relo_lstm_s8(const relo_lstm_params_t *params, const int8_t *input,
                     const int8_t *input_weights, const int8_t *recurrent_weights,
                     const int32_t *biases, int8_t *hidden_state, int16_t *cell_state,
                     int8_t *output, int16_t *scratch)
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
    for (int32_t b = 0; b < params->batches; ++b) {
        int8_t *hidden = hidden_state + b * n;
        int16_t *cell = cell_state + b * n;
        for (int32_t t = 0; t < params->time_steps; ++t) {
            /* row (b, t) of the input and output, in either layout */
            const int32_t row = params->time_major ? t * params->batches + b
                                                   : b * params->time_steps + t;
            relo_lstm_step(params, input + row * params->input_size, input_weights,
                           recurrent_weights, biases, hidden, cell, scratch);
            for (int32_t i = 0; i < n; ++i) {
                output[row * n + i] = hidden[i];
            }
        }
    }
    return RELO_NN_OK;
}
