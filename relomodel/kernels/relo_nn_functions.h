/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Public entry points of the portable kernels, one per .c file.
 * Each returns RELO_NN_OK or a RELO_NN_ERR_* code after validating its arguments.
 * Every kernel is bit-exact with the TensorFlow Lite Micro reference kernel of the same op.
 */
#ifndef RELO_NN_FUNCTIONS_H
#define RELO_NN_FUNCTIONS_H

#include <stdint.h>

#include "relo_nn_types.h"

/* FULLY_CONNECTED, int8 activations and weights, int32 bias (may be NULL).
 * `multipliers`/`shifts` hold output_depth entries when params->per_channel, else one. */
int32_t relo_fully_connected_s8(const relo_fc_params_t *params, const int8_t *input,
                                const int8_t *weights, const int32_t *bias,
                                const int32_t *multipliers, const int32_t *shifts,
                                int8_t *output);

/* FULLY_CONNECTED over an input that arrives in slices (batch 1): begin sets the output_depth
 * int32 accumulators `acc` to the bias (may be NULL), accumulate adds input elements
 * [first, first + count) held in `slice`, finish requantizes (relo_fully_connected_s8.c). */
int32_t relo_fc_stream_begin_s8(const relo_fc_params_t *params, const int32_t *bias, int32_t *acc);
int32_t relo_fc_stream_accumulate_s8(const relo_fc_params_t *params, const int8_t *slice,
                                     int32_t first, int32_t count, const int8_t *weights,
                                     int32_t *acc);
int32_t relo_fc_stream_finish_s8(const relo_fc_params_t *params, const int32_t *multipliers,
                                 const int32_t *shifts, const int32_t *acc, int8_t *output);
/* relo_fc_stream_accumulate_s8's argument checks (its DSP version shares them). */
int32_t relo_fc_stream_check_s8(const relo_fc_params_t *params, const int8_t *slice,
                                int32_t first, int32_t count, const int8_t *weights,
                                const int32_t *acc);

/* The streaming FULLY_CONNECTED on relo_fully_connected_s8_dsp's weight layout (DSP
 * extension): begin with relo_fc_stream_begin_s8 and its row_constants as the bias; slices
 * start at a multiple of 4; finish with its requant records (relo_fully_connected_s8_dsp.c). */
int32_t relo_fc_stream_accumulate_s8_dsp(const relo_fc_params_t *params, const int8_t *slice,
                                         int32_t first, int32_t count, const int8_t *weights,
                                         int32_t *acc);
int32_t relo_fc_stream_finish_s8_dsp(const relo_fc_params_t *params,
                                     const relo_dsp_requant_t *requant, const int32_t *acc,
                                     int8_t *output);

/* SOFTMAX, int8 in, int8 out (output scale 1/256, zero point -128). */
int32_t relo_softmax_s8(const relo_softmax_params_t *params, const int8_t *input, int8_t *output);

/* QUANTIZE float32 -> int8. */
int32_t relo_quantize_f32_s8(const relo_quantize_params_t *params, const float *input,
                             int8_t *output);

/* QUANTIZE int8 -> int8 (a change of scale and zero point). */
int32_t relo_requantize_s8(const relo_requantize_params_t *params, const int8_t *input,
                           int8_t *output);

/* DEQUANTIZE int8 -> float32. */
int32_t relo_dequantize_s8_f32(const relo_dequantize_params_t *params, const int8_t *input,
                               float *output);

/* CONV_2D, int8 activations and filter, int32 bias (may be NULL); `multipliers`/`shifts`
 * hold output_depth entries (per-tensor filters repeat one value). */
int32_t relo_conv_s8(const relo_conv_params_t *params, const int8_t *input, const int8_t *filter,
                     const int32_t *bias, const int32_t *multipliers, const int32_t *shifts,
                     int8_t *output);

/* DEPTHWISE_CONV_2D, int8; `multipliers`/`shifts` hold input_depth * depth_multiplier entries. */
int32_t relo_depthwise_conv_s8(const relo_depthwise_conv_params_t *params, const int8_t *input,
                               const int8_t *filter, const int32_t *bias,
                               const int32_t *multipliers, const int32_t *shifts, int8_t *output);

