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
    int32_t filter_offset;  /* -weights zero point: 0 except for asymmetric (uint8-born) weights */
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

/* Window geometry shared by CONV_2D, DEPTHWISE_CONV_2D and the pools: NHWC tensors, the
 * window's top-left input position for output (y, x) is (y * stride - pad, x * stride - pad);
 * taps that fall outside the input are skipped (zero padding after the input offset). */
typedef struct {
    int32_t batches;
    int32_t input_height;
    int32_t input_width;
    int32_t output_height;
    int32_t output_width;
    int32_t filter_height;
    int32_t filter_width;
    int32_t stride_height;
    int32_t stride_width;
    int32_t dilation_height; /* 1 for pools */
    int32_t dilation_width;
    int32_t pad_top;
    int32_t pad_left;
} relo_window_t;

/* CONV_2D, int8; filter [output_depth][filter_height][filter_width][filter_input_depth].
 * Grouped when filter_input_depth < input_depth (output channel c reads group
 * c / (output_depth / groups)). Requantization is always per output channel. */
typedef struct {
    relo_window_t window;
    int32_t input_depth;
    int32_t filter_input_depth;
    int32_t output_depth;
    int32_t input_offset;   /* -input zero point */
    int32_t output_offset;  /* output zero point */
    int32_t activation_min; /* fused activation clamp, in output units */
    int32_t activation_max;
    int32_t filter_offset;  /* -filter zero point: 0 except for asymmetric (uint8-born) filters */
} relo_conv_params_t;

/* DEPTHWISE_CONV_2D, int8; filter [1][filter_height][filter_width][output_depth] with
 * output_depth = input_depth * depth_multiplier. Requantization per output channel. */
typedef struct {
    relo_window_t window;
    int32_t input_depth;
    int32_t depth_multiplier;
    int32_t input_offset;
    int32_t output_offset;
    int32_t activation_min;
    int32_t activation_max;
    int32_t filter_offset;  /* -filter zero point: 0 except for asymmetric (uint8-born) filters */
} relo_depthwise_conv_params_t;

/* DSP kernels (relo_nn_dsp.h): one output channel's requantization, precomputed by the compiler (compiler/kernel_select/,
 * fast_requant) where it proved the preconditions of relo_dsp_requantize_bounded. */
typedef struct {
    int32_t multiplier;  /* [2^30, 2^31) */
    int32_t right_shift; /* -shift, in [1, 22] */
    int32_t rounding;    /* 2^(right_shift - 1) + (output_offset << right_shift) */
} relo_dsp_requant_t;

/* AVERAGE_POOL_2D and MAX_POOL_2D, int8, same quantization in and out. */
typedef struct {
    relo_window_t window;
    int32_t depth;
    int32_t activation_min;
    int32_t activation_max;
    int32_t round_ties_up;  /* AVERAGE_POOL_2D: 1 rounds ties up (LiteRT uint8), 0 away from zero */
} relo_pool_params_t;

#define RELO_PAD_RANK 4 /* lower ranks are extended with leading 1s */

/* PAD / PADV2, int8: output[i] = input[i - before] inside, pad_value outside. */
typedef struct {
    int32_t input_shape[RELO_PAD_RANK];
    int32_t before[RELO_PAD_RANK]; /* padding before each dimension */
    int32_t after[RELO_PAD_RANK];
    int32_t pad_value;             /* int8 value written into the padding */
} relo_pad_params_t;

/* ---- elementwise, activation and shape operators ---- */

#define RELO_NN_MAX_RANK 6 /* shapes in the structs below are padded with leading 1s */

/* Two operands broadcast to the output shape: per-dimension element strides of each input,
 * 0 along the dimensions it is broadcast over. */
typedef struct {
    int32_t output_shape[RELO_NN_MAX_RANK];
    int32_t input1_stride[RELO_NN_MAX_RANK];
    int32_t input2_stride[RELO_NN_MAX_RANK];
} relo_broadcast_t;

