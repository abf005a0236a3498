/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D, int8, depth multiplier 1, channels a multiple of 4, for cores with the
 * DSP extension: four channels per step, one 32-bit input load per tap split by SXTAB16 (which
 * also adds the input offset) into two packed pairs, multiplied by halfword (SMLABB / SMLATT)
 * against filter taps widened to int16 at pack time.
 *
 * Layout contract with the compiler (compiler/kernel_select.py): filter int16, grouped by four
 * channels: for group g, for every tap (fy, fx) in order, channels 4g + (0, 2, 1, 3), so one
 * LDRD gives the pair matching SXTAB16 of the input (channels 0, 2) and the pair matching
 * SXTAB16 ROR 8 (channels 1, 3), and a group's taps are consecutive.
 * requant: one record per channel (relo_nn_dsp.h), the output offset folded in.
 * Bit-exact with relo_depthwise_conv_s8 (the same integer sums).
 */
#include "relo_nn_dsp.h"
#include "relo_nn_functions.h"
#include "relo_window.h"

#define RELO_DEPTHWISE_DSP_BLOCK 64 /* channels accumulated before requantizing them */

static int32_t relo_depthwise_dsp_validate(const relo_depthwise_conv_params_t *params,
                                           const int8_t *input, const int16_t *filter,
                                           const relo_dsp_requant_t *requant,
                                           const int8_t *output)
{
    if (params == 0 || input == 0 || filter == 0 || requant == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (!relo_window_is_valid(&params->window) || params->input_depth <= 0 ||
        params->input_depth % 4 != 0 || params->depth_multiplier != 1) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    /* asymmetric (uint8-born) filters stay on the portable kernel */
    if (!relo_window_activation_is_valid(params->activation_min, params->activation_max) ||
        params->filter_offset != 0) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

/* The taps of one output pixel that fall inside the input: rows [y_begin, y_end), columns
 * [x_begin, x_end), and the input byte of the first one (channel 0). */
typedef struct {
    const int8_t *first_pixel;
    int32_t y_begin, y_end, x_begin, x_end;
} relo_depthwise_dsp_taps_t;

static relo_depthwise_dsp_taps_t relo_depthwise_dsp_taps(const relo_depthwise_conv_params_t *params,
                                                         const int8_t *image, int32_t oy,
                                                         int32_t ox)
{
    const relo_window_t *w = &params->window;
    const int32_t in_y = oy * w->stride_height - w->pad_top;
    const int32_t in_x = ox * w->stride_width - w->pad_left;
    relo_depthwise_dsp_taps_t t;
    t.y_begin = relo_window_first_tap(in_y, w->dilation_height, w->filter_height);
    t.y_end = relo_window_end_tap(in_y, w->dilation_height, w->filter_height, w->input_height);
    t.x_begin = relo_window_first_tap(in_x, w->dilation_width, w->filter_width);
    t.x_end = relo_window_end_tap(in_x, w->dilation_width, w->filter_width, w->input_width);
    t.first_pixel = image + ((in_y + t.y_begin * w->dilation_height) * w->input_width + in_x +
                             t.x_begin * w->dilation_width) *
                                params->input_depth;
    return t;
}

/* One tap of four channels. */
#define RELO_DEPTHWISE_DSP_TAP(x_word, wp)                                                    \
    do {                                                                                      \
        const uint32_t x02 = relo_dsp_sxtab16(offsets, x_word);                               \
        const uint32_t x13 = relo_dsp_sxtab16_ror8(offsets, x_word);                          \
        const uint32_t w02 = (wp)[0], w13 = (wp)[1];                                          \
        a0 = relo_dsp_smlabb(x02, w02, a0);                                                   \
        a2 = relo_dsp_smlatt(x02, w02, a2);                                                   \
        a1 = relo_dsp_smlabb(x13, w13, a1);                                                   \
        a3 = relo_dsp_smlatt(x13, w13, a3);                                                   \
    } while (0)

/* Channels c..c+3 of one output pixel: acc[i] += sum over the inside taps of w * (x + offset). */
static void relo_depthwise_dsp_four(const relo_depthwise_conv_params_t *params,
                                    const int16_t *group_filter,
                                    const relo_depthwise_dsp_taps_t *t, int32_t c, int32_t acc[4])
{
    const relo_window_t *w = &params->window;
    const int32_t depth = params->input_depth;
    const uint32_t offsets = relo_dsp_splat(params->input_offset);
    const int32_t x_step = w->dilation_width * depth;
    const int32_t y_step = w->dilation_height * w->input_width * depth;
    const int32_t row_taps = t->x_end - t->x_begin;
    const int8_t *row = t->first_pixel + c;
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    for (int32_t fy = t->y_begin; fy < t->y_end; ++fy, row += y_step) {
        const relo_dsp_pairs_t *wp =
            (const relo_dsp_pairs_t *)(const void *)(group_filter +
                                                     (fy * w->filter_width + t->x_begin) * 4);
        const int8_t *x_ptr = row;
        if (row_taps == 3) { /* the common 3-wide row, unrolled */
            const uint32_t x0 = relo_dsp_read_s8x4(x_ptr);
            const uint32_t x1 = relo_dsp_read_s8x4(x_ptr + x_step);
            const uint32_t x2 = relo_dsp_read_s8x4(x_ptr + 2 * x_step);
            RELO_DEPTHWISE_DSP_TAP(x0, wp);
            RELO_DEPTHWISE_DSP_TAP(x1, wp + 2);
            RELO_DEPTHWISE_DSP_TAP(x2, wp + 4);
            continue;
        }
        for (int32_t i = 0; i < row_taps; ++i, x_ptr += x_step, wp += 2) {
            const uint32_t x = relo_dsp_read_s8x4(x_ptr);
            RELO_DEPTHWISE_DSP_TAP(x, wp);
        }
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
}

/* Channels [first, first + count) of an output pixel whose 3x3 window lies wholly inside the
 * input (the common case): straight-line code, no tap bounds, weights read in order. */
static void relo_depthwise_dsp_full_3x3(const relo_depthwise_conv_params_t *params,
                                        const int16_t *filter, const int32_t *bias,
                                        const int8_t *top_left, int32_t first, int32_t count,
                                        int32_t *acc)
{
    const relo_window_t *w = &params->window;
    const int32_t x_step = w->dilation_width * params->input_depth;
    const int32_t y_step = w->dilation_height * w->input_width * params->input_depth;
    const uint32_t offsets = relo_dsp_splat(params->input_offset);
    const relo_dsp_pairs_t *wp = (const relo_dsp_pairs_t *)(const void *)(filter + first * 9);
    for (int32_t i = 0; i < count; i += 4, wp += 18, acc += 4) {
        const int8_t *r0 = top_left + first + i;
        const int8_t *r1 = r0 + y_step;
        const int8_t *r2 = r1 + y_step;
        int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        if (bias != 0) {
            a0 = bias[first + i], a1 = bias[first + i + 1];
            a2 = bias[first + i + 2], a3 = bias[first + i + 3];
        }
        RELO_DEPTHWISE_DSP_TAP(relo_dsp_read_s8x4(r0), wp);
        RELO_DEPTHWISE_DSP_TAP(relo_dsp_read_s8x4(r0 + x_step), wp + 2);
        RELO_DEPTHWISE_DSP_TAP(relo_dsp_read_s8x4(r0 + 2 * x_step), wp + 4);
        RELO_DEPTHWISE_DSP_TAP(relo_dsp_read_s8x4(r1), wp + 6);
        RELO_DEPTHWISE_DSP_TAP(relo_dsp_read_s8x4(r1 + x_step), wp + 8);
        RELO_DEPTHWISE_DSP_TAP(relo_dsp_read_s8x4(r1 + 2 * x_step), wp + 10);
        RELO_DEPTHWISE_DSP_TAP(relo_dsp_read_s8x4(r2), wp + 12);
        RELO_DEPTHWISE_DSP_TAP(relo_dsp_read_s8x4(r2 + x_step), wp + 14);
        RELO_DEPTHWISE_DSP_TAP(relo_dsp_read_s8x4(r2 + 2 * x_step), wp + 16);
        acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
    }
}

/* Every channel of one output pixel, requantized by blocks. */
static void relo_depthwise_dsp_pixel(const relo_depthwise_conv_params_t *params,
                                     const int16_t *filter, const int32_t *bias,
                                     const relo_dsp_requant_t *requant,
                                     const relo_depthwise_dsp_taps_t *taps, int8_t *out)
{
    const relo_window_t *w = &params->window;
    const int32_t depth = params->input_depth;
    const int32_t group_size = w->filter_height * w->filter_width * 4; /* int16 per group */
    const int32_t full_3x3 = w->filter_height == 3 && w->filter_width == 3 &&
                             taps->y_end - taps->y_begin == 3 && taps->x_end - taps->x_begin == 3;
    int32_t acc[RELO_DEPTHWISE_DSP_BLOCK];
    for (int32_t first = 0; first < depth; first += RELO_DEPTHWISE_DSP_BLOCK) {
        const int32_t left = depth - first;
        const int32_t count = left < RELO_DEPTHWISE_DSP_BLOCK ? left : RELO_DEPTHWISE_DSP_BLOCK;
        if (full_3x3) {
            relo_depthwise_dsp_full_3x3(params, filter, bias, taps->first_pixel, first, count, acc);
        } else {
            for (int32_t i = 0; i < count; i += 4) {
                const int32_t c = first + i;
                for (int32_t k = 0; k < 4; ++k) {
                    acc[i + k] = bias != 0 ? bias[c + k] : 0;
                }
                relo_depthwise_dsp_four(params, filter + (c / 4) * group_size, taps, c, acc + i);
            }
        }
        relo_dsp_requantize_s8(acc, count, requant + first, params->activation_min,
                               params->activation_max, out + first);
    }
}

int32_t relo_depthwise_conv_s8_dsp(const relo_depthwise_conv_params_t *params,
                                   const int8_t *input, const int16_t *filter,
                                   const int32_t *bias, const relo_dsp_requant_t *requant,
                                   int8_t *output)
{
    const int32_t status = relo_depthwise_dsp_validate(params, input, filter, requant, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_window_t *w = &params->window;
    const int32_t depth = params->input_depth;
    const int32_t image_size = w->input_height * w->input_width * depth;
    for (int32_t b = 0; b < w->batches; ++b) {
        const int8_t *image = input + b * image_size;
        for (int32_t oy = 0; oy < w->output_height; ++oy) {
            for (int32_t ox = 0; ox < w->output_width; ++ox) {
                const relo_depthwise_dsp_taps_t taps =
                    relo_depthwise_dsp_taps(params, image, oy, ox);
                relo_depthwise_dsp_pixel(params, filter, bias, requant, &taps, output);
                output += depth;
            }
        }
    }
    return RELO_NN_OK;
}
