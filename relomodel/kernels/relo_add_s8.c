/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ADD and SUB, int8, with broadcasting. Bit-exact with TFLite Micro's reference: each
 * centred input is shifted left by left_shift (20) and rescaled to twice the larger input
 * scale, the two are added or subtracted, and the result is rescaled to the output. (SUB
 * cannot be ADD with a negated multiplier: the rounding high multiply rounds negative ties
 * toward zero, so it is not symmetric.)
 */
#include "relo_nn_dsp.h"
#include "relo_nn_functions.h"
#include "relo_nn_math.h"
#include "relo_nn_strided.h"

/* TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0). */
static int32_t relo_add_rescale(int32_t x, int32_t multiplier, int32_t shift)
{
    return relo_nn_rounding_divide_by_pot(relo_nn_doubling_high_mul(x, multiplier), -shift);
}

/* The first input's share of the sum, a function of its int8 value alone. */
static int32_t relo_add_scaled1(const relo_add_params_t *p, int32_t a)
{
    return relo_add_rescale((a + p->input1_offset) * (1 << p->left_shift), p->input1_multiplier,
                            p->input1_shift);
}

/* The second input's share, negated for SUB (negating the rounded value is exact). */
static int32_t relo_add_scaled2(const relo_add_params_t *p, int32_t b)
{
    const int32_t scaled = relo_add_rescale((b + p->input2_offset) * (1 << p->left_shift),
                                            p->input2_multiplier, p->input2_shift);
    return p->subtract ? -scaled : scaled;
}

static int8_t relo_add_one(const relo_add_params_t *p, int8_t a, int8_t b)
{
    const int32_t raw = relo_add_scaled1(p, a) + relo_add_scaled2(p, b);
    const int32_t value = relo_add_rescale(raw, p->output_multiplier, p->output_shift) +
                          p->output_offset;
    return (int8_t)relo_nn_clamp_s32(value, p->activation_min, p->activation_max);
}

static int32_t relo_add_params_are_valid(const relo_add_params_t *p)
{
    return (p->subtract == 0 || p->subtract == 1) && p->left_shift >= 0 && p->left_shift <= 20 && p->input1_shift <= 0 &&
           p->input1_shift >= -31 && p->input2_shift <= 0 && p->input2_shift >= -31 &&
           p->output_shift <= 0 && p->output_shift >= -31 &&
           p->activation_min <= p->activation_max && p->activation_min >= -128 &&
           p->activation_max <= 127;
}

