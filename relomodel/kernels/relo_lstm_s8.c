/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights, int16 cell state, int32 bias,
 * bit-exact with TFLite Micro's reference integer LSTM. Per time step and batch row:
 *   gate   = act(clamp16(FC_input(x) + FC_recurrent(h)))   (Q3.12 in, Q0.15 out)
 *   cell   = clip(clamp16(forget * cell + input * cell_gate))
 *   hidden = tanh(cell) * output, requantized to int8; the output row is a copy of hidden.
 * Rows are independent, so batches are run one after another in either layout. The step, the
 * gate arithmetic and the cell update are relo_lstm_common.h's; here are the portable dot
 * products over the stacked weights [4][state][input], [4][state][state], biases [4][state].
 */
#include "relo_lstm_common.h"

/* weights row . widened vector, accumulated onto acc */
static int32_t relo_lstm_dot(const int8_t *row, const int16_t *vector, int32_t depth, int32_t acc)
{
    for (int32_t d = 0; d < depth; ++d) {
        acc += (int32_t)row[d] * vector[d];
    }
    return acc;
}

static void relo_lstm_dots(const relo_lstm_params_t *p, const int8_t *input_weights,
                           const int8_t *recurrent_weights, const int32_t *biases,
                           const int16_t *x, const int16_t *h, int32_t element, int32_t *acc)
{
    const int32_t n = p->state_size;
    for (int32_t g = 0; g < RELO_LSTM_GATES; ++g) {
        const int32_t row = g * n + element;
        acc[g] = relo_lstm_dot(input_weights + row * p->input_size, x, p->input_size, biases[row]);
        acc[RELO_LSTM_GATES + g] = relo_lstm_dot(recurrent_weights + row * n, h, n, 0);
    }
}

int32_t relo_lstm_s8(const relo_lstm_params_t *params, const int8_t *input,
                     const int8_t *input_weights, const int8_t *recurrent_weights,
                     const int32_t *biases, int8_t *hidden_state, int16_t *cell_state,
                     int8_t *output, int16_t *scratch)
{
    return relo_lstm_run(params, input, input_weights, recurrent_weights, biases, hidden_state,
                         cell_state, output, scratch, 0, relo_lstm_dots, relo_lstm_rescale);
}
