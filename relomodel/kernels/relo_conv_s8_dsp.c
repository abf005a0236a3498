/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CONV_2D, int8, for cores with the DSP extension: im2col + matrix product with SMLAD.
 *
 * Two output pixels at a time (or one, when the compiler keeps the arena small): their windows
 * are copied into `scratch` as int16 columns with the input offset already added, doubled
 * (padding taps become 0, exactly what the reference's skipped taps contribute), then every
 * pair of output channels is dotted with both columns, so each filter word loaded serves two
 * pixels and each column word two channels. The accumulators hold twice the reference's sums
 * (the bias comes doubled too), which is what the requantization's high multiply wants
 * (relo_dsp_requantize_doubled: no shift per output).
 *
 * Layout contract with the compiler (compiler/kernel_select/), fixed at pack time:
 * - column length K = filter_height * filter_width * input_depth rounded up to a multiple of 4,
 *   taps in (fy, fx, channel) order; a "quad" is 4 consecutive taps;
 * - scratch (4-byte aligned, columns * K int16, columns 1 or 2) holds the columns interleaved
 *   by quad: quad q of pixel j at int16 offset 4 * (columns * q + j);
 * - filter, int8, for each pair of output channels (2i, 2i + 1): quad q of channel 2i then
 *   quad q of channel 2i + 1, for q = 0 .. K/4 - 1; an odd last channel follows as K plain
 *   taps. Every quad is stored in the order (0, 2, 1, 3), so SXTB16 and SXTB16 ROR 8 of its
 *   word give the packed pairs (t0, t1) and (t2, t3) that line up with the column;
 * - or (relo_conv_s8_dsp_wide) the same order with int16 taps in their natural order: a quad
 *   is two words already lined up with the column's pairs;
 * - each pair's quads are preceded by its channels' doubled biases (two int32: 8 bytes, or 4
 *   int16 in the wide layout), the odd last channel's taps by its own (|bias| < 2^29 is
 *   proven at pack time, so 2 * bias fits): the filter pointer walks biases and taps alike.
 * Zero padding fills taps K0..K-1 of filter and columns.
 * requant: one record per output channel (relo_nn_dsp.h), the output offset folded in.
 * Groups (filter_input_depth < input_depth) are not handled here: the portable kernel is.
 * Bit-exact with relo_conv_s8 (the same integer sums in another order).
 */
#include "relo_nn_dsp.h"
#include "relo_nn_functions.h"
#include "relo_window.h"

