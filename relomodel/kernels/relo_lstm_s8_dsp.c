/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UNIDIRECTIONAL_SEQUENCE_LSTM for cores with the DSP extension: relo_lstm_s8 (same step and
 * gate arithmetic, relo_lstm_common.h) with the eight dot products of an element done by
 * SMLAD, the four gates at once so each pair of the widened vector is loaded once for all
 * four rows.
 *
 * Layout contract with the compiler (compiler/kernel_select/ lstm), fixed at pack time:
 * - K = input_size (state_size for the recurrent weights) rounded up to a multiple of 4, the
 *   weights zero padded to it (the widened vectors are zero padded alike);
 * - input weights, int8: for element i, for quad q = 0 .. K/4 - 1, quad q of row i of gate
 *   0, 1, 2, 3 (RELO_LSTM_GATE_* order): 16 bytes, each quad in SXTB16 order (w0, w2, w1,
 *   w3), so SXTB16 gives (w0, w1) and SXTB16 ROR 8 gives (w2, w3), matching the int16 pairs
 *   of the widened vector; recurrent weights the same with state_size;
 * - biases, int32: [state][4], the four gates of element i together;
 * - rescales, int32: [RELO_LSTM_RESCALES][4] records (multiplier, left shift + 1, right shift,
 *   rounding) of TFLite Micro's requantizations (relo_lstm_common.h order), for
 *   relo_dsp_rescale, whose preconditions the compiler proved.
 * Bit-exact with relo_lstm_s8: the same int32 sums in another order (|sum| < 2^26: no wrap)
 * and the same requantizations in fewer instructions.
 */
#include "relo_dsp_dot4.h"
#include "relo_dsp_rescale.h"
#include "relo_lstm_common.h"

/* relo_lstm_common.h's rescale: the record `which` of the kernel's table */
static inline int32_t relo_lstm_dsp_rescale(const relo_lstm_params_t *p, const int32_t *records,
                                            int32_t which, int32_t x)
{
    (void)p;
    return relo_dsp_rescale(records + 4 * which, x);
}

/* relo_lstm_common.h's dots (inlined: the call would cost more than the setup) */
static inline __attribute__((always_inline)) void
relo_lstm_dsp_dots(const relo_lstm_params_t *p, const int8_t *input_weights,
                   const int8_t *recurrent_weights, const int32_t *biases, const int16_t *x,
                   const int16_t *h, int32_t element, int32_t *acc)
{
    const int32_t input_length = relo_nn_padded4(p->input_size);
    const int32_t state_length = relo_nn_padded4(p->state_size);
    for (int32_t g = 0; g < RELO_LSTM_GATES; ++g) {
        acc[g] = biases[element * RELO_LSTM_GATES + g];
        acc[RELO_LSTM_GATES + g] = 0;
    }
    relo_dsp_dot4_s8_s16(x, input_weights + element * RELO_LSTM_GATES * input_length,
                         input_length >> 2, acc);
    relo_dsp_dot4_s8_s16(h, recurrent_weights + element * RELO_LSTM_GATES * state_length,
                         state_length >> 2, acc + RELO_LSTM_GATES);
}

int32_t relo_lstm_s8_dsp(const relo_lstm_params_t *params, const int8_t *input,
                         const int8_t *input_weights, const int8_t *recurrent_weights,
                         const int32_t *biases, int8_t *hidden_state, int16_t *cell_state,
                         int8_t *output, int16_t *scratch, const int32_t *rescales)
{
    if (rescales == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    return relo_lstm_run(params, input, input_weights, recurrent_weights, biases, hidden_state,
                         cell_state, output, scratch, rescales, relo_lstm_dsp_dots,
                         relo_lstm_dsp_rescale);
}
