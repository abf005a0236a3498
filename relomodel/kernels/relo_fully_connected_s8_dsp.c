/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FULLY_CONNECTED, int8, for cores with the DSP extension: SMLAD over four inputs per step,
 * two output rows per pass, so each input word loaded (and sign-extended) serves two rows.
 *
 * Layout contract with the compiler (compiler/kernel_select/), fixed at pack time:
 * - K = input_depth rounded up to a multiple of 4; a "quad" is 4 consecutive weights of a row;
 * - weights, int8, for each pair of output rows (2i, 2i + 1): quad q of row 2i then quad q of
 *   row 2i + 1, for q = 0 .. K/4 - 1; an odd last row follows as K plain weights; zero padded
 *   past input_depth. Quads keep their natural order: SXTB16 and SXTB16 ROR 8 of a weight word
 *   give (w0, w2) and (w1, w3), which line up with the same split of the input word;
 * - row_constants[c] = bias[c] + input_offset * sum(weights of row c), exact in int32, so the
 *   inner loop multiplies raw inputs (sum(w * (x + o)) = sum(w * x) + o * sum(w));
 * - relo_fully_connected_s8_dsp: requant, one record per output row (relo_nn_dsp.h), the
 *   output offset folded in, when the compiler proved every accumulator below 2^29 and the
 *   rounding is TFLite Micro's; relo_fully_connected_s8_dsp_rescale: the portable kernel's
 *   multipliers and shifts and its requantization, for everything else.
 * Symmetric weights only (asymmetric ones stay on the portable kernel). Bit-exact with
 * relo_fully_connected_s8: the same int32 sums (wrapping alike) in another order.
 */
#include "relo_nn_dsp.h"
#include "relo_nn_functions.h"

#define RELO_FC_DSP_BLOCK 32 /* outputs accumulated before requantizing them */