/* CONV_2D, int8, DSP extension (M4/M7): im2col into `scratch` + SMLAD matrix product. The
 * filter is re-laid out at pack time with the biases in it, `requant` holds one record per channel and `scratch` columns * K int16, columns (pixels per step) 1 or 2 (relo_conv_s8_dsp.c). */
int32_t relo_conv_s8_dsp(const relo_conv_params_t *params, const int8_t *input,
                         const int8_t *filter, const relo_dsp_requant_t *requant, int8_t *output,
                         int16_t *scratch, int32_t columns);

/* relo_conv_s8_dsp with the filter widened to int16 at pack time (no extension in the inner
 * loop; twice the filter bytes: the compiler picks it for layers whose weights serve many
 * pixels) (relo_conv_s8_dsp.c). */
int32_t relo_conv_s8_dsp_wide(const relo_conv_params_t *params, const int8_t *input,
                              const int16_t *filter, const relo_dsp_requant_t *requant,
                              int8_t *output, int16_t *scratch, int32_t columns);

/* relo_conv_s8_dsp (the same int8 filter) for small images: every pixel's column extended
 * into `scratch` at once, each output channel pair widened once into its tail, then dotted
 * with every pixel pair; scratch holds ceil(pixels / 2) * 2 * K + 4 + 2 * K int16
 * (relo_conv_s8_dsp.c). */
int32_t relo_conv_s8_dsp_image(const relo_conv_params_t *params, const int8_t *input,
                               const int8_t *filter, const relo_dsp_requant_t *requant,
                               int8_t *output, int16_t *scratch);

/* CONV_2D 1x1, stride 1, no padding, over exactly 8 input channels, full int8 activation
 * range, DSP extension: the pixel stays in registers (no im2col, no scratch); filter and
 * per-channel {2 * bias, requantization} laid out at pack time (relo_conv_s8_dsp.c). */
int32_t relo_conv_pointwise8_s8_dsp(const relo_conv_params_t *params, const int8_t *input,
                                    const int16_t *filter, const int32_t *channels,
                                    int8_t *output);

/* DEPTHWISE_CONV_2D, int8, depth multiplier 1, depth % 4 == 0, DSP extension; the filter is
 * widened to int16 and laid out at pack time with the bias and the requantization records
 * folded in (relo_depthwise_conv_s8_dsp.c). */
int32_t relo_depthwise_conv_s8_dsp(const relo_depthwise_conv_params_t *params,
                                   const int8_t *input, const int16_t *filter, int8_t *output);

/* A one-channel image convolved into output_depth channels (DEPTHWISE_CONV_2D, input depth 1),
 * dilation 1, DSP extension: no im2col, each output row's image rows padded into `scratch`
 * (at least relo_conv_one_channel_s8_dsp_scratch_bytes); filter, offset_terms and requant laid
 * out at pack time (relo_conv_one_channel_s8_dsp.c). */
int32_t relo_conv_one_channel_s8_dsp(const relo_conv_params_t *params, const int8_t *input,
                                     const int16_t *filter, const int32_t *bias,
                                     const int32_t *offset_terms,
                                     const relo_dsp_requant_t *requant, int8_t *output,
                                     int8_t *scratch, int32_t scratch_bytes);
int32_t relo_conv_one_channel_s8_dsp_scratch_bytes(const relo_conv_params_t *params);

/* FULLY_CONNECTED, int8, symmetric weights, TFLite Micro rounding, DSP extension: weights
 * re-laid out at pack time, `row_constants` = bias + input_offset * row sums, `requant` as for
 * relo_conv_s8_dsp (relo_fully_connected_s8_dsp.c). */
int32_t relo_fully_connected_s8_dsp(const relo_fc_params_t *params, const int8_t *input,
                                    const int8_t *weights, const int32_t *row_constants,
                                    const relo_dsp_requant_t *requant, int8_t *output);

/* The same dot products with relo_fully_connected_s8's requantization (any shift, any
 * accumulator, either rounding). Both link relo_fully_connected_s8.c (relo_fc_output_s8). */
