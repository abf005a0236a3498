/* SPDX-License-Identifier: Apache-2.0 */
/*
 * float32 kernels: argument structs and entry points, one per relo_*_f32.c file.
 *
 * They follow TFLite Micro's float reference kernels operation for operation (same
 * summation order, bias added after the sum, the same clamps), so on a host without fused
 * multiply-add the linear ops match it bit for bit. On Cortex-M4F the compiler fuses
 * multiply-adds (VFMA) and exp/tanh are our own (relo_nn_float.h): results then agree within
 * the tolerance documented in docs/float-models.md. Like the int8 structs, these hold only
 * numbers, never pointers.
 */
#ifndef RELO_NN_F32_H
#define RELO_NN_F32_H

#include <stdint.h>

#include "relo_nn_types.h"

/* Fused activation clamp of a float output: [-RELO_F32_MAX, RELO_F32_MAX] for none. */
typedef struct {
    float min;
    float max;
} relo_f32_range_t;

typedef struct {
    int32_t batches;     /* rows of the input */
    int32_t input_depth; /* weights are [output_depth][input_depth] */
    int32_t output_depth;
    relo_f32_range_t activation;
} relo_fc_f32_params_t;

/* filter [output_depth][filter_height][filter_width][filter_input_depth], grouped when
 * filter_input_depth < input_depth, as relo_conv_params_t. */
typedef struct {
    relo_window_t window;
    int32_t input_depth;
    int32_t filter_input_depth;
    int32_t output_depth;
    relo_f32_range_t activation;
} relo_conv_f32_params_t;

/* filter [1][filter_height][filter_width][input_depth * depth_multiplier]. */
typedef struct {
    relo_window_t window;
    int32_t input_depth;
    int32_t depth_multiplier;
    relo_f32_range_t activation;
} relo_depthwise_conv_f32_params_t;

typedef struct {
    relo_window_t window;
    int32_t depth;
    relo_f32_range_t activation;
} relo_pool_f32_params_t;

#define RELO_F32_ADD 0
#define RELO_F32_SUB 1
#define RELO_F32_MUL 2

/* ADD, SUB, MUL with broadcasting. */
typedef struct {
    relo_broadcast_t shape;
    int32_t operation; /* RELO_F32_ADD / _SUB / _MUL */
    relo_f32_range_t activation;
} relo_arithmetic_f32_params_t;

typedef struct {
    int32_t rows;
    int32_t depth; /* softmax over the innermost dimension */
    float beta;
} relo_softmax_f32_params_t;

#define RELO_F32_LOGISTIC 0
#define RELO_F32_TANH 1
#define RELO_F32_RELU 2
#define RELO_F32_RELU6 3
#define RELO_F32_LEAKY_RELU 4
#define RELO_F32_HARD_SWISH 5
#define RELO_F32_RELU_N1_TO_1 6

/* One-input activations. */
typedef struct {
    int32_t size;
    int32_t function; /* RELO_F32_LOGISTIC ... */
    float alpha;      /* LEAKY_RELU slope for x <= 0 */
} relo_activation_f32_params_t;

/* MEAN over any axes of a rank <= 4 tensor (extended with leading 1s). */
typedef struct {
    int32_t input_shape[RELO_MEAN_RANK];
    int32_t reduce[RELO_MEAN_RANK]; /* 1: averaged over, 0: kept */
    int32_t count;                 /* elements averaged into each output */
} relo_mean_f32_params_t;

int32_t relo_fully_connected_f32(const relo_fc_f32_params_t *params, const float *input,
                                 const float *weights, const float *bias, float *output);

int32_t relo_conv_f32(const relo_conv_f32_params_t *params, const float *input,
                      const float *filter, const float *bias, float *output);

int32_t relo_depthwise_conv_f32(const relo_depthwise_conv_f32_params_t *params,
                                const float *input, const float *filter, const float *bias,
                                float *output);

int32_t relo_average_pool_f32(const relo_pool_f32_params_t *params, const float *input,
                              float *output);

int32_t relo_max_pool_f32(const relo_pool_f32_params_t *params, const float *input,
                          float *output);

int32_t relo_arithmetic_f32(const relo_arithmetic_f32_params_t *params, const float *input1,
                            const float *input2, float *output);

int32_t relo_softmax_f32(const relo_softmax_f32_params_t *params, const float *input,
                         float *output);

int32_t relo_activation_f32(const relo_activation_f32_params_t *params, const float *input,
                            float *output);

int32_t relo_mean_f32(const relo_mean_f32_params_t *params, const float *input, float *output);

#endif /* RELO_NN_F32_H */