/* The checks every entry point makes: operands present, a non-empty shape, valid parameters. */
static int32_t relo_add_check(const relo_add_params_t *params, const int8_t *input1,
                              const int8_t *input2, const int8_t *output)
{
    if (params == 0 || input1 == 0 || input2 == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (relo_nn_row_count(params->shape.output_shape) == 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    return relo_add_params_are_valid(params) ? RELO_NN_OK : RELO_NN_ERR_BAD_PARAM;
}

int32_t relo_add_s8(const relo_add_params_t *params, const int8_t *input1, const int8_t *input2,
                    int8_t *output)
{
    const int32_t status = relo_add_check(params, input1, input2, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_broadcast_t *shape = &params->shape;
    const int32_t rows = relo_nn_row_count(shape->output_shape);
    const int32_t inner = shape->output_shape[RELO_NN_MAX_RANK - 1];
    const int32_t step1 = shape->input1_stride[RELO_NN_MAX_RANK - 1];
    const int32_t step2 = shape->input2_stride[RELO_NN_MAX_RANK - 1];
    for (int32_t row = 0; row < rows; ++row) {
        const int8_t *a = input1 + relo_nn_row_offset(shape->output_shape, shape->input1_stride, row);
        const int8_t *b = input2 + relo_nn_row_offset(shape->output_shape, shape->input2_stride, row);
        int8_t *out = output + row * inner;
        for (int32_t i = 0; i < inner; ++i) {
            out[i] = relo_add_one(params, a[i * step1], b[i * step2]);
        }
    }
    return RELO_NN_OK;
}

int32_t relo_add_s8_tables(const relo_add_params_t *params, int32_t *tables)
{
    if (params == 0 || tables == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (!relo_add_params_are_valid(params)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    for (int32_t value = -128; value <= 127; ++value) {
        tables[value + 128] = relo_add_scaled1(params, value);
        tables[RELO_ADD_S8_TABLE_ENTRIES / 2 + value + 128] = relo_add_scaled2(params, value);
    }
    return RELO_NN_OK;
}

/* The output stage of the tabulated ADD/SUB, read once into locals (`out` may alias the
 * parameters as far as the compiler knows). Every input share is at most 255 * 2^20 times a
 * multiplier below one, so |sum| < 2^29: the rounding doubling high multiply is SMMULR of twice
 * the sum and the rounding right shift is (h + 2^(e-1) - [h < 0]) >> e, neither able to
 * overflow (the argument of relo_dsp_requantize_bounded, relo_nn_dsp.h). */
typedef struct {
    int32_t multiplier, right, rounding, negative_fix, offset, low, high;
} relo_add_output_t;

static relo_add_output_t relo_add_output_stage(const relo_add_params_t *p)
{
    const int32_t right = -p->output_shift;
    const relo_add_output_t stage = {
        p->output_multiplier, right, right > 0 ? (int32_t)(1u << (right - 1)) : 0,
        right > 0 ? -1 : 0, /* no correction without a shift */
        p->output_offset, p->activation_min, p->activation_max,
    };
    return stage;
}

static inline int8_t relo_add_output(const relo_add_output_t *o, int32_t sum)
{
    const int32_t h = relo_dsp_smmulr(sum * 2, o->multiplier);
    const int32_t value = ((h + o->rounding + ((h >> 31) & o->negative_fix)) >> o->right) + o->offset;
    return (int8_t)(value < o->low ? o->low : (value > o->high ? o->high : value));
}

/* A row without broadcast, a shift and no activation clamp (the common case): few enough live
 * values to stay in registers, the clamp to int8 one SSAT. */
static void relo_add_tabulated_plain_row(const relo_add_output_t *o, const int32_t *first,
                                         const int32_t *second, const int8_t *a,
                                         const int8_t *b, int8_t *out, int32_t count)
{
    const int32_t multiplier = o->multiplier, right = o->right, rounding = o->rounding;
    const int32_t offset = o->offset;
    for (; count > 0; --count) {
        const int32_t h = relo_dsp_smmulr((first[*a++] + second[*b++]) * 2, multiplier);
        *out++ = (int8_t)relo_dsp_ssat8(((h + rounding + (h >> 31)) >> right) + offset);
    }
}

static void relo_add_tabulated_row(const relo_add_output_t *o, const int32_t *first,
                                   const int32_t *second, const int8_t *a, int32_t step1,
                                   const int8_t *b, int32_t step2, int8_t *out, int32_t count)
{
    if (step1 == 1 && step2 == 1 && o->right > 0 && relo_dsp_is_full_range_s8(o->low, o->high)) {
        relo_add_tabulated_plain_row(o, first, second, a, b, out, count);
        return;
    }
    const relo_add_output_t stage = *o;
    for (int32_t i = 0; i < count; ++i) {
        out[i] = relo_add_output(&stage, first[a[i * step1]] + second[b[i * step2]]);
    }
}

int32_t relo_add_s8_tabulated(const relo_add_params_t *params, const int32_t *tables,
                              const int8_t *input1, const int8_t *input2, int8_t *output)
{
    const int32_t status = relo_add_check(params, input1, input2, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    if (tables == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    const relo_broadcast_t *shape = &params->shape;
    const int32_t rows = relo_nn_row_count(shape->output_shape);
    const int32_t *first = tables + 128; /* indexed by the int8 value */
    const int32_t *second = tables + RELO_ADD_S8_TABLE_ENTRIES / 2 + 128;
    const relo_add_output_t stage = relo_add_output_stage(params);
    const int32_t inner = shape->output_shape[RELO_NN_MAX_RANK - 1];
    for (int32_t row = 0; row < rows; ++row) {
        relo_add_tabulated_row(
            &stage, first, second,
            input1 + relo_nn_row_offset(shape->output_shape, shape->input1_stride, row),
            shape->input1_stride[RELO_NN_MAX_RANK - 1],
            input2 + relo_nn_row_offset(shape->output_shape, shape->input2_stride, row),
            shape->input2_stride[RELO_NN_MAX_RANK - 1], output + row * inner, inner);
    }
    return RELO_NN_OK;
}