/* ADD and SUB, int8, TFLite Micro's general rescaling path: inputs are shifted left by
 * left_shift, rescaled to a common scale, added (or subtracted), and the result rescaled to
 * the output. */
typedef struct {
    relo_broadcast_t shape;
    int32_t subtract;      /* 0: input1 + input2 (ADD); 1: input1 - input2 (SUB) */
    int32_t input1_offset; /* -input zero points */
    int32_t input2_offset;
    int32_t output_offset; /* output zero point */
    int32_t left_shift;
    int32_t input1_multiplier;
    int32_t input1_shift;  /* <= 0 */
    int32_t input2_multiplier;
    int32_t input2_shift;  /* <= 0 */
    int32_t output_multiplier;
    int32_t output_shift;  /* <= 0 */
    int32_t activation_min;
    int32_t activation_max;
} relo_add_params_t;

/* MUL, int8: (x1 - zp1) * (x2 - zp2) rescaled by s1 * s2 / s_out. */
typedef struct {
    relo_broadcast_t shape;
    int32_t input1_offset;
    int32_t input2_offset;
    int32_t output_offset;
    int32_t output_multiplier;
    int32_t output_shift;
    int32_t activation_min;
    int32_t activation_max;
} relo_mul_params_t;

/* LOGISTIC and TANH, int8, gemmlowp fixed point: the centred input is rescaled to q4.27
 * unless it lies outside +-input_range_radius, where the result saturates. */
typedef struct {
    int32_t size;
    int32_t input_zero_point;
    int32_t input_range_radius;
    int32_t input_multiplier;
    int32_t input_left_shift;
} relo_sigmoid_params_t;

/* RELU-style clamp: requantize (input - zp_in) to the output, add zp_out, clamp to
 * [activation_min, activation_max]. RELU6 uses the identity rescale (1 << 30, shift 1). */
typedef struct {
    int32_t size;
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* output zero point */
    int32_t multiplier;
    int32_t shift;
    int32_t activation_min;
    int32_t activation_max;
} relo_relu_params_t;

/* LEAKY_RELU, int8: separate rescales for non-negative (identity) and negative (alpha) inputs. */
typedef struct {
    int32_t size;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t identity_multiplier;
    int32_t identity_shift;
    int32_t alpha_multiplier;
    int32_t alpha_shift;
} relo_leaky_relu_params_t;

/* HARD_SWISH, int8, TFLite's 16-bit fixed-point formulation. */
typedef struct {
    int32_t size;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t output_multiplier_int16;   /* q0.15 */
    int32_t output_multiplier_exponent; /* <= 0 */
    int32_t reluish_multiplier_int16;  /* q0.15 */
    int32_t reluish_multiplier_exponent;
} relo_hard_swish_params_t;

/* One input of a CONCATENATION: `block` bytes per outer row, copied (or requantized with
 * TFLite Micro's QUANTIZE int8 -> int8 arithmetic when `requantize` is 1). */
typedef struct {
    int32_t block;
    int32_t requantize;
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* output zero point */
    int32_t multiplier;
    int32_t shift;
} relo_concat_input_t;

typedef struct {
    int32_t outer;        /* product of the dimensions before the axis */
    int32_t output_block; /* bytes per outer row of the output: the sum of the input blocks */
    int32_t input_count;
} relo_concat_params_t;

/* A strided gather (TRANSPOSE, STRIDED_SLICE): output element (i0..i5) is input element
 * input_base + sum(i_d * input_stride[d]). Works on elements of 1, 2 or 4 bytes. */
typedef struct {
    int32_t output_shape[RELO_NN_MAX_RANK];
    int32_t input_stride[RELO_NN_MAX_RANK];
    int32_t input_base;
    int32_t input_size;   /* elements in the input, to bound every read */
    int32_t element_size; /* bytes */
} relo_gather_params_t;

/* SVDF, int8 input/weights_feature, int8 or int16 state and weights_time, int32 bias.
 * The state holds `memory_size` past feature activations per filter, oldest first. */
