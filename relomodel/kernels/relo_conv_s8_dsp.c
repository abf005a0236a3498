/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONV_2D, int8, for cores with the DSP extension: im2col + matrix product with SMLAD.
 *
 * Two output pixels at a time (or one, when the compiler keeps the arena small): their windows
 * are copied into `scratch` as int16 columns with the input offset already added (padding taps
 * become 0, exactly what the reference's skipped taps contribute), then every pair of output
 * channels is dotted with both columns, so each filter word loaded serves two pixels and each
 * column word two channels.
 *
 * Layout contract with the compiler (compiler/kernel_select.py), fixed at pack time:
 * - column length K = filter_height * filter_width * input_depth rounded up to a multiple of 4,
 *   taps in (fy, fx, channel) order; a "quad" is 4 consecutive taps;
 * - scratch (4-byte aligned, columns * K int16, columns 1 or 2) holds the columns interleaved
 *   by quad: quad q of pixel j at int16 offset 4 * (columns * q + j);
 * - filter, int8, for each pair of output channels (2i, 2i + 1): quad q of channel 2i then
 *   quad q of channel 2i + 1, for q = 0 .. K/4 - 1; an odd last channel follows as K plain
 *   taps. Every quad is stored in the order (0, 2, 1, 3), so SXTB16 and SXTB16 ROR 8 of its
 *   word give the packed pairs (t0, t1) and (t2, t3) that line up with the column.
 * Zero padding fills taps K0..K-1 of filter and columns.
 * requant: one record per output channel (relo_nn_dsp.h), the output offset folded in.
 * Groups (filter_input_depth < input_depth) are not handled here: the portable kernel is.
 * Bit-exact with relo_conv_s8 (the same integer sums in another order).
 */
#include "relo_nn_dsp.h"
#include "relo_nn_functions.h"
#include "relo_window.h"

static int32_t relo_conv_dsp_validate(const relo_conv_params_t *params, const int8_t *input,
                                      const int8_t *filter, const relo_dsp_requant_t *requant,
                                      const int8_t *output, const int16_t *scratch,
                                      int32_t columns)
{
    if (params == 0 || input == 0 || filter == 0 || requant == 0 || output == 0 ||
        scratch == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    if (((uintptr_t)scratch & 3u) != 0 || (columns != 1 && columns != 2)) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    if (!relo_window_is_valid(&params->window) || params->input_depth <= 0 ||
        params->filter_input_depth != params->input_depth || params->output_depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    /* asymmetric (uint8-born) filters stay on the portable kernel */
    if (!relo_window_activation_is_valid(params->activation_min, params->activation_max) ||
        params->filter_offset != 0) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

/* Column length K of the layout contract above. */
static int32_t relo_conv_dsp_column_length(const relo_conv_params_t *params)
{
    const relo_window_t *w = &params->window;
    return (w->filter_height * w->filter_width * params->input_depth + 3) & ~3;
}

/* Where tap `index` of a column lives in the interleaved scratch (column base = scratch + 4j). */
static inline int16_t *relo_conv_dsp_tap(int16_t *column, int32_t index, int32_t columns)
{
    return column + (index & ~3) * columns + (index & 3);
}

/* Taps [first, first + count) of a column = source[i] + offset (as int16). */
static inline __attribute__((always_inline)) void
relo_conv_dsp_extend(const int8_t *source, int16_t *column, int32_t columns, int32_t first,
                     int32_t count, int32_t offset)
{
    int32_t i = 0;
    for (; i < count && ((first + i) & 3) != 0; ++i) { /* up to the next quad */
        *relo_conv_dsp_tap(column, first + i, columns) = (int16_t)(source[i] + offset);
    }
    /* whole quads: one load, two SXTAB16, two packs, two stores */
    const uint32_t offsets = relo_dsp_splat(offset);
    relo_dsp_pairs_t *quad =
        (relo_dsp_pairs_t *)(void *)relo_conv_dsp_tap(column, first + i, columns);
    for (; i + 4 <= count; i += 4, quad += 2 * columns) {
        const uint32_t x = relo_dsp_read_s8x4(source + i);
        const uint32_t even = relo_dsp_sxtab16(offsets, x);     /* x0, x2 */
        const uint32_t odd = relo_dsp_sxtab16_ror8(offsets, x); /* x1, x3 */
        quad[0] = relo_dsp_pack_lo(even, odd);
        quad[1] = relo_dsp_pack_hi(even, odd);
    }
    for (; i < count; ++i) {
        *relo_conv_dsp_tap(column, first + i, columns) = (int16_t)(source[i] + offset);
    }
}

static inline __attribute__((always_inline)) void
relo_conv_dsp_zero(int16_t *column, int32_t columns, int32_t first, int32_t count)
{
    for (int32_t i = 0; i < count; ++i) {
        *relo_conv_dsp_tap(column, first + i, columns) = 0;
    }
}

/* The window of output pixel (oy, ox) as one column of K taps. */
static void relo_conv_dsp_im2col(const relo_conv_params_t *params, const int8_t *image,
                                 int32_t oy, int32_t ox, int16_t *column, int32_t columns,
                                 int32_t length)
{
    const relo_window_t *w = &params->window;
    const int32_t depth = params->input_depth;
    const int32_t in_y = oy * w->stride_height - w->pad_top;
    const int32_t in_x = ox * w->stride_width - w->pad_left;
    const int32_t row_taps = w->filter_width * depth;
    /* with dilation 1 the inside part of a filter row is one contiguous run of the input */
    const int32_t x_begin = relo_window_first_tap(in_x, 1, w->filter_width) * depth;
    const int32_t x_end = relo_window_end_tap(in_x, 1, w->filter_width, w->input_width) * depth;
    int32_t tap = 0;
    for (int32_t fy = 0; fy < w->filter_height; ++fy, tap += row_taps) {
        const int32_t y = in_y + fy * w->dilation_height;
        if (y < 0 || y >= w->input_height) {
            relo_conv_dsp_zero(column, columns, tap, row_taps);
        } else if (w->dilation_width == 1) {
            relo_conv_dsp_zero(column, columns, tap, x_begin);
            relo_conv_dsp_extend(image + (y * w->input_width + in_x) * depth + x_begin, column,
                                 columns, tap + x_begin, x_end - x_begin, params->input_offset);
            relo_conv_dsp_zero(column, columns, tap + x_end, row_taps - x_end);
        } else {
            for (int32_t fx = 0; fx < w->filter_width; ++fx) {
                const int32_t x = in_x + fx * w->dilation_width;
                if (x < 0 || x >= w->input_width) {
                    relo_conv_dsp_zero(column, columns, tap + fx * depth, depth);
                } else {
                    relo_conv_dsp_extend(image + (y * w->input_width + x) * depth, column,
                                         columns, tap + fx * depth, depth,
                                         params->input_offset);
                }
            }
        }
    }
    relo_conv_dsp_zero(column, columns, tap, length - tap);
}

typedef struct {
    const relo_conv_params_t *params;
    const int8_t *filter;
    const int32_t *bias;
    const relo_dsp_requant_t *requant; /* one per output channel */
    int32_t length;         /* K */
    int32_t columns;        /* pixels per step: 1 or 2 */
} relo_conv_dsp_job_t;

#define RELO_CONV_DSP_BLOCK 32 /* output channels accumulated before requantizing them */

#if RELO_DSP_NATIVE
/* quads x (two filter words, two column pairs of each pixel): 17 instructions for 16 MACs.
 * Hand-scheduled because GCC runs out of registers on this loop and spills. */
static inline void relo_conv_dsp_pair_loop(const int8_t *w, const relo_dsp_pairs_t *c,
                                           int32_t quads, int32_t *a00, int32_t *a01,
                                           int32_t *a10, int32_t *a11)
{
    uint32_t wa, wb, t, u, p, q;
    __asm__ volatile(
        "1:\n"
        "ldrd   %[wa], %[wb], [%[w]], #8\n"
        "ldrd   %[p], %[q], [%[c]], #8\n"
        "sxtb16 %[t], %[wa]\n"
        "sxtb16 %[wa], %[wa], ror #8\n"
        "sxtb16 %[u], %[wb]\n"
        "sxtb16 %[wb], %[wb], ror #8\n"
        "smlad  %[a00], %[t], %[p], %[a00]\n"
        "smlad  %[a10], %[u], %[p], %[a10]\n"
        "smlad  %[a00], %[wa], %[q], %[a00]\n"
        "smlad  %[a10], %[wb], %[q], %[a10]\n"
        "ldrd   %[p], %[q], [%[c]], #8\n"
        "smlad  %[a01], %[t], %[p], %[a01]\n"
        "smlad  %[a11], %[u], %[p], %[a11]\n"
        "smlad  %[a01], %[wa], %[q], %[a01]\n"
        "smlad  %[a11], %[wb], %[q], %[a11]\n"
        "subs   %[n], %[n], #1\n"
        "bne    1b\n"
        : [w] "+r"(w), [c] "+r"(c), [n] "+r"(quads), [a00] "+r"(*a00), [a01] "+r"(*a01),
          [a10] "+r"(*a10), [a11] "+r"(*a11), [wa] "=&r"(wa), [wb] "=&r"(wb), [t] "=&r"(t),
          [u] "=&r"(u), [p] "=&r"(p), [q] "=&r"(q)
        :
        : "cc", "memory");
}
#else
static inline void relo_conv_dsp_pair_loop(const int8_t *w, const relo_dsp_pairs_t *c,
                                           int32_t quads, int32_t *a00, int32_t *a01,
                                           int32_t *a10, int32_t *a11)
{
    for (; quads > 0; --quads, w += 8, c += 4) {
        const uint32_t wa = relo_dsp_read_s8x4(w), wb = relo_dsp_read_s8x4(w + 4);
        const uint32_t wa01 = relo_dsp_sxtb16(wa), wa23 = relo_dsp_sxtb16_ror8(wa);
        const uint32_t wb01 = relo_dsp_sxtb16(wb), wb23 = relo_dsp_sxtb16_ror8(wb);
        *a00 = relo_dsp_smlad(wa23, c[1], relo_dsp_smlad(wa01, c[0], *a00));
        *a10 = relo_dsp_smlad(wb23, c[1], relo_dsp_smlad(wb01, c[0], *a10));
        *a01 = relo_dsp_smlad(wa23, c[3], relo_dsp_smlad(wa01, c[2], *a01));
        *a11 = relo_dsp_smlad(wb23, c[3], relo_dsp_smlad(wb01, c[2], *a11));
    }
}
#endif

#if RELO_DSP_NATIVE
/* quads x (two filter words, one column pair): 12 instructions for 8 MACs. */
static inline void relo_conv_dsp_pair_loop_one_column(const int8_t *w, const relo_dsp_pairs_t *c,
                                                      int32_t quads, int32_t *a0, int32_t *a1)
{
    uint32_t wa, wb, t, u, p, q;
    __asm__ volatile(
        "1:\n"
        "ldrd   %[wa], %[wb], [%[w]], #8\n"
        "ldrd   %[p], %[q], [%[c]], #8\n"
        "sxtb16 %[t], %[wa]\n"
        "sxtb16 %[wa], %[wa], ror #8\n"
        "sxtb16 %[u], %[wb]\n"
        "sxtb16 %[wb], %[wb], ror #8\n"
        "smlad  %[a0], %[t], %[p], %[a0]\n"
        "smlad  %[a1], %[u], %[p], %[a1]\n"
        "smlad  %[a0], %[wa], %[q], %[a0]\n"
        "smlad  %[a1], %[wb], %[q], %[a1]\n"
        "subs   %[n], %[n], #1\n"
        "bne    1b\n"
        : [w] "+r"(w), [c] "+r"(c), [n] "+r"(quads), [a0] "+r"(*a0), [a1] "+r"(*a1),
          [wa] "=&r"(wa), [wb] "=&r"(wb), [t] "=&r"(t), [u] "=&r"(u), [p] "=&r"(p), [q] "=&r"(q)
        :
        : "cc", "memory");
}
#else
static inline void relo_conv_dsp_pair_loop_one_column(const int8_t *w, const relo_dsp_pairs_t *c,
                                                      int32_t quads, int32_t *a0, int32_t *a1)
{
    for (; quads > 0; --quads, w += 8, c += 2) {
        const uint32_t wa = relo_dsp_read_s8x4(w), wb = relo_dsp_read_s8x4(w + 4);
        *a0 = relo_dsp_smlad(relo_dsp_sxtb16_ror8(wa), c[1],
                             relo_dsp_smlad(relo_dsp_sxtb16(wa), c[0], *a0));
        *a1 = relo_dsp_smlad(relo_dsp_sxtb16_ror8(wb), c[1],
                             relo_dsp_smlad(relo_dsp_sxtb16(wb), c[0], *a1));
    }
}
#endif

/* Output channels oc and oc + 1 against one column: acc[channel][0]. */
static void relo_conv_dsp_channel_pair_one_column(const relo_conv_dsp_job_t *job, int32_t oc,
                                                  const int16_t *column, int32_t acc[2][2])
{
    int32_t a0 = acc[0][0], a1 = acc[1][0];
    relo_conv_dsp_pair_loop_one_column(job->filter + oc * job->length,
                                       (const relo_dsp_pairs_t *)(const void *)column,
                                       job->length / 4, &a0, &a1);
    acc[0][0] = a0, acc[1][0] = a1;
}

/* Output channels oc and oc + 1 against the columns: acc[channel][pixel]. */
static void relo_conv_dsp_channel_pair(const relo_conv_dsp_job_t *job, int32_t oc,
                                       const int16_t *columns, int32_t acc[2][2])
{
    if (job->columns == 1) {
        relo_conv_dsp_channel_pair_one_column(job, oc, columns, acc);
        return;
    }
    int32_t a00 = acc[0][0], a01 = acc[0][1], a10 = acc[1][0], a11 = acc[1][1];
    relo_conv_dsp_pair_loop(job->filter + oc * job->length,
                            (const relo_dsp_pairs_t *)(const void *)columns, job->length / 4,
                            &a00, &a01, &a10, &a11);
    acc[0][0] = a00, acc[0][1] = a01, acc[1][0] = a10, acc[1][1] = a11;
}

/* The odd last output channel against the columns (the second accumulator only counts with
 * two columns). */
static void relo_conv_dsp_channel(const relo_conv_dsp_job_t *job, int32_t oc,
                                  const int16_t *columns, int32_t acc[2])
{
    const int8_t *w = job->filter + oc * job->length;
    const int8_t *end = w + job->length;
    const int32_t step = 2 * job->columns; /* pairs per quad */
    const relo_dsp_pairs_t *c = (const relo_dsp_pairs_t *)(const void *)columns;
    const relo_dsp_pairs_t *d = c + (job->columns - 1) * 2; /* == c with one column */
    int32_t a0 = acc[0], a1 = acc[1];
    for (; w != end; w += 4, c += step, d += step) {
        const uint32_t wa = relo_dsp_read_s8x4(w);
        const uint32_t wa01 = relo_dsp_sxtb16(wa), wa23 = relo_dsp_sxtb16_ror8(wa);
        a0 = relo_dsp_smlad(wa01, c[0], a0);
        a0 = relo_dsp_smlad(wa23, c[1], a0);
        a1 = relo_dsp_smlad(wa01, d[0], a1);
        a1 = relo_dsp_smlad(wa23, d[1], a1);
    }
    acc[0] = a0, acc[1] = a1;
}

/* Channels [first, first + count) of the pixels into acc[pixel][channel - first]. */
static void relo_conv_dsp_block(const relo_conv_dsp_job_t *job, const int16_t *columns,
                                int32_t first, int32_t count,
                                int32_t acc[2][RELO_CONV_DSP_BLOCK])
{
    int32_t i = 0;
    for (; i + 2 <= count; i += 2) {
        const int32_t oc = first + i;
        const int32_t b0 = job->bias != 0 ? job->bias[oc] : 0;
        const int32_t b1 = job->bias != 0 ? job->bias[oc + 1] : 0;
        int32_t pair[2][2] = {{b0, b0}, {b1, b1}};
        relo_conv_dsp_channel_pair(job, oc, columns, pair);
        acc[0][i] = pair[0][0], acc[1][i] = pair[0][1];
        acc[0][i + 1] = pair[1][0], acc[1][i + 1] = pair[1][1];
    }
    if (i < count) { /* the odd last channel */
        const int32_t oc = first + i;
        const int32_t b0 = job->bias != 0 ? job->bias[oc] : 0;
        int32_t single[2] = {b0, b0};
        relo_conv_dsp_channel(job, oc, columns, single);
        acc[0][i] = single[0], acc[1][i] = single[1];
    }
}

/* Every output channel of the pixels; out1 == 0: one pixel only. */
static void relo_conv_dsp_pixels(const relo_conv_dsp_job_t *job, const int16_t *columns,
                                 int8_t *out0, int8_t *out1)
{
    const relo_conv_params_t *p = job->params;
    int32_t acc[2][RELO_CONV_DSP_BLOCK];
    for (int32_t first = 0; first < p->output_depth; first += RELO_CONV_DSP_BLOCK) {
        const int32_t left = p->output_depth - first;
        const int32_t count = left < RELO_CONV_DSP_BLOCK ? left : RELO_CONV_DSP_BLOCK;
        relo_conv_dsp_block(job, columns, first, count, acc);
        relo_dsp_requantize_s8(acc[0], count, job->requant + first, p->activation_min,
                               p->activation_max, out0 + first);
        if (out1 != 0) {
            relo_dsp_requantize_s8(acc[1], count, job->requant + first, p->activation_min,
                                   p->activation_max, out1 + first);
        }
    }
}

int32_t relo_conv_s8_dsp(const relo_conv_params_t *params, const int8_t *input,
                         const int8_t *filter, const int32_t *bias,
                         const relo_dsp_requant_t *requant, int8_t *output, int16_t *scratch,
                         int32_t columns)
{
    const int32_t status =
        relo_conv_dsp_validate(params, input, filter, requant, output, scratch, columns);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_window_t *w = &params->window;
    const relo_conv_dsp_job_t job = {params, filter, bias, requant,
                                     relo_conv_dsp_column_length(params), columns};
    const int32_t pixels = w->output_height * w->output_width;
    const int32_t image_size = w->input_height * w->input_width * params->input_depth;
    for (int32_t b = 0; b < w->batches; ++b) {
        const int8_t *image = input + b * image_size;
        int8_t *out = output + b * pixels * params->output_depth;
        /* both windows are read before either pixel is written (window overlap contract) */
        for (int32_t p = 0; p < pixels; p += columns) {
            const int32_t pair = columns == 2 && p + 1 < pixels;
            const int32_t q = pair ? p + 1 : p; /* a lone last pixel fills both columns */
            relo_conv_dsp_im2col(params, image, p / w->output_width, p % w->output_width,
                                 scratch, columns, job.length);
            if (columns == 2) {
                relo_conv_dsp_im2col(params, image, q / w->output_width, q % w->output_width,
                                     scratch + 4, columns, job.length);
            }
            int8_t *out0 = out + p * params->output_depth;
            relo_conv_dsp_pixels(&job, scratch, out0, pair ? out0 + params->output_depth : 0);
        }
    }
    return RELO_NN_OK;
}