static int32_t relo_conv_dsp_validate(const relo_conv_params_t *params, const int8_t *input,
                                      const void *filter, const relo_dsp_requant_t *requant,
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

/* Taps [first, first + count) of a column = 2 * (source[i] + offset) (as int16). */
static inline __attribute__((always_inline)) void
relo_conv_dsp_extend(const int8_t *source, int16_t *column, int32_t columns, int32_t first,
                     int32_t count, int32_t offset)
{
    int32_t i = 0;
    for (; i < count && ((first + i) & 3) != 0; ++i) { /* up to the next quad */
        *relo_conv_dsp_tap(column, first + i, columns) = (int16_t)(2 * (source[i] + offset));
    }
    /* whole quads: one load, four SXTAB16 (x + 2 * offset, then + x), two packs, two stores */
    const uint32_t offsets = relo_dsp_splat(2 * offset);
    relo_dsp_pairs_t *quad =
        (relo_dsp_pairs_t *)(void *)relo_conv_dsp_tap(column, first + i, columns);
    for (; i + 4 <= count; i += 4, quad += 2 * columns) {
        const uint32_t x = relo_dsp_read_s8x4(source + i);
        const uint32_t even = relo_dsp_sxtab16(relo_dsp_sxtab16(offsets, x), x); /* x0, x2 */
        const uint32_t odd =
            relo_dsp_sxtab16_ror8(relo_dsp_sxtab16_ror8(offsets, x), x); /* x1, x3 */
        quad[0] = relo_dsp_pack_lo(even, odd);
        quad[1] = relo_dsp_pack_hi(even, odd);
    }
    for (; i < count; ++i) {
        *relo_conv_dsp_tap(column, first + i, columns) = (int16_t)(2 * (source[i] + offset));
    }
}

static inline __attribute__((always_inline)) void
relo_conv_dsp_zero(int16_t *column, int32_t columns, int32_t first, int32_t count)
{
    for (int32_t i = 0; i < count; ++i) {
        *relo_conv_dsp_tap(column, first + i, columns) = 0;
    }
}

/* The column of a 1x1 window inside the input (the pointwise convolutions of MobileNets): the
 * pixel's channels, extended, then the zero padding up to K. */
static void relo_conv_dsp_im2col_pixel(const relo_conv_params_t *params, const int8_t *pixel,
                                       int16_t *column, int32_t columns, int32_t length)
{
    const int32_t depth = params->input_depth;
    relo_conv_dsp_extend(pixel, column, columns, 0, depth, params->input_offset);
    relo_conv_dsp_zero(column, columns, depth, length - depth);
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

/* 1 when every window is one input pixel: a 1x1 filter, no padding, every output pixel's
 * input inside the image (the columns are then the pixels' channels,
 * relo_conv_dsp_im2col_pixel). */
static int32_t relo_conv_dsp_is_pointwise(const relo_window_t *w)
{
    return w->filter_height == 1 && w->filter_width == 1 && w->pad_top == 0 &&
           w->pad_left == 0 && (w->output_height - 1) * w->stride_height < w->input_height &&
           (w->output_width - 1) * w->stride_width < w->input_width;
}

/* Output pixel p's window as column `column` of the scratch. */
static inline void relo_conv_dsp_column(const relo_conv_params_t *params, const int8_t *image,
                                        int32_t p, int32_t pointwise, int16_t *column,
                                        int32_t columns, int32_t length)
{
    const relo_window_t *w = &params->window;
    const int32_t oy = p / w->output_width, ox = p % w->output_width;
    if (pointwise) {
        const int32_t pixel = oy * w->stride_height * w->input_width + ox * w->stride_width;
        relo_conv_dsp_im2col_pixel(params, image + pixel * params->input_depth, column, columns,
                                   length);
    } else {
        relo_conv_dsp_im2col(params, image, oy, ox, column, columns, length);
    }
}

typedef struct {
    const relo_conv_params_t *params;
    const void *filter; /* int8 layout, or int16 when wide (relo_conv_s8_dsp_wide) */
    int32_t wide;
    const relo_dsp_requant_t *requant; /* one per output channel */
    int32_t length;         /* K */
    int32_t columns;        /* pixels per step: 1 or 2 */
} relo_conv_dsp_job_t;

#if RELO_DSP_NATIVE
/* One quad of two channels against two columns: two filter words, two column pairs of each
 * pixel, 15 instructions for 16 MACs. */
#define RELO_CONV_DSP_QUAD_2X2                                                                \
    "ldrd   %[wa], %[wb], [%[w]], #8\n"                                                       \
    "ldrd   %[p], %[q], [%[c]], #8\n"                                                         \
    "sxtb16 %[t], %[wa]\n"                                                                    \
    "sxtb16 %[wa], %[wa], ror #8\n"                                                           \
    "sxtb16 %[u], %[wb]\n"                                                                    \
    "sxtb16 %[wb], %[wb], ror #8\n"                                                           \
    "smlad  %[a00], %[t], %[p], %[a00]\n"                                                     \
    "smlad  %[a10], %[u], %[p], %[a10]\n"                                                     \
    "smlad  %[a00], %[wa], %[q], %[a00]\n"                                                    \
    "smlad  %[a10], %[wb], %[q], %[a10]\n"                                                    \
    "ldrd   %[p], %[q], [%[c]], #8\n"                                                         \
    "smlad  %[a01], %[t], %[p], %[a01]\n"                                                     \
    "smlad  %[a11], %[u], %[p], %[a11]\n"                                                     \
    "smlad  %[a01], %[wa], %[q], %[a01]\n"                                                    \
    "smlad  %[a11], %[wb], %[q], %[a11]\n"

/* One quad of two channels against one column: 10 instructions for 8 MACs. */
#define RELO_CONV_DSP_QUAD_2X1                                                                \
    "ldrd   %[wa], %[wb], [%[w]], #8\n"                                                       \
    "ldrd   %[p], %[q], [%[c]], #8\n"                                                         \
    "sxtb16 %[t], %[wa]\n"                                                                    \
    "sxtb16 %[wa], %[wa], ror #8\n"                                                           \
    "sxtb16 %[u], %[wb]\n"                                                                    \
    "sxtb16 %[wb], %[wb], ror #8\n"                                                           \
    "smlad  %[a0], %[t], %[p], %[a0]\n"                                                       \
    "smlad  %[a1], %[u], %[p], %[a1]\n"                                                       \
    "smlad  %[a0], %[wa], %[q], %[a0]\n"                                                      \
    "smlad  %[a1], %[wb], %[q], %[a1]\n"

/* `quads` (>= 1) times QUAD, unrolled by four. A multiple of four (every layer with K a
 * multiple of 16) enters the loop at once; otherwise bit 0 of quads is done by one QUAD and
 * bit 1 by two first (the flags of each LSRS survive QUAD, which sets none: C is the bit
 * shifted out, Z whether any quads remain). %[t] is free before the first QUAD. */
#define RELO_CONV_DSP_LOOP(QUAD)                                                              \
    "lsls   %[t], %[n], #30\n"                                                                \
    "beq    6f\n"                                                                             \
    "lsrs   %[n], %[n], #1\n"                                                                 \
    "bcc    3f\n" QUAD "3:\n"                                                                 \
    "lsrs   %[n], %[n], #1\n"                                                                 \
    "bcc    5f\n" QUAD QUAD "5:\n"                                                            \
    "beq    4f\n"                                                                             \
    "b      1f\n"                                                                             \
    "6:\n"                                                                                    \
    "lsrs   %[n], %[n], #2\n"                                                                 \
    "1:\n" QUAD QUAD QUAD QUAD "subs   %[n], %[n], #1\n"                                      \
    "bne    1b\n"                                                                             \
    "4:\n"

/* The pair's doubled biases, from the head of its filter block, start the accumulators. */
#define RELO_CONV_DSP_BIASES_2X2                                                              \
    "ldrd   %[a00], %[a10], [%[w]], #8\n"                                                     \
    "mov    %[a01], %[a00]\n"                                                                 \
    "mov    %[a11], %[a10]\n"
#define RELO_CONV_DSP_BIASES_2X1 "ldrd   %[a0], %[a1], [%[w]], #8\n"

/* One quad of two channels against two columns from the wide (int16) filter: the filter pairs
 * need no extension, 12 instructions for 16 MACs. */
#define RELO_CONV_DSP_WIDE_QUAD_2X2                                                           \
    "ldrd   %[wa], %[wb], [%[w]], #8\n"                                                       \
    "ldrd   %[t], %[u], [%[w]], #8\n"                                                         \
    "ldrd   %[p], %[q], [%[c]], #8\n"                                                         \
    "smlad  %[a00], %[wa], %[p], %[a00]\n"                                                    \
    "smlad  %[a10], %[t], %[p], %[a10]\n"                                                     \
    "smlad  %[a00], %[wb], %[q], %[a00]\n"                                                    \
    "smlad  %[a10], %[u], %[q], %[a10]\n"                                                     \
    "ldrd   %[p], %[q], [%[c]], #8\n"                                                         \
    "smlad  %[a01], %[wa], %[p], %[a01]\n"                                                    \
    "smlad  %[a11], %[t], %[p], %[a11]\n"                                                     \
    "smlad  %[a01], %[wb], %[q], %[a01]\n"                                                    \
    "smlad  %[a11], %[u], %[q], %[a11]\n"

/* One quad of two channels against one column, wide filter: 7 instructions for 8 MACs. */
#define RELO_CONV_DSP_WIDE_QUAD_2X1                                                           \
    "ldrd   %[wa], %[wb], [%[w]], #8\n"                                                       \
    "ldrd   %[t], %[u], [%[w]], #8\n"                                                         \
    "ldrd   %[p], %[q], [%[c]], #8\n"                                                         \
    "smlad  %[a0], %[wa], %[p], %[a0]\n"                                                      \
    "smlad  %[a1], %[t], %[p], %[a1]\n"                                                       \
    "smlad  %[a0], %[wb], %[q], %[a0]\n"                                                      \
    "smlad  %[a1], %[u], %[q], %[a1]\n"

#define RELO_CONV_DSP_2X2_OPERANDS                                                            \
    : [w] "+r"(w), [c] "+r"(c), [n] "+r"(quads), [a00] "=&r"(*a00), [a01] "=&r"(*a01),         \
      [a10] "=&r"(*a10), [a11] "=&r"(*a11), [wa] "=&r"(wa), [wb] "=&r"(wb), [t] "=&r"(t),      \
      [u] "=&r"(u), [p] "=&r"(p), [q] "=&r"(q)                                                \
    :                                                                                         \
    : "cc", "memory"
#define RELO_CONV_DSP_2X1_OPERANDS                                                            \
    : [w] "+r"(w), [c] "+r"(c), [n] "+r"(quads), [a0] "=&r"(*a0), [a1] "=&r"(*a1),             \
      [wa] "=&r"(wa), [wb] "=&r"(wb), [t] "=&r"(t), [u] "=&r"(u), [p] "=&r"(p), [q] "=&r"(q)   \
    :                                                                                         \
    : "cc", "memory"

/* A pair's block against two columns: hand-scheduled because GCC runs out of registers on
 * this loop and spills. `wide` is a constant at each call. */
static inline __attribute__((always_inline)) void
relo_conv_dsp_pair_loop(const void **filter, int32_t wide, const relo_dsp_pairs_t *c,
                        int32_t quads, int32_t *a00, int32_t *a01, int32_t *a10, int32_t *a11)
{
    const void *w = *filter;
    uint32_t wa, wb, t, u, p, q;
    if (wide) {
        __asm__ volatile(RELO_CONV_DSP_BIASES_2X2 RELO_CONV_DSP_LOOP(RELO_CONV_DSP_WIDE_QUAD_2X2)
                             RELO_CONV_DSP_2X2_OPERANDS);
    } else {
        __asm__ volatile(RELO_CONV_DSP_BIASES_2X2 RELO_CONV_DSP_LOOP(RELO_CONV_DSP_QUAD_2X2)
                             RELO_CONV_DSP_2X2_OPERANDS);
    }
    *filter = w;
}

/* A pair's block against one column. */
static inline __attribute__((always_inline)) void
relo_conv_dsp_pair_loop_one_column(const void **filter, int32_t wide, const relo_dsp_pairs_t *c,
                                   int32_t quads, int32_t *a0, int32_t *a1)
{
    const void *w = *filter;
    uint32_t wa, wb, t, u, p, q;
    if (wide) {
        __asm__ volatile(RELO_CONV_DSP_BIASES_2X1 RELO_CONV_DSP_LOOP(RELO_CONV_DSP_WIDE_QUAD_2X1)
                             RELO_CONV_DSP_2X1_OPERANDS);
    } else {
        __asm__ volatile(RELO_CONV_DSP_BIASES_2X1 RELO_CONV_DSP_LOOP(RELO_CONV_DSP_QUAD_2X1)
                             RELO_CONV_DSP_2X1_OPERANDS);
    }
    *filter = w;
}
#endif

/* Taps (0, 1) and (2, 3) of the quad at `w` as packed pairs, from either layout. */
static inline void relo_conv_dsp_quad(const uint8_t *w, int32_t wide, uint32_t *t01,
                                      uint32_t *t23)
{
    if (wide) {
        *t01 = relo_dsp_read_s16x2((const int16_t *)(const void *)w);
        *t23 = relo_dsp_read_s16x2((const int16_t *)(const void *)(w + 4));
    } else {
        const uint32_t x = relo_dsp_read_s8x4((const int8_t *)w);
        *t01 = relo_dsp_sxtb16(x), *t23 = relo_dsp_sxtb16_ror8(x);
    }
}

#if !RELO_DSP_NATIVE
/* A pair's block against `columns` columns: acc[channel][column]. */
static void relo_conv_dsp_pair_quads(const void **filter, int32_t wide, const relo_dsp_pairs_t *c,
                                     int32_t columns, int32_t quads, int32_t acc[2][2])
{
    const uint8_t *w = *filter;
    const int32_t quad = wide ? 8 : 4; /* bytes of one channel's quad */
    int32_t biases[2];
    memcpy(biases, w, sizeof biases);
    w += sizeof biases;
    acc[0][0] = acc[0][1] = biases[0], acc[1][0] = acc[1][1] = biases[1];
    for (; quads > 0; --quads, w += 2 * quad, c += 2 * columns) {
        uint32_t t[2][2]; /* [channel][taps (0, 1), (2, 3)] */
        relo_conv_dsp_quad(w, wide, &t[0][0], &t[0][1]);
        relo_conv_dsp_quad(w + quad, wide, &t[1][0], &t[1][1]);
        for (int32_t ch = 0; ch < 2; ++ch) {
            for (int32_t j = 0; j < columns; ++j) {
                acc[ch][j] = relo_dsp_smlad(t[ch][1], c[2 * j + 1],
                                            relo_dsp_smlad(t[ch][0], c[2 * j], acc[ch][j]));
            }
        }
    }
    *filter = w;
}

static inline __attribute__((always_inline)) void
relo_conv_dsp_pair_loop(const void **filter, int32_t wide, const relo_dsp_pairs_t *c,
                        int32_t quads, int32_t *a00, int32_t *a01, int32_t *a10, int32_t *a11)
{
    int32_t acc[2][2];
    relo_conv_dsp_pair_quads(filter, wide, c, 2, quads, acc);
    *a00 = acc[0][0], *a01 = acc[0][1], *a10 = acc[1][0], *a11 = acc[1][1];
}

static inline __attribute__((always_inline)) void
relo_conv_dsp_pair_loop_one_column(const void **filter, int32_t wide, const relo_dsp_pairs_t *c,
                                   int32_t quads, int32_t *a0, int32_t *a1)
{
    int32_t acc[2][2];
    relo_conv_dsp_pair_quads(filter, wide, c, 1, quads, acc);
    *a0 = acc[0][0], *a1 = acc[1][0];
}
#endif

/* The odd last output channel, its block at `w`, against the columns (the second accumulator
 * only counts with two columns). */
static void relo_conv_dsp_channel(const relo_conv_dsp_job_t *job, const uint8_t *w,
                                  const int16_t *columns, int32_t acc[2])
{
    const int32_t step = 2 * job->columns; /* pairs per quad */
    const int32_t quad = job->wide ? 8 : 4; /* bytes of a quad */
    const relo_dsp_pairs_t *c = (const relo_dsp_pairs_t *)(const void *)columns;
    const relo_dsp_pairs_t *d = c + (job->columns - 1) * 2; /* == c with one column */
    int32_t a0;
    memcpy(&a0, w, sizeof a0);
    w += sizeof a0;
    int32_t a1 = a0;
    for (int32_t tap = 0; tap < job->length; tap += 4, w += quad, c += step, d += step) {
        uint32_t wa01, wa23;
        relo_conv_dsp_quad(w, job->wide, &wa01, &wa23);
        a0 = relo_dsp_smlad(wa01, c[0], a0);
        a0 = relo_dsp_smlad(wa23, c[1], a0);
        a1 = relo_dsp_smlad(wa01, d[0], a1);
        a1 = relo_dsp_smlad(wa23, d[1], a1);
    }
    acc[0] = a0, acc[1] = a1;
}

#if RELO_DSP_NATIVE
/* One output of the 2x2 block with the full int8 range: requantize the doubled accumulator
 * (relo_dsp_requantize_doubled with record m, e, k), SSAT, store and step the output pointer:
 * 5 instructions. */
#define RELO_CONV_DSP_OUT_FULL(acc, out)                                                      \
    "smmlar %[t], %[" acc "], %[m], %[k]\n"                                                   \
    "add    %[t], %[t], %[" acc "], asr #31\n"                                                \
    "asr    %[t], %[t], %[e]\n"                                                               \
    "ssat   %[t], #8, %[t]\n"                                                                 \
    "strb   %[t], [%[" out "]], #1\n"

/* Channels oc, oc + 1 (records r[0], r[1]) of both pixels, full int8 range, written to
 * out0[0..1] and out1[0..1]; r, out0 and out1 step past them. Hand-scheduled: GCC reloads the
 * records and spills around the MAC loop. */
static inline void relo_conv_dsp_store_2x2_full(int32_t a00, int32_t a01, int32_t a10,
                                                int32_t a11, const relo_dsp_requant_t **r,
                                                int8_t **out0, int8_t **out1)
{
    const relo_dsp_requant_t *q = *r;
    int8_t *o0 = *out0, *o1 = *out1;
    int32_t m, e, k, t;
    __asm__ volatile("ldrd   %[m], %[e], [%[q]], #8\n"
                     "ldr    %[k], [%[q]], #4\n"
                     RELO_CONV_DSP_OUT_FULL("a00", "o0")
                     RELO_CONV_DSP_OUT_FULL("a01", "o1")
                     "ldrd   %[m], %[e], [%[q]], #8\n"
                     "ldr    %[k], [%[q]], #4\n"
                     RELO_CONV_DSP_OUT_FULL("a10", "o0")
                     RELO_CONV_DSP_OUT_FULL("a11", "o1")
                     : [q] "+r"(q), [o0] "+r"(o0), [o1] "+r"(o1), [a00] "+r"(a00),
                       [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [m] "=&r"(m),
                       [e] "=&r"(e), [k] "=&r"(k), [t] "=&r"(t)
                     :
                     : "memory");
    *r = q, *out0 = o0, *out1 = o1;
}
#else
static inline void relo_conv_dsp_store_2x2_full(int32_t a00, int32_t a01, int32_t a10,
                                                int32_t a11, const relo_dsp_requant_t **r,
                                                int8_t **out0, int8_t **out1)
{
    const relo_dsp_requant_t r0 = (*r)[0], r1 = (*r)[1];
    (*out0)[0] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a00, r0, -128, 127, 1);
    (*out1)[0] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a01, r0, -128, 127, 1);
    (*out0)[1] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a10, r1, -128, 127, 1);
    (*out1)[1] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a11, r1, -128, 127, 1);
    *r += 2, *out0 += 2, *out1 += 2;
}
#endif