/* `rescale`: the requantization's table (the records, or the multipliers). */
static int32_t relo_fc_dsp_validate(const relo_fc_params_t *params, const int8_t *input,
                                    const int8_t *weights, const int32_t *row_constants,
                                    const void *rescale, const int8_t *output)
{
    if (params == 0 || input == 0 || weights == 0 || row_constants == 0 || rescale == 0 ||
        output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (params->batches <= 0 || params->input_depth <= 0 || params->output_depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->activation_min > params->activation_max || params->activation_min < -128 ||
        params->activation_max > 127 || params->filter_offset != 0) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

/* x * w added to acc with int32 wrap-around, as SMLAD adds */
static inline int32_t relo_fc_dsp_mac(int32_t acc, int8_t x, int8_t w)
{
    return (int32_t)((uint32_t)acc + (uint32_t)((int32_t)x * w));
}

/* Rows 2i and 2i + 1 (interleaved quads at `w`) dotted with the input row `x`. Inlined into
 * both callers (the whole-row and the streaming kernels): as a call it costs ~10 instructions
 * a row pair, which small layers feel. */
static inline __attribute__((always_inline)) void relo_fc_dsp_dot_pair(const int8_t *x, const int8_t *w, int32_t depth, int32_t *acc0,
                                 int32_t *acc1)
{
    int32_t a0 = *acc0, a1 = *acc1;
    int32_t quads = depth >> 2;
    for (; quads > 0; --quads, x += 4, w += 8) {
        const uint32_t xw = relo_dsp_read_s8x4(x);
        const uint32_t x02 = relo_dsp_sxtb16(xw), x13 = relo_dsp_sxtb16_ror8(xw);
        const uint32_t w0 = relo_dsp_read_s8x4(w), w1 = relo_dsp_read_s8x4(w + 4);
        a0 = relo_dsp_smlad(relo_dsp_sxtb16(w0), x02, a0);
        a1 = relo_dsp_smlad(relo_dsp_sxtb16(w1), x02, a1);
        a0 = relo_dsp_smlad(relo_dsp_sxtb16_ror8(w0), x13, a0);
        a1 = relo_dsp_smlad(relo_dsp_sxtb16_ror8(w1), x13, a1);
    }
    /* the last partial quad: the input ends here, the padded weights do not */
    for (int32_t i = 0; i < (depth & 3); ++i) {
        a0 = relo_fc_dsp_mac(a0, x[i], w[i]);
        a1 = relo_fc_dsp_mac(a1, x[i], w[4 + i]);
    }
    *acc0 = a0;
    *acc1 = a1;
}

/* The odd last row (K plain weights at `w`) dotted with the input row `x`. */
static int32_t relo_fc_dsp_dot(const int8_t *x, const int8_t *w, int32_t depth, int32_t acc)
{
    int32_t quads = depth >> 2;
    for (; quads > 0; --quads, x += 4, w += 4) {
        const uint32_t xw = relo_dsp_read_s8x4(x), ww = relo_dsp_read_s8x4(w);
        acc = relo_dsp_smlad(relo_dsp_sxtb16(ww), relo_dsp_sxtb16(xw), acc);
        acc = relo_dsp_smlad(relo_dsp_sxtb16_ror8(ww), relo_dsp_sxtb16_ror8(xw), acc);
    }
    for (int32_t i = 0; i < (depth & 3); ++i) {
        acc = relo_fc_dsp_mac(acc, x[i], w[i]);
    }
    return acc;
}

/* Accumulators of rows [first, first + count) (first even) for one input row. */
static void relo_fc_dsp_block(const relo_fc_params_t *params, const int8_t *x,
                              const int8_t *weights, const int32_t *row_constants,
                              int32_t first, int32_t count, int32_t *acc)
{
    const int32_t depth = params->input_depth;
    const int32_t length = (depth + 3) & ~3; /* K */
    int32_t i = 0;
    for (; i + 1 < count; i += 2) {
        const int32_t row = first + i;
        acc[i] = row_constants[row];
        acc[i + 1] = row_constants[row + 1];
        relo_fc_dsp_dot_pair(x, weights + row * length, depth, &acc[i], &acc[i + 1]);
    }
    if (i < count) { /* count is odd only in the last block, so this is the odd last row */
        const int32_t row = first + i;
        acc[i] = relo_fc_dsp_dot(x, weights + row * length, depth, row_constants[row]);
    }
}

/* Every batch, RELO_FC_DSP_BLOCK rows at a time, requantized by the records `requant` or, when
 * it is 0, as relo_fully_connected_s8 does with `multipliers` and `shifts`. */
static void relo_fc_dsp_run(const relo_fc_params_t *params, const int8_t *input,
                            const int8_t *weights, const int32_t *row_constants,
                            const relo_dsp_requant_t *requant, const int32_t *multipliers,
                            const int32_t *shifts, int8_t *output)
{
    int32_t acc[RELO_FC_DSP_BLOCK];
    for (int32_t b = 0; b < params->batches; ++b) {
        const int8_t *x = input + b * params->input_depth;
        int8_t *out = output + b * params->output_depth;
        for (int32_t first = 0; first < params->output_depth; first += RELO_FC_DSP_BLOCK) {
            const int32_t left = params->output_depth - first;
            const int32_t count = left < RELO_FC_DSP_BLOCK ? left : RELO_FC_DSP_BLOCK;
            relo_fc_dsp_block(params, x, weights, row_constants, first, count, acc);
            if (requant != 0) {
                relo_dsp_requantize_s8(acc, count, requant + first, params->activation_min,
                                       params->activation_max, out + first);
                continue;
            }
            for (int32_t i = 0; i < count; ++i) {
                out[first + i] = relo_fc_output_s8(params, acc[i], first + i, multipliers, shifts);
            }
        }
    }
}

int32_t relo_fully_connected_s8_dsp(const relo_fc_params_t *params, const int8_t *input,
                                    const int8_t *weights, const int32_t *row_constants,
                                    const relo_dsp_requant_t *requant, int8_t *output)
{
    const int32_t status =
        relo_fc_dsp_validate(params, input, weights, row_constants, requant, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    if (params->rounding != RELO_ROUNDING_TFLM) { /* relo_dsp_requantize_bounded's rounding */
        return RELO_NN_ERR_BAD_PARAM;
    }
    relo_fc_dsp_run(params, input, weights, row_constants, requant, 0, 0, output);
    return RELO_NN_OK;
}

int32_t relo_fully_connected_s8_dsp_rescale(const relo_fc_params_t *params, const int8_t *input,
                                            const int8_t *weights, const int32_t *row_constants,
                                            const int32_t *multipliers, const int32_t *shifts,
                                            int8_t *output)
{
    const int32_t status =
        relo_fc_dsp_validate(params, input, weights, row_constants, multipliers, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    if (shifts == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    relo_fc_dsp_run(params, input, weights, row_constants, 0, multipliers, shifts, output);
    return RELO_NN_OK;
}

/*
 * Streaming (compiler/stream_conv_fc.py) on this layout: relo_fc_stream_begin_s8 with the
 * row_constants as its bias starts the accumulators, each slice adds its share with the dot
 * products above, and finish requantizes with the records. A slice starts at a multiple of 4,
 * so its quads are whole quads of the layout. Bit-exact with the portable streaming kernels.
 */
int32_t relo_fc_stream_accumulate_s8_dsp(const relo_fc_params_t *params, const int8_t *slice,
                                         int32_t first, int32_t count, const int8_t *weights,
                                         int32_t *acc)
{
    const int32_t status = relo_fc_stream_check_s8(params, slice, first, count, weights, acc);
    if (status != RELO_NN_OK) {
        return status;
    }
    if (params->batches != 1 || params->output_depth <= 0 || (first & 3) != 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    const int32_t depth = params->input_depth;
    if (params->filter_offset != 0) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    const int32_t length = (depth + 3) & ~3; /* K */
    int32_t row = 0;
    for (; row + 1 < params->output_depth; row += 2) { /* quad q of a pair at 2 * 4q */
        relo_fc_dsp_dot_pair(slice, weights + row * length + 2 * first, count, &acc[row],
                             &acc[row + 1]);
    }
    if (row < params->output_depth) {
        acc[row] = relo_fc_dsp_dot(slice, weights + row * length + first, count, acc[row]);
    }
    return RELO_NN_OK;
}

int32_t relo_fc_stream_finish_s8_dsp(const relo_fc_params_t *params,
                                     const relo_dsp_requant_t *requant, const int32_t *acc,
                                     int8_t *output)
{
    /* the accumulators stand in for input, weights and row constants, which finish does not read */
    const int32_t status = relo_fc_dsp_validate(params, (const int8_t *)acc, (const int8_t *)acc,
                                                acc, requant, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    if (params->batches != 1) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (params->rounding != RELO_ROUNDING_TFLM) { /* relo_dsp_requantize_bounded's rounding */
        return RELO_NN_ERR_BAD_PARAM;
    }
    relo_dsp_requantize_s8(acc, params->output_depth, requant, params->activation_min,
                           params->activation_max, output);
    return RELO_NN_OK;
}