int32_t relo_fully_connected_s8_dsp_rescale(const relo_fc_params_t *params, const int8_t *input,
                                            const int8_t *weights, const int32_t *row_constants,
                                            const int32_t *multipliers, const int32_t *shifts,
                                            int8_t *output);

/* Accumulator of output channel c -> int8 output, as relo_fully_connected_s8 does it. */
int8_t relo_fc_output_s8(const relo_fc_params_t *params, int32_t acc, int32_t c,
                         const int32_t *multipliers, const int32_t *shifts);

/* AVERAGE_POOL_2D, int8 (input and output share one quantization). */
int32_t relo_average_pool_s8(const relo_pool_params_t *params, const int8_t *input,
                             int8_t *output);

/* MAX_POOL_2D, int8 (input and output share one quantization). */
int32_t relo_max_pool_s8(const relo_pool_params_t *params, const int8_t *input, int8_t *output);

/* PAD / PADV2, int8, rank <= 4. */
int32_t relo_pad_s8(const relo_pad_params_t *params, const int8_t *input, int8_t *output);

/* ADD / SUB (params->subtract), int8 with broadcasting. */
int32_t relo_add_s8(const relo_add_params_t *params, const int8_t *input1, const int8_t *input2,
                    int8_t *output);

/* relo_add_s8 on big tensors: each input's rescaled share depends on its int8 value alone, so
 * relo_add_s8_tables fills `tables` (RELO_ADD_S8_TABLE_ENTRIES int32: the first input's 256
 * shares, then the second's, negated for SUB) once at init, and relo_add_s8_tabulated adds two
 * lookups and rescales the sum (relo_add_s8.c). */
#define RELO_ADD_S8_TABLE_ENTRIES 512
int32_t relo_add_s8_tables(const relo_add_params_t *params, int32_t *tables);
int32_t relo_add_s8_tabulated(const relo_add_params_t *params, const int32_t *tables,
                              const int8_t *input1, const int8_t *input2, int8_t *output);

/* MUL, int8 with broadcasting. */
int32_t relo_mul_s8(const relo_mul_params_t *params, const int8_t *input1, const int8_t *input2,
                    int8_t *output);

/* LOGISTIC, int8 -> int8 (output scale 1/256, zero point -128). */
int32_t relo_logistic_s8(const relo_sigmoid_params_t *params, const int8_t *input, int8_t *output);

/* TANH, int8 -> int8 (output scale 1/128, zero point 0). */
int32_t relo_tanh_s8(const relo_sigmoid_params_t *params, const int8_t *input, int8_t *output);

/* An int8 -> int8 elementwise function as a table of RELO_LOOKUP_S8_ENTRIES values indexed by
 * input + 128: relo_lookup_s8_domain writes -128..127 into it, the function's own kernel then
 * maps it in place (once, at init), and relo_lookup_s8 applies it (relo_lookup_s8.c). */
#define RELO_LOOKUP_S8_ENTRIES 256
int32_t relo_lookup_s8_domain(int8_t *table);
int32_t relo_lookup_s8(const int8_t *table, const int8_t *input, int8_t *output, int32_t size);

/* RELU / RELU6 (and other clamps), int8. */
int32_t relo_relu_s8(const relo_relu_params_t *params, const int8_t *input, int8_t *output);

/* LEAKY_RELU, int8. */
int32_t relo_leaky_relu_s8(const relo_leaky_relu_params_t *params, const int8_t *input,
                           int8_t *output);

/* HARD_SWISH, int8. */
int32_t relo_hard_swish_s8(const relo_hard_swish_params_t *params, const int8_t *input,
                           int8_t *output);

/* QUANTIZE uint8 -> int8 and int8 -> uint8 (zero points are those of each side's type). */
int32_t relo_requantize_u8_s8(const relo_requantize_params_t *params, const uint8_t *input,
                              int8_t *output);
int32_t relo_requantize_s8_u8(const relo_requantize_params_t *params, const int8_t *input,
                              uint8_t *output);