/* Every output channel of the pixels, each requantized straight out of the registers of its
 * 2x2 (channels x pixels) block. out1 == out0 for a lone last pixel (both columns then hold
 * it, so both writes agree). two_columns (job->columns == 2), full_range (see
 * relo_dsp_requantize_doubled_clamp_s8) and wide (job->wide) are constants in each of the
 * eight copies. */
static inline __attribute__((always_inline)) void
relo_conv_dsp_pixels_with(const relo_conv_dsp_job_t *job, const int16_t *columns, int8_t *out0,
                          int8_t *out1, int32_t two_columns, int32_t full_range, int32_t wide)
{
    const relo_conv_params_t *p = job->params;
    const int32_t lo = p->activation_min, hi = p->activation_max;
    const relo_dsp_pairs_t *c = (const relo_dsp_pairs_t *)(const void *)columns;
    const int32_t quads = job->length / 4;
    const relo_dsp_requant_t *r = job->requant;
    const void *w = job->filter; /* each pair's block follows the previous pair's */
    const int8_t *const end0 = out0 + (p->output_depth & ~1);
    while (out0 != end0) {
        int32_t a00, a01, a10, a11;
        if (two_columns) {
            relo_conv_dsp_pair_loop(&w, wide, c, quads, &a00, &a01, &a10, &a11);
            if (full_range) {
                relo_conv_dsp_store_2x2_full(a00, a01, a10, a11, &r, &out0, &out1);
                continue;
            }
        } else {
            relo_conv_dsp_pair_loop_one_column(&w, wide, c, quads, &a00, &a10);
        }
        const relo_dsp_requant_t r0 = r[0], r1 = r[1];
        out0[0] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a00, r0, lo, hi, full_range);
        out0[1] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a10, r1, lo, hi, full_range);
        if (two_columns) {
            out1[0] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a01, r0, lo, hi, full_range);
            out1[1] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a11, r1, lo, hi, full_range);
        }
        out0 += 2, out1 += 2, r += 2;
    }
    if ((p->output_depth & 1) != 0) { /* the odd last channel */
        int32_t single[2];
        relo_conv_dsp_channel(job, w, columns, single);
        const relo_dsp_requant_t r0 = r[0];
        out1[0] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(single[1], r0, lo, hi, full_range);
        out0[0] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(single[0], r0, lo, hi, full_range);
    }
}