typedef struct {
    int32_t batches;
    int32_t input_size;
    int32_t filters;            /* rows of weights_feature = units * rank */
    int32_t rank;
    int32_t memory_size;        /* columns of weights_time */
    int32_t input_zero_point;
    int32_t state_zero_point;   /* 0 for int16 state */
    int32_t output_zero_point;
    int32_t feature_multiplier; /* input x weights_feature -> state scale */
    int32_t feature_shift;
    int32_t output_multiplier;  /* state x weights_time -> output scale */
    int32_t output_shift;
} relo_svdf_params_t;

/* QUANTIZE from int16 to a 1-, 2- or 4-byte integer type. */
typedef struct {
    int32_t size;
    int32_t input_offset;  /* -input zero point */
    int32_t output_offset; /* output zero point */
    int32_t multiplier;    /* input scale / output scale, Q31 significand */
    int32_t shift;
    int32_t output_min;    /* limits of the output type */
    int32_t output_max;
    int32_t output_bytes;  /* 1, 2 or 4 */
} relo_requantize_wide_params_t;

/* Gate order of every per-gate array in relo_lstm_params_t and of the stacked weights. */
#define RELO_LSTM_GATE_INPUT 0
#define RELO_LSTM_GATE_FORGET 1
#define RELO_LSTM_GATE_CELL 2
#define RELO_LSTM_GATE_OUTPUT 3
#define RELO_LSTM_GATES 4
#define RELO_LSTM_ACT_TANH 4    /* TFLite fused activation codes, for the cell gate */
#define RELO_LSTM_ACT_SIGMOID 6

/* UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights, int16 cell state, int32 bias:
 * TFLite Micro's integer LSTM (gates in Q3.12 before and Q0.15 after their nonlinearity). */
typedef struct {
    int32_t batches;
    int32_t time_steps;
    int32_t input_size;
    int32_t state_size;
    int32_t time_major;              /* 1: input [time][batch][input]; 0: [batch][time][input] */
    int32_t input_offset;            /* -input zero point */
    int32_t hidden_offset;           /* -hidden state zero point */
    int32_t hidden_zero_point;
    int32_t input_multiplier[RELO_LSTM_GATES];     /* input FC -> Q3.12 gate input */
    int32_t input_shift[RELO_LSTM_GATES];
    int32_t recurrent_multiplier[RELO_LSTM_GATES]; /* recurrent FC -> Q3.12 gate input */
    int32_t recurrent_shift[RELO_LSTM_GATES];
    int32_t forget_cell_multiplier;  /* forget gate x cell state -> cell state */
    int32_t forget_cell_shift;
    int32_t input_cell_multiplier;   /* input gate x cell gate -> cell state */
    int32_t input_cell_shift;
    int32_t hidden_multiplier;       /* tanh(cell) x output gate -> hidden state */
    int32_t hidden_shift;
    int32_t cell_gate_activation;    /* RELO_LSTM_ACT_* */
    int32_t cell_clip;               /* in cell state units; 0 = no clipping */
    int32_t cell_tanh_multiplier;    /* tanh(cell state): input x multiplier >> right shift */
    int32_t cell_tanh_right_shift;
} relo_lstm_params_t;

/* MEAN, int8, rank <= 4 (lower ranks extended with leading 1s): the mean over every
 * dimension d with reduce[d] == 1, rescaled with TFLM's integer mean arithmetic
 * (multiplier/shift already include 1 / count). */
#define RELO_MEAN_RANK 4

typedef struct {
    int32_t input_shape[RELO_MEAN_RANK];
    int32_t reduce[RELO_MEAN_RANK]; /* 1: averaged over, 0: kept */
    int32_t count;                 /* elements averaged into each output */
    int32_t input_offset;          /* -input zero point */
    int32_t output_offset;         /* output zero point */
    int32_t multiplier;
    int32_t shift;
} relo_mean_params_t;

#endif /* RELO_NN_TYPES_H */
