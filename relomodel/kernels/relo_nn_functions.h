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

#endif /* RELO_NN_FUNCTIONS_H */