/* relo_conv_dsp_pixels_with, copy k: two columns (bit 2), full range (bit 1), wide (bit 0). */
#define RELO_CONV_DSP_PIXELS_CASE(k)                                                          \
    case k:                                                                                   \
        relo_conv_dsp_pixels_with(job, columns, out0, out1, (k) >> 2, ((k) >> 1) & 1, (k) & 1); \
        break

static void relo_conv_dsp_pixels(const relo_conv_dsp_job_t *job, const int16_t *columns,
                                 int8_t *out0, int8_t *out1)
{
    const relo_conv_params_t *p = job->params;
    const int32_t full = relo_dsp_is_full_range_s8(p->activation_min, p->activation_max);
    switch ((job->columns == 2) << 2 | full << 1 | (job->wide != 0)) {
        RELO_CONV_DSP_PIXELS_CASE(0);
        RELO_CONV_DSP_PIXELS_CASE(1);
        RELO_CONV_DSP_PIXELS_CASE(2);
        RELO_CONV_DSP_PIXELS_CASE(3);
        RELO_CONV_DSP_PIXELS_CASE(4);
        RELO_CONV_DSP_PIXELS_CASE(5);
        RELO_CONV_DSP_PIXELS_CASE(6);
        RELO_CONV_DSP_PIXELS_CASE(7);
    }
}