/* CONCATENATION, int8: `inputs[i]` describes `input_data[i]`. */
int32_t relo_concatenation_s8(const relo_concat_params_t *params, const relo_concat_input_t *inputs,
                              const int8_t *const *input_data, int8_t *output);

/* TRANSPOSE and STRIDED_SLICE: a strided gather of 1-, 2- or 4-byte elements. */
int32_t relo_gather(const relo_gather_params_t *params, const void *input, void *output);

/* SVDF, int8 input and output, int8 state and weights_time; bias may be NULL.
 * `state` is [batches][filters * memory_size] and is updated in place. */
int32_t relo_svdf_s8(const relo_svdf_params_t *params, const int8_t *input,
                     const int8_t *weights_feature, const int8_t *weights_time,
                     const int32_t *bias, int8_t *state, int8_t *output);

/* relo_svdf_s8 with SMLAD: weights_feature, unit_constants (bias folded with the state zero
 * point) and the feature requantization record in the layout of relo_svdf_s8_dsp.c
 * (compiler/kernel_select/); `scratch` holds input_size rounded up to 4 int16. */
int32_t relo_svdf_s8_dsp(const relo_svdf_params_t *params, const int8_t *input,
                         const int8_t *weights_feature, const int8_t *weights_time,
                         const int32_t *unit_constants, const int32_t *feature_rescale,
                         int8_t *state, int8_t *output, int16_t *scratch);

/* relo_svdf_s8_s16 with SMLAD, the same layouts as relo_svdf_s8_dsp (relo_svdf_s8_dsp.c). */
int32_t relo_svdf_s8_s16_dsp(const relo_svdf_params_t *params, const int8_t *input,
                             const int8_t *weights_feature, const int16_t *weights_time,
                             const int32_t *unit_constants, const int32_t *feature_rescale,
                             int16_t *state, int8_t *output, int16_t *scratch);

/* SVDF, int8 input and output, int16 state and weights_time (the 8x16 variant). */
int32_t relo_svdf_s8_s16(const relo_svdf_params_t *params, const int8_t *input,
                         const int8_t *weights_feature, const int16_t *weights_time,
                         const int32_t *bias, int16_t *state, int8_t *output);

/* UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations, int16 cell state. Weights of the four gates
 * are stacked in gate order: input_weights [4][state][input], recurrent_weights
 * [4][state][state], biases [4][state]. hidden_state [batches][state] and cell_state
 * [batches][state] are updated in place; `scratch` holds P(input_size) + P(state_size) int16,
 * P(s) = s rounded up to a multiple of 4. */
int32_t relo_lstm_s8(const relo_lstm_params_t *params, const int8_t *input,
                     const int8_t *input_weights, const int8_t *recurrent_weights,
                     const int32_t *biases, int8_t *hidden_state, int16_t *cell_state,
                     int8_t *output, int16_t *scratch);

/* relo_lstm_s8 with SMLAD, the four gates of an element at once; weights, biases and the
 * requantization records `rescales` in the layout of relo_lstm_s8_dsp.c
 * (compiler/kernel_select/), scratch as relo_lstm_s8's. */
int32_t relo_lstm_s8_dsp(const relo_lstm_params_t *params, const int8_t *input,
                         const int8_t *input_weights, const int8_t *recurrent_weights,
                         const int32_t *biases, int8_t *hidden_state, int16_t *cell_state,
                         int8_t *output, int16_t *scratch, const int32_t *rescales);

/* QUANTIZE int16 -> int8, int16 or int32 (params->output_bytes wide), clamped to the output type. */
int32_t relo_requantize_s16(const relo_requantize_wide_params_t *params, const int16_t *input,
                            void *output);

/* SOFTMAX, int8 in, int16 out (output scale 1/65536, zero point -32768). */
int32_t relo_softmax_s8_s16(const relo_softmax_params_t *params, const int8_t *input,
                            int16_t *output);

/* MEAN, int8, rank <= 4, any set of axes. */
int32_t relo_mean_s8(const relo_mean_params_t *params, const int8_t *input, int8_t *output);

/* float32 kernels (relo_*_f32.c) */
#include "relo_nn_f32.h"

#endif /* RELO_NN_FUNCTIONS_H */
