/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Argument structs and status codes of the portable kernels.
 *
 * Structs hold only numbers (no pointers): generated code keeps them as `static const`
 * data in flash, and a pointer-free constant never needs a relocation.
 */
#ifndef RELO_NN_TYPES_H
#define RELO_NN_TYPES_H

#include <stdint.h>

#define RELO_NN_OK 0
#define RELO_NN_ERR_NULL_ARG 1     /* a required pointer argument is NULL */
#define RELO_NN_ERR_BAD_SIZE 2     /* a dimension is zero or negative */
#define RELO_NN_ERR_BAD_PARAM 3    /* a quantization parameter is out of range */

/* How a 32-bit accumulator is scaled back to int8. */
#define RELO_ROUNDING_TFLM 0   /* TFLite Micro: rounding high multiply, then rounding shift */
#define RELO_ROUNDING_SINGLE 1 /* LiteRT: one 64-bit product, rounded once */

typedef struct {
    int32_t batches;        /* rows of the input */
    int32_t input_depth;    /* elements per input row (weights are [output_depth][input_depth]) */
    int32_t output_depth;
    int32_t input_offset;   /* -input zero point */
    int32_t output_offset;  /* output zero point */
    int32_t activation_min; /* fused activation clamp, in output units */
    int32_t activation_max;
    int32_t per_channel;    /* 1: one multiplier/shift per output channel; 0: one in total */
    int32_t rounding;       /* RELO_ROUNDING_* */
} relo_fc_params_t;

typedef struct {
    int32_t rows;
    int32_t depth;            /* softmax runs over the innermost dimension */
    int32_t input_multiplier; /* beta * input scale, Q31 significand */
    int32_t input_left_shift;
    int32_t diff_min;         /* input differences below this give exp() == 0 */
} relo_softmax_params_t;

typedef struct {
    int32_t size;
    float scale;         /* output scale */
    int32_t zero_point;  /* output zero point */
} relo_quantize_params_t;

typedef struct {
    int32_t size;
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* output zero point */
    int32_t multiplier;    /* input scale / output scale, Q31 significand */
    int32_t shift;
} relo_requantize_params_t;

typedef struct {
    int32_t size;
    float scale;         /* input scale */
    int32_t zero_point;  /* input zero point */
} relo_dequantize_params_t;

#endif /* RELO_NN_TYPES_H */