static int32_t relo_conv_dsp_run(const relo_conv_dsp_job_t *job, const int8_t *input,
                                 int8_t *output, int16_t *scratch)
{
    const relo_conv_params_t *params = job->params;
    const relo_window_t *w = &params->window;
    const int32_t columns = job->columns;
    const int32_t pixels = w->output_height * w->output_width;
    const int32_t image_size = w->input_height * w->input_width * params->input_depth;
    const int32_t pointwise = relo_conv_dsp_is_pointwise(w);
    for (int32_t b = 0; b < w->batches; ++b) {
        const int8_t *image = input + b * image_size;
        int8_t *out = output + b * pixels * params->output_depth;
        /* both windows are read before either pixel is written (window overlap contract) */
        for (int32_t p = 0; p < pixels; p += columns) {
            const int32_t pair = columns == 2 && p + 1 < pixels;
            const int32_t q = pair ? p + 1 : p; /* a lone last pixel fills both columns */
            relo_conv_dsp_column(params, image, p, pointwise, scratch, columns, job->length);
            if (columns == 2) {
                relo_conv_dsp_column(params, image, q, pointwise, scratch + 4, columns,
                                     job->length);
            }
            int8_t *out0 = out + p * params->output_depth;
            relo_conv_dsp_pixels(job, scratch, out0, out + q * params->output_depth);
        }
    }
    return RELO_NN_OK;
}

/* Both entry points: validate, then run with the filter's layout. */
static int32_t relo_conv_dsp_start(const relo_conv_params_t *params, const int8_t *input,
                                   const void *filter, int32_t wide,
                                   const relo_dsp_requant_t *requant, int8_t *output,
                                   int16_t *scratch, int32_t columns)
{
    const int32_t status =
        relo_conv_dsp_validate(params, input, filter, requant, output, scratch, columns);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_conv_dsp_job_t job = {params, filter, wide, requant,
                                     relo_conv_dsp_column_length(params), columns};
    return relo_conv_dsp_run(&job, input, output, scratch);
}

int32_t relo_conv_s8_dsp(const relo_conv_params_t *params, const int8_t *input,
                         const int8_t *filter, const relo_dsp_requant_t *requant, int8_t *output,
                         int16_t *scratch, int32_t columns)
{
    return relo_conv_dsp_start(params, input, filter, 0, requant, output, scratch, columns);
}

int32_t relo_conv_s8_dsp_wide(const relo_conv_params_t *params, const int8_t *input,
                              const int16_t *filter, const relo_dsp_requant_t *requant,
                              int8_t *output, int16_t *scratch, int32_t columns)
{
    return relo_conv_dsp_start(params, input, filter, 1, requant, output, scratch, columns);
}

/* ---- relo_conv_s8_dsp_image: channel pairs outside, pixels inside --------------------------
 *
 * For small images (the late layers of MobileNets: few pixels, many channels) the columns of
 * every pixel fit in scratch at once: they are extended once, then each pair of output channels
 * is widened once from the int8 filter stream into an int16 block (the wide layout of one
 * pair: its two int32 biases, then its quads, 8 + 4 * K bytes) and dotted with every pixel
 * pair by the wide 2x2 loop (12 instructions per 16 MACs instead of 15): the int8 filter's
 * package size with the wide filter's inner loop.
 * Scratch (4-byte aligned): ceil(pixels / 2) pixel pairs of 2 * K int16, interleaved by quad
 * as relo_conv_s8_dsp's two columns (a lone last pixel fills both), then the block.
 * Filter: relo_conv_s8_dsp's int8 stream. The whole image is read before any output is
 * written (window overlap contract). */

/* int16 elements of scratch relo_conv_s8_dsp_image needs for one image's pixel pairs (the
 * pair block follows them). */
static int32_t relo_conv_dsp_image_taps(const relo_conv_params_t *params, int32_t length)
{
    const relo_window_t *w = &params->window;
    return (w->output_height * w->output_width + 1) / 2 * 2 * length;
}

/* The next pair's block of the int8 stream at `w`, widened into `block`: its biases copied,
 * every quad's SXTB16-ordered word split into the pairs (t0, t1) and (t2, t3). Returns where
 * the following block starts. */
#if RELO_DSP_NATIVE
static const int8_t *relo_conv_dsp_widen_pair(const int8_t *w, int32_t length, int16_t *block)
{
    int32_t n = length / 4; /* two words (a quad of each channel) per pass: 9 instructions */
    uint32_t x, y, a, b;
    __asm__ volatile("ldrd   %[x], %[y], [%[w]], #8\n" /* biases: the same bytes in both */
                     "strd   %[x], %[y], [%[o]], #8\n"
                     "1:\n"
                     "ldrd   %[x], %[y], [%[w]], #8\n"
                     "sxtb16 %[a], %[x]\n"
                     "sxtb16 %[x], %[x], ror #8\n"
                     "sxtb16 %[b], %[y]\n"
                     "sxtb16 %[y], %[y], ror #8\n"
                     "strd   %[a], %[x], [%[o]], #8\n"
                     "strd   %[b], %[y], [%[o]], #8\n"
                     "subs   %[n], %[n], #1\n"
                     "bne    1b\n"
                     : [w] "+r"(w), [o] "+r"(block), [n] "+r"(n), [x] "=&r"(x), [y] "=&r"(y),
                       [a] "=&r"(a), [b] "=&r"(b)
                     :
                     : "cc", "memory");
    return w;
}
#else
static const int8_t *relo_conv_dsp_widen_pair(const int8_t *w, int32_t length, int16_t *block)
{
    relo_dsp_pairs_t *out = (relo_dsp_pairs_t *)(void *)block;
    memcpy(out, w, 8); /* two int32 biases: the same bytes in either layout */
    out += 2, w += 8;
    for (int32_t i = 0; i < 2 * length; i += 4, w += 4, out += 2) {
        const uint32_t x = relo_dsp_read_s8x4(w);
        out[0] = relo_dsp_sxtb16(x);
        out[1] = relo_dsp_sxtb16_ror8(x);
    }
    return w;
}
#endif

#if RELO_DSP_NATIVE
/* One output of a 2x2 block with the full int8 range, as RELO_CONV_DSP_OUT_FULL, the record
 * in registers m, e, k and the temporary t named by the caller. */
#define RELO_CONV_DSP_OUT_WITH(acc, out, m, e, k, t)                                          \
    "smmlar %[" t "], %[" acc "], %[" m "], %[" k "]\n"                                         \
    "add    %[" t "], %[" t "], %[" acc "], asr #31\n"                                          \
    "asr    %[" t "], %[" t "], %[" e "]\n"                                                     \
    "ssat   %[" t "], #8, %[" t "]\n"                                                           \
    "strb   %[" t "], [%[" out "]], #1\n"

/* Channels oc, oc + 1 (the widened block, records r[0..1]) of the `count` (>= 1) whole pixel
 * pairs from `pairs`, written from `out` on; full int8 range, quads a multiple of 4. One asm
 * loop: every register holds the 2x2 block's work, so the loop's own state (block, passes,
 * records, output pointer and steps) lives in stack slots ("m" operands), reloaded in a few
 * instructions a pixel pair instead of GCC's spills. */
static void relo_conv_dsp_image_pairs_full(const int16_t *block, const int16_t *pairs,
                                           int32_t count, int32_t quads,
                                           const relo_dsp_requant_t *r, int8_t *out,
                                           int32_t depth, int32_t length)
{
    const int32_t passes = quads / 4, step = 2 * depth - 2;
    const int16_t *const end = pairs + count * 2 * length;
    uint32_t w, n, a00, a01, a10, a11, wa, wb, t, u, p, q;
    __asm__ volatile("2:\n"
                     "ldr    %[w], %[blk]\n"
                     "ldr    %[n], %[passes]\n"
                     "ldrd   %[a00], %[a10], [%[w]], #8\n"
                     "mov    %[a01], %[a00]\n"
                     "mov    %[a11], %[a10]\n"
                     "1:\n" RELO_CONV_DSP_WIDE_QUAD_2X2 RELO_CONV_DSP_WIDE_QUAD_2X2
                         RELO_CONV_DSP_WIDE_QUAD_2X2 RELO_CONV_DSP_WIDE_QUAD_2X2
                     "subs   %[n], %[n], #1\n"
                     "bne    1b\n"
                     /* w: records, n: out0, wa: out1, (wb, t, u): a record, p: the value */
                     "ldr    %[w], %[rec]\n"
                     "ldr    %[n], %[out]\n"
                     "ldr    %[wa], %[depth]\n"
                     "add    %[wa], %[n], %[wa]\n"
                     "ldrd   %[wb], %[t], [%[w]], #8\n"
                     "ldr    %[u], [%[w]], #4\n"
                     RELO_CONV_DSP_OUT_WITH("a00", "n", "wb", "t", "u", "p")
                     RELO_CONV_DSP_OUT_WITH("a01", "wa", "wb", "t", "u", "p")
                     "ldrd   %[wb], %[t], [%[w]], #8\n"
                     "ldr    %[u], [%[w]], #4\n"
                     RELO_CONV_DSP_OUT_WITH("a10", "n", "wb", "t", "u", "p")
                     RELO_CONV_DSP_OUT_WITH("a11", "wa", "wb", "t", "u", "p")
                     "ldr    %[wb], %[step]\n"
                     "add    %[n], %[n], %[wb]\n"
                     "str    %[n], %[out]\n"
                     "ldr    %[wb], %[end]\n"
                     "cmp    %[c], %[wb]\n"
                     "bne    2b\n"
                     : [c] "+r"(pairs), [out] "+m"(out), [w] "=&r"(w), [n] "=&r"(n),
                       [a00] "=&r"(a00), [a01] "=&r"(a01), [a10] "=&r"(a10), [a11] "=&r"(a11),
                       [wa] "=&r"(wa), [wb] "=&r"(wb), [t] "=&r"(t), [u] "=&r"(u), [p] "=&r"(p),
                       [q] "=&r"(q)
                     : [blk] "m"(block), [passes] "m"(passes), [rec] "m"(r), [depth] "m"(depth),
                       [step] "m"(step), [end] "m"(end)
                     : "cc", "memory");
}
#endif

/* Channels oc, oc + 1 (block, records r[0..1]) of every pixel pair; full_range is a constant
 * in each of the two copies. */
static inline __attribute__((always_inline)) void
relo_conv_dsp_image_pair_with(const relo_conv_dsp_job_t *job, const int16_t *block,
                              const int16_t *pairs, const relo_dsp_requant_t *r, int8_t *out,
                              int32_t full_range)
{
    const relo_conv_params_t *p = job->params;
    const int32_t lo = p->activation_min, hi = p->activation_max, depth = p->output_depth;
    const int32_t pixels = p->window.output_height * p->window.output_width;
    const int32_t quads = job->length / 4;
    int8_t *const end = out + pixels * depth;
    int8_t *out0 = out;
#if RELO_DSP_NATIVE
    if (full_range && quads % 4 == 0 && pixels >= 2) { /* the whole pairs in one asm loop */
        relo_conv_dsp_image_pairs_full(block, pairs, pixels / 2, quads, r, out, depth,
                                       job->length);
        out0 += pixels / 2 * 2 * depth, pairs += pixels / 2 * 2 * job->length;
    }
#endif
    for (; out0 < end; out0 += 2 * depth, pairs += 2 * job->length) {
        const void *w = block;
        int32_t a00, a01, a10, a11;
        relo_conv_dsp_pair_loop(&w, 1, (const relo_dsp_pairs_t *)(const void *)pairs, quads,
                                &a00, &a01, &a10, &a11);
        int8_t *out1 = out0 + depth < end ? out0 + depth : out0; /* a lone last pixel */
        if (full_range) {
            const relo_dsp_requant_t *records = r;
            int8_t *o0 = out0; /* the store steps its pointers: keep the loop's */
            relo_conv_dsp_store_2x2_full(a00, a01, a10, a11, &records, &o0, &out1);
        } else {
            out0[0] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a00, r[0], lo, hi, 0);
            out0[1] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a10, r[1], lo, hi, 0);
            out1[0] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a01, r[0], lo, hi, 0);
            out1[1] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a11, r[1], lo, hi, 0);
        }
    }
}

/* The odd last channel (its int8 block at `w`, record r) of every pixel pair. */
static void relo_conv_dsp_image_last_channel(const relo_conv_dsp_job_t *job, const int8_t *w,
                                             const int16_t *pairs, const relo_dsp_requant_t *r,
                                             int8_t *out)
{
    const relo_conv_params_t *p = job->params;
    const int32_t depth = p->output_depth;
    const int32_t pixels = p->window.output_height * p->window.output_width;
    for (int32_t px = 0; px < pixels; px += 2, pairs += 2 * job->length) {
        int32_t single[2];
        relo_conv_dsp_channel(job, (const uint8_t *)w, pairs, single);
        int8_t *out0 = out + px * depth;
        int8_t *out1 = px + 1 < pixels ? out0 + depth : out0;
        out1[0] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(single[1], *r, p->activation_min,
                                                               p->activation_max, 0);
        out0[0] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(single[0], *r, p->activation_min,
                                                               p->activation_max, 0);
    }
}

/* Every pixel pair's columns of one image, then every output channel pair over them. */
static void relo_conv_dsp_image_run(const relo_conv_dsp_job_t *job, const int8_t *image,
                                    int8_t *out, int16_t *scratch)
{
    const relo_conv_params_t *params = job->params;
    const relo_window_t *w = &params->window;
    const int32_t pixels = w->output_height * w->output_width, length = job->length;
    const int32_t pointwise = relo_conv_dsp_is_pointwise(w);
    int16_t *const block = scratch + relo_conv_dsp_image_taps(params, length);
    for (int32_t px = 0; px < pixels; px += 2) {
        int16_t *pair = scratch + px * length; /* pixel pair px / 2: 2 * K taps */
        relo_conv_dsp_column(params, image, px, pointwise, pair, 2, length);
        relo_conv_dsp_column(params, image, px + 1 < pixels ? px + 1 : px, pointwise, pair + 4, 2,
                             length);
    }
    const int32_t full = relo_dsp_is_full_range_s8(params->activation_min, params->activation_max);
    const int8_t *filter = job->filter;
    const relo_dsp_requant_t *r = job->requant;
    int32_t oc = 0;
    for (; oc + 1 < params->output_depth; oc += 2, r += 2) {
        filter = relo_conv_dsp_widen_pair(filter, length, block);
        if (full) {
            relo_conv_dsp_image_pair_with(job, block, scratch, r, out + oc, 1);
        } else {
            relo_conv_dsp_image_pair_with(job, block, scratch, r, out + oc, 0);
        }
    }
    if (oc < params->output_depth) {
        relo_conv_dsp_image_last_channel(job, filter, scratch, r, out + oc);
    }
}

int32_t relo_conv_s8_dsp_image(const relo_conv_params_t *params, const int8_t *input,
                               const int8_t *filter, const relo_dsp_requant_t *requant,
                               int8_t *output, int16_t *scratch)
{
    const int32_t status =
        relo_conv_dsp_validate(params, input, filter, requant, output, scratch, 2);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_window_t *w = &params->window;
    /* the last channel's block is read in its int8 layout (relo_conv_dsp_channel) */
    const relo_conv_dsp_job_t job = {params, filter, 0, requant,
                                     relo_conv_dsp_column_length(params), 2};
    const int32_t image_size = w->input_height * w->input_width * params->input_depth;
    const int32_t out_size = w->output_height * w->output_width * params->output_depth;
    for (int32_t b = 0; b < w->batches; ++b) {
        relo_conv_dsp_image_run(&job, input + b * image_size, output + b * out_size, scratch);
    }
    return RELO_NN_OK;
}

/* ---- relo_conv_pointwise8_s8_dsp: 1x1 convolutions over 8 input channels ------------------
 *
 * The column is 8 taps: four packed pairs that stay in registers for all output channels, so
 * there is no im2col and no scratch; one output channel per step, requantized at once:
 * 14.5 instructions for 8 MACs and the output. Preconditions (checked by the compiler too):
 * 1x1 filter, stride 1, no padding, full int8 activation range, output the input's size.
 * Layout contract (compiler/kernel_select/, pointwise8_layout): filter int16, per output
 * channel its 8 taps in the order (0, 2), (1, 3), (4, 6), (5, 7), the pairs SXTB16 and
 * SXTB16 ROR 8 make of the pixel's two words; channels: per output channel {2 * bias,
 * rounding, multiplier, right_shift} (relo_dsp_requant_t's fields, the rounding first: each
 * LDRD loads a pair the loop uses together). The pixel is
 * extended to 2 * (x + offset), so the sums come doubled as relo_dsp_requantize_doubled
 * wants. */

static int32_t relo_conv_pointwise8_validate(const relo_conv_params_t *params,
                                             const int8_t *input, const int16_t *filter,
                                             const int32_t *channels, const int8_t *output)
{
    if (params == 0 || input == 0 || filter == 0 || channels == 0 || output == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    const relo_window_t *w = &params->window;
    if (!relo_window_is_valid(w) || params->input_depth != 8 || params->filter_input_depth != 8 ||
        params->output_depth <= 0 || w->filter_height != 1 || w->filter_width != 1 ||
        w->stride_height != 1 || w->stride_width != 1 || w->pad_top != 0 || w->pad_left != 0 ||
        w->output_height != w->input_height || w->output_width != w->input_width) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (!relo_dsp_is_full_range_s8(params->activation_min, params->activation_max) ||
        params->filter_offset != 0) {
        return RELO_NN_ERR_BAD_PARAM;
    }
    return RELO_NN_OK;
}

#if RELO_DSP_NATIVE
/* One output channel of the pixel: its doubled bias and rounding, 8 MACs, its multiplier and
 * shift, the requantized value stored: 15 instructions. */
#define RELO_CONV_POINTWISE8_OUTPUT                                                           \
    "ldrd   %[a], %[k], [%[ch]], #8\n"                                                        \
    "ldrd   %[t0], %[t1], [%[w]], #8\n"                                                       \
    "smlad  %[a], %[t0], %[c0], %[a]\n"                                                       \
    "smlad  %[a], %[t1], %[c1], %[a]\n"                                                       \
    "ldrd   %[t0], %[t1], [%[w]], #8\n"                                                       \
    "smlad  %[a], %[t0], %[c2], %[a]\n"                                                       \
    "smlad  %[a], %[t1], %[c3], %[a]\n"                                                       \
    "ldrd   %[t0], %[t1], [%[ch]], #8\n"                                                      \
    "smmlar %[t], %[a], %[t0], %[k]\n"                                                        \
    "add    %[t], %[t], %[a], asr #31\n"                                                      \
    "asr    %[t], %[t], %[t1]\n"                                                              \
    "ssat   %[t], #8, %[t]\n"                                                                 \
    "strb   %[t], [%[o]], #1\n"

#define RELO_CONV_POINTWISE8_OPERANDS                                                         \
    : [w] "+r"(filter), [ch] "+r"(channels), [o] "+r"(out), [a] "=&r"(a), [t0] "=&r"(t0),     \
      [t1] "=&r"(t1), [k] "=&r"(k), [t] "=&r"(t)                                              \
    : [c0] "r"(c0), [c1] "r"(c1), [c2] "r"(c2), [c3] "r"(c3), [end] "r"(end)                  \
    : "cc", "memory"

/* Every output channel of one pixel whose column is c0..c3: two a pass when there is an even
 * number of them (14.5 instructions an output), else one (17). */
static inline void relo_conv_pointwise8_pixel(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                              const int16_t *filter, const int32_t *channels,
                                              int8_t *out, const int8_t *end)
{
    int32_t a, t0, t1, k, t;
    if (((end - out) & 1) == 0) {
        __asm__ volatile("1:\n" RELO_CONV_POINTWISE8_OUTPUT RELO_CONV_POINTWISE8_OUTPUT
                         "cmp    %[o], %[end]\n"
                         "bne    1b\n"
                         RELO_CONV_POINTWISE8_OPERANDS);
    } else {
        __asm__ volatile("1:\n" RELO_CONV_POINTWISE8_OUTPUT
                         "cmp    %[o], %[end]\n"
                         "bne    1b\n"
                         RELO_CONV_POINTWISE8_OPERANDS);
    }
}
#else
static inline void relo_conv_pointwise8_pixel(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                              const int16_t *filter, const int32_t *channels,
                                              int8_t *out, const int8_t *end)
{
    for (; out != end; ++out, filter += 8, channels += 4) {
        int32_t a = channels[0];
        a = relo_dsp_smlad(relo_dsp_read_s16x2(filter), c0, a);
        a = relo_dsp_smlad(relo_dsp_read_s16x2(filter + 2), c1, a);
        a = relo_dsp_smlad(relo_dsp_read_s16x2(filter + 4), c2, a);
        a = relo_dsp_smlad(relo_dsp_read_s16x2(filter + 6), c3, a);
        const relo_dsp_requant_t r = {channels[2], channels[3], channels[1]};
        *out = (int8_t)relo_dsp_requantize_doubled_clamp_s8(a, r, -128, 127, 1);
    }
}
#endif

int32_t relo_conv_pointwise8_s8_dsp(const relo_conv_params_t *params, const int8_t *input,
                                    const int16_t *filter, const int32_t *channels,
                                    int8_t *output)
{
    const int32_t status =
        relo_conv_pointwise8_validate(params, input, filter, channels, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_window_t *w = &params->window;
    const int32_t depth = params->output_depth;
    const int32_t pixels = w->batches * w->input_height * w->input_width;
    const uint32_t offsets = relo_dsp_splat(2 * params->input_offset);
    /* pixel p is read whole before its outputs are written (window overlap contract) */
    for (int32_t p = 0; p < pixels; ++p, input += 8, output += depth) {
        const uint32_t lo = relo_dsp_read_s8x4(input), hi = relo_dsp_read_s8x4(input + 4);
        /* 2 * (x + offset) by pairs: SXTAB16 twice (x + 2 * offset, then + x) */
        const uint32_t c0 = relo_dsp_sxtab16(relo_dsp_sxtab16(offsets, lo), lo);
        const uint32_t c1 = relo_dsp_sxtab16_ror8(relo_dsp_sxtab16_ror8(offsets, lo), lo);
        const uint32_t c2 = relo_dsp_sxtab16(relo_dsp_sxtab16(offsets, hi), hi);
        const uint32_t c3 = relo_dsp_sxtab16_ror8(relo_dsp_sxtab16_ror8(offsets, hi), hi);
        relo_conv_pointwise8_pixel(c0, c1, c2, c3, filter, channels, output, output + depth);
    }
    return RELO_NN_OK;
}
