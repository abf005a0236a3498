/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A convolution of a one-channel int8 image into M output channels (DEPTHWISE_CONV_2D with
 * input depth 1 and depth multiplier M, e.g. micro_speech's 10x8 filter or person_detect's
 * first layer), for cores with the DSP extension, dilation 1.
 *
 * With one input channel a filter row is a run of contiguous input bytes, so there is no
 * im2col: every output pixel reads its window straight from the image, four bytes per load,
 * sign-extended by SXTB16 into the pairs (x0, x2) and (x1, x3); each pair serves four output
 * channels (SMLAD). Padding rows above and below the image are skipped (they add nothing).
 * The pixels whose windows reach past the left or right edge read instead from two small
 * "strips" (scratch) holding, for each output row, the image columns they cover padded with
 * the input zero point, so (x + input_offset) is 0 there as the reference's skipped taps.
 *
 * The input offset is not added per tap: sum(w * (x + o)) = sum(w * x) + o * sum(w) over the
 * filter rows inside the image, and o * sum(w) comes from a table of prefix sums per row.
 * Filter, bias and that table hold twice their values, so the accumulators are twice the
 * sums, which relo_dsp_requantize_doubled takes with no doubling left to do.
 *
 * Layout contract with the compiler (compiler/kernel_select/, one_channel_*), fixed at pack
 * time: Q = ceil(filter_width / 4) quads of taps per filter row, output channels in groups of
 * four (the last group zero padded);
 * - filter, int16, 2 * the taps: for each group g, filter row fy, quad q, channel j of the
 *   group: the taps (4q, 4q + 2) then (4q + 1, 4q + 3) as two packed pairs, taps past
 *   filter_width 0;
 * - bias, int32, 2 * the bias (or NULL);
 * - offset_terms, int32, [output_depth][filter_height + 1]: 2 * input_offset times the sum of
 *   the channel's filter rows [0, k), wrapped to int32 (the kernels' sums wrap alike);
 * - requant: one record per output channel (relo_nn_dsp.h), the output offset folded in, and
 *   every accumulator proven below 2^29 (so twice it fits);
 * - scratch: 4-byte aligned, at least relo_conv_one_channel_s8_dsp_scratch_bytes().
 * Bit-exact with relo_depthwise_conv_s8: the same int32 sums in another order.
 */
#include "relo_nn_dsp.h"
#include "relo_nn_functions.h"
#include "relo_window.h"

#define RELO_ONE_CHANNEL_BLOCK 32 /* output channels accumulated before requantizing them */
#define RELO_ONE_CHANNEL_GROUP 4  /* output channels per pass over a window */

/* Output columns [0, left) read the left strip, [right_first, output_width) the right one. */
typedef struct {
    int32_t left;
    int32_t right_first;
    int32_t left_pitch;  /* bytes per strip row, 0 without that strip */
    int32_t right_pitch;
} relo_one_channel_edges_t;

typedef struct {
    const relo_conv_params_t *params;
    const int16_t *filter;
    const int32_t *bias;         /* may be NULL */
    const int32_t *offset_terms; /* [output_depth][filter_height + 1] */
    const relo_dsp_requant_t *requant;
    int32_t quads; /* Q */
    relo_one_channel_edges_t edges;
} relo_one_channel_job_t;

static int32_t relo_one_channel_quads(const relo_window_t *w)
{
    return (w->filter_width + 3) / 4;
}

/* Strip row bytes for `pixels` pixels: the last one reads Q whole quads; a multiple of 4. */
static int32_t relo_one_channel_strip_pitch(const relo_window_t *w, int32_t pixels, int32_t quads)
{
    return pixels > 0 ? ((pixels - 1) * w->stride_width + 4 * quads + 3) & ~3 : 0;
}

/* Which output columns read past the image's left edge (x < 0) or right edge (x >= width,
 * counting the whole quads read). */
static relo_one_channel_edges_t relo_one_channel_edges(const relo_window_t *w, int32_t quads)
{
    relo_one_channel_edges_t e;
    const int32_t s = w->stride_width, last_inside = w->input_width + w->pad_left - 4 * quads;
    e.left = (w->pad_left + s - 1) / s;
    e.left = e.left < w->output_width ? e.left : w->output_width;
    e.right_first = last_inside < 0 ? 0 : last_inside / s + 1;
    e.right_first = e.right_first < e.left ? e.left : e.right_first;
    e.right_first = e.right_first < w->output_width ? e.right_first : w->output_width;
    e.left_pitch = relo_one_channel_strip_pitch(w, e.left, quads);
    e.right_pitch = relo_one_channel_strip_pitch(w, w->output_width - e.right_first, quads);
    return e;
}

int32_t relo_conv_one_channel_s8_dsp_scratch_bytes(const relo_conv_params_t *params)
{
    if (params == 0 || !relo_window_is_valid(&params->window)) {
        return 0;
    }
    const relo_window_t *w = &params->window;
    const relo_one_channel_edges_t e = relo_one_channel_edges(w, relo_one_channel_quads(w));
    return w->filter_height * (e.left_pitch + e.right_pitch);
}

static int32_t relo_one_channel_validate(const relo_conv_params_t *params, const int8_t *input,
                                         const int16_t *filter, const int32_t *offset_terms,
                                         const relo_dsp_requant_t *requant, const int8_t *output,
                                         const int8_t *scratch, int32_t scratch_bytes)
{
    if (params == 0 || input == 0 || filter == 0 || offset_terms == 0 || requant == 0 ||
        output == 0 || scratch == 0) {
        return RELO_NN_ERR_NULL_ARG;
    }
    const relo_window_t *w = &params->window;
    if (!relo_window_is_valid(w) || params->input_depth != 1 || params->filter_input_depth != 1 ||
        params->output_depth <= 0) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    if (w->dilation_height != 1 || w->dilation_width != 1 || params->filter_offset != 0 ||
        !relo_window_activation_is_valid(params->activation_min, params->activation_max) ||
        params->input_offset < -127 || params->input_offset > 128) { /* zero point is int8 */
        return RELO_NN_ERR_BAD_PARAM;
    }
    if (((uintptr_t)scratch & 3u) != 0 ||
        scratch_bytes < relo_conv_one_channel_s8_dsp_scratch_bytes(params)) {
        return RELO_NN_ERR_BAD_SIZE;
    }
    return RELO_NN_OK;
}

/* One strip row: row[i] = source[x0 + i] where that is inside [0, width), else `pad` (the zero
 * point); the inside part copied a word at a time into the aligned strip. */
/* the few padding bytes are cheaper in place than in calls to memset */
static __attribute__((optimize("no-tree-loop-distribute-patterns"))) void
relo_one_channel_fill_row(const int8_t *source, int32_t width, int32_t x0, int8_t pad, int8_t *row,
                          int32_t pitch)
{
    int32_t begin = -x0 > 0 ? -x0 : 0, end = width - x0;
    begin = begin < pitch ? begin : pitch;
    end = end < begin ? begin : (end < pitch ? end : pitch);
    int32_t i = 0;
    for (; i < begin; ++i) {
        row[i] = pad;
    }
    for (; i < end && (i & 3) != 0; ++i) {
        row[i] = source[x0 + i];
    }
    for (; i + 4 <= end; i += 4) {
        const uint32_t word = relo_dsp_read_s8x4(source + (x0 + i));
        memcpy(row + i, &word, sizeof word); /* aligned: one STR */
    }
    for (; i < end; ++i) {
        row[i] = source[x0 + i];
    }
    for (; i < pitch; ++i) {
        row[i] = pad;
    }
}

#if RELO_DSP_NATIVE
/* One quad of a window row (at byte `offset`) into four channels: its word split by SXTB16
 * into (x0, x2) and (x1, x3), each channel's two weight pairs, two SMLAD each. */
#define RELO_ONE_CHANNEL_QUAD(offset)                                                              \
    "ldr    %[p], [%[x], #" offset "]\n"                                                          \
    "sxtb16 %[q], %[p], ror #8\n"                                                                  \
    "sxtb16 %[p], %[p]\n"                                                                          \
    "ldrd   %[u], %[v], [%[w]], #8\n"                                                              \
    "smlad  %[a0], %[p], %[u], %[a0]\n"                                                            \
    "smlad  %[a0], %[q], %[v], %[a0]\n"                                                            \
    "ldrd   %[u], %[v], [%[w]], #8\n"                                                              \
    "smlad  %[a1], %[p], %[u], %[a1]\n"                                                            \
    "smlad  %[a1], %[q], %[v], %[a1]\n"                                                            \
    "ldrd   %[u], %[v], [%[w]], #8\n"                                                              \
    "smlad  %[a2], %[p], %[u], %[a2]\n"                                                            \
    "smlad  %[a2], %[q], %[v], %[a2]\n"                                                            \
    "ldrd   %[u], %[v], [%[w]], #8\n"                                                              \
    "smlad  %[a3], %[p], %[u], %[a3]\n"                                                            \
    "smlad  %[a3], %[q], %[v], %[a3]\n"

/* acc[0..3] = start[0..3] + `rows` window rows (`pitch` apart from `x`) times one group's
 * filter rows, each row `quads` (the asm text of its quads). Hand-written: GCC spills on it. */
#define RELO_ONE_CHANNEL_ROWS(quads)                                                               \
    int32_t a0 = start[0], a1 = start[1], a2 = start[2], a3 = start[3];                            \
    uint32_t p, q, u, v;                                                                           \
    __asm__ volatile("1:\n" quads "add    %[x], %[x], %[pitch]\n"                                  \
                     "subs   %[n], %[n], #1\n"                                                     \
                     "bne    1b\n"                                                                 \
                     : [x] "+r"(x), [w] "+r"(w), [n] "+r"(rows), [a0] "+r"(a0), [a1] "+r"(a1),     \
                       [a2] "+r"(a2), [a3] "+r"(a3), [p] "=&r"(p), [q] "=&r"(q), [u] "=&r"(u),     \
                       [v] "=&r"(v)                                                                \
                     : [pitch] "r"(pitch)                                                          \
                     : "cc", "memory");                                                            \
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3

/* Filter rows of two quads (filter width 5..8): 33 instructions for 32 MACs a row. */
static inline void relo_one_channel_group_q2(const int8_t *x, int32_t pitch, const int16_t *w,
                                             int32_t rows, const int32_t *start, int32_t *acc)
{
    RELO_ONE_CHANNEL_ROWS(RELO_ONE_CHANNEL_QUAD("0") RELO_ONE_CHANNEL_QUAD("4"));
}

/* Filter rows of one quad (filter width 1..4): 18 instructions for 16 MACs a row. */
static inline void relo_one_channel_group_q1(const int8_t *x, int32_t pitch, const int16_t *w,
                                             int32_t rows, const int32_t *start, int32_t *acc)
{
    RELO_ONE_CHANNEL_ROWS(RELO_ONE_CHANNEL_QUAD("0"));
}

/* One output with the full int8 range: the record at %[x] (which steps past it),
 * relo_dsp_requantize_doubled, SSAT, store: 7 instructions. */
#define RELO_ONE_CHANNEL_OUT_FULL(acc)                                                             \
    "ldrd   %[p], %[q], [%[x]], #8\n"                                                              \
    "ldr    %[u], [%[x]], #4\n"                                                                    \
    "smmlar %[v], %[" acc "], %[p], %[u]\n"                                                        \
    "add    %[v], %[v], %[" acc "], asr #31\n"                                                     \
    "asr    %[v], %[v], %[q]\n"                                                                    \
    "ssat   %[v], #8, %[v]\n"                                                                      \
    "strb   %[v], [%[w]], #1\n"

/* relo_one_channel_group_q1 and the group's four outputs with the full int8 range in one
 * block: after the rows, the loop's registers requantize the accumulators, the records and
 * output pointers reloaded from stack slots ("m" operands: the rows need every register).
 * *records and *out step past the group's four. */
static inline void relo_one_channel_group_q1_full(const int8_t *x, int32_t pitch,
                                                  const int16_t *w, int32_t rows,
                                                  const int32_t *start,
                                                  const relo_dsp_requant_t **records,
                                                  int8_t **out)
{
    int32_t a0 = start[0], a1 = start[1], a2 = start[2], a3 = start[3];
    const relo_dsp_requant_t *rec = *records;
    int8_t *o = *out;
    uint32_t p, q, u, v;
    __asm__ volatile("1:\n" RELO_ONE_CHANNEL_QUAD("0")
                     "add    %[x], %[x], %[pitch]\n"
                     "subs   %[n], %[n], #1\n"
                     "bne    1b\n"
                     "ldr    %[x], %[rec]\n"
                     "ldr    %[w], %[o]\n"
                     RELO_ONE_CHANNEL_OUT_FULL("a0")
                     RELO_ONE_CHANNEL_OUT_FULL("a1")
                     RELO_ONE_CHANNEL_OUT_FULL("a2")
                     RELO_ONE_CHANNEL_OUT_FULL("a3")
                     "str    %[x], %[rec]\n"
                     "str    %[w], %[o]\n"
                     : [x] "+r"(x), [w] "+r"(w), [n] "+r"(rows), [a0] "+r"(a0), [a1] "+r"(a1),
                       [a2] "+r"(a2), [a3] "+r"(a3), [p] "=&r"(p), [q] "=&r"(q), [u] "=&r"(u),
                       [v] "=&r"(v), [rec] "+m"(rec), [o] "+m"(o)
                     : [pitch] "r"(pitch)
                     : "cc", "memory");
    *records = rec, *out = o;
}
#endif

/* Any number of quads per filter row (and every width off target): the same sums in C.
 * noinline: it would crowd the registers of the callers' fast paths. */
static __attribute__((noinline)) void relo_one_channel_group_any(const int8_t *x, int32_t pitch, const int16_t *w,
                                       int32_t rows, int32_t quads, int32_t acc[4])
{
    for (int32_t r = 0; r < rows; ++r, x += pitch) {
        for (int32_t q = 0; q < quads; ++q) {
            const uint32_t word = relo_dsp_read_s8x4(x + 4 * q);
            const uint32_t even = relo_dsp_sxtb16(word), odd = relo_dsp_sxtb16_ror8(word);
            for (int32_t j = 0; j < RELO_ONE_CHANNEL_GROUP; ++j, w += 4) {
                acc[j] = relo_dsp_smlad(even, relo_dsp_read_s16x2(w), acc[j]);
                acc[j] = relo_dsp_smlad(odd, relo_dsp_read_s16x2(w + 2), acc[j]);
            }
        }
    }
}

/* One block of channels of one output row: what every pixel's pass over it needs. */
typedef struct {
    const int16_t *filter; /* the block's first group, filter row fy0 */
    int32_t group_halves;  /* int16 from one group's filter to the next */
    int32_t groups;
    int32_t rows;          /* filter rows inside the image, > 0 */
    int32_t quads;
    int32_t count;         /* channels */
    const relo_dsp_requant_t *requant;
    const int32_t *start;  /* [count]: bias + the input offset's share */
} relo_one_channel_pass_t;

/* acc[4g .. 4g + 3] = start + group g's filter rows over the window rows at `x`. A function of
 * its own with few live values, so they stay in registers around the hand-written loops. */
static __attribute__((noinline)) void relo_one_channel_pixel(const relo_one_channel_pass_t *pass,
                                                             const int8_t *x, int32_t pitch,
                                                             int32_t *acc)
{
    const int16_t *filter = pass->filter;
    const int32_t *start = pass->start;
    const int32_t rows = pass->rows, step = pass->group_halves;
    int32_t g = pass->groups;
#if RELO_DSP_NATIVE
    if (pass->quads == 2) {
        for (; g > 0; --g, filter += step, start += 4, acc += 4) {
            relo_one_channel_group_q2(x, pitch, filter, rows, start, acc);
        }
        return;
    }
    if (pass->quads == 1) {
        for (; g > 0; --g, filter += step, start += 4, acc += 4) {
            relo_one_channel_group_q1(x, pitch, filter, rows, start, acc);
        }
        return;
    }
#endif
    for (; g > 0; --g, filter += step, start += 4, acc += 4) {
        acc[0] = start[0], acc[1] = start[1], acc[2] = start[2], acc[3] = start[3];
        relo_one_channel_group_any(x, pitch, filter, rows, pass->quads, acc);
    }
}

#if RELO_DSP_NATIVE
/* Every group of one pixel, each requantized straight out of its registers
 * (relo_one_channel_group_q1_full): one quad per filter row, the full int8 range, channels a
 * multiple of 4. */
static __attribute__((noinline)) void
relo_one_channel_pixel_q1_full(const relo_one_channel_pass_t *pass, const int8_t *x,
                               int32_t pitch, int8_t *out)
{
    const int16_t *filter = pass->filter;
    const int32_t *start = pass->start;
    const relo_dsp_requant_t *records = pass->requant;
    for (int32_t g = pass->groups; g > 0; --g, filter += pass->group_halves, start += 4) {
        relo_one_channel_group_q1_full(x, pitch, filter, pass->rows, start, &records, &out);
    }
}
#endif

/* out[i] = clamp(requantize(acc2[i] / 2)); `full_range` a constant where inlined (the clamp is
 * then one SSAT). */
static inline __attribute__((always_inline)) void
relo_one_channel_requantize(const int32_t *acc2, int32_t count, const relo_dsp_requant_t *requant,
                            int32_t act_min, int32_t act_max, int32_t full_range, int8_t *out)
{
    for (int32_t i = 0; i < count; ++i) {
        out[i] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(acc2[i], requant[i], act_min,
                                                               act_max, full_range);
    }
}

/* `pixels` consecutive output pixels of one block, windows `stride` bytes apart from `x`. */
static inline __attribute__((always_inline)) void
relo_one_channel_span_with(const relo_one_channel_pass_t *pass, const int8_t *x, int32_t pitch,
                           int32_t stride, int32_t pixels, int8_t *out, int32_t out_step,
                           int32_t act_min, int32_t act_max, int32_t full_range)
{
#if RELO_DSP_NATIVE
    if (full_range && pass->quads == 1 && pass->count == RELO_ONE_CHANNEL_GROUP * pass->groups) {
        for (; pixels > 0; --pixels, x += stride, out += out_step) {
            relo_one_channel_pixel_q1_full(pass, x, pitch, out);
        }
        return;
    }
#endif
    int32_t acc[RELO_ONE_CHANNEL_BLOCK];
    for (; pixels > 0; --pixels, x += stride, out += out_step) {
        relo_one_channel_pixel(pass, x, pitch, acc);
        relo_one_channel_requantize(acc, pass->count, pass->requant, act_min, act_max, full_range,
                                    out);
    }
}

static void relo_one_channel_span(const relo_one_channel_pass_t *pass, const int8_t *x,
                                  int32_t pitch, int32_t stride, int32_t pixels, int8_t *out,
                                  int32_t out_step, int32_t act_min, int32_t act_max)
{
    if (relo_dsp_is_full_range_s8(act_min, act_max)) {
        relo_one_channel_span_with(pass, x, pitch, stride, pixels, out, out_step, -128, 127, 1);
    } else {
        relo_one_channel_span_with(pass, x, pitch, stride, pixels, out, out_step, act_min, act_max,
                                   0);
    }
}

/* Accumulators at the start of a window whose filter rows [fy0, fy1) lie inside the image:
 * bias + input_offset * (sum of those rows), for channels [first, first + count); the padded
 * channels of the last group start at 0 (computed, never stored). */
static void relo_one_channel_start(const relo_one_channel_job_t *job, int32_t first, int32_t count,
                                   int32_t fy0, int32_t fy1, int32_t *start)
{
    const int32_t terms = job->params->window.filter_height + 1;
    for (int32_t i = 0; i < count; ++i) {
        const int32_t *t = job->offset_terms + (first + i) * terms;
        const uint32_t bias = job->bias != 0 ? (uint32_t)job->bias[first + i] : 0u;
        start[i] = (int32_t)(bias + (uint32_t)t[fy1] - (uint32_t)t[fy0]);
    }
    for (int32_t i = count; i < RELO_ONE_CHANNEL_BLOCK; ++i) {
        start[i] = 0;
    }
}

/* The edge columns of the image rows [first_row, first_row + rows) into the strips. */
static void relo_one_channel_fill_strips(const relo_one_channel_job_t *job, const int8_t *first_row,
                                         int32_t rows, int8_t *left_strip, int8_t *right_strip)
{
    const relo_window_t *w = &job->params->window;
    const relo_one_channel_edges_t *e = &job->edges;
    const int8_t pad = (int8_t)(-job->params->input_offset);
    for (int32_t r = 0; r < rows; ++r) {
        const int8_t *source = first_row + r * w->input_width;
        if (e->left_pitch > 0) {
            relo_one_channel_fill_row(source, w->input_width, -w->pad_left, pad,
                                      left_strip + r * e->left_pitch, e->left_pitch);
        }
        if (e->right_pitch > 0) {
            relo_one_channel_fill_row(source, w->input_width,
                                      e->right_first * w->stride_width - w->pad_left, pad,
                                      right_strip + r * e->right_pitch, e->right_pitch);
        }
    }
}

/* Every pixel of output row `oy` for one block of channels, or for all of them when one block
 * holds them: left edge pixels from the left strip, then the inside ones from the image, then
 * right edge ones from the right strip, in pixel order (overlap contract). */
static void relo_one_channel_pixels(const relo_one_channel_job_t *job,
                                    const relo_one_channel_pass_t *pass, const int8_t *first_row,
                                    const int8_t *left_strip, const int8_t *right_strip,
                                    int8_t *out, int32_t first_ox, int32_t end_ox)
{
    const relo_conv_params_t *p = job->params;
    const relo_window_t *w = &p->window;
    const relo_one_channel_edges_t *e = &job->edges;
    const int32_t s = w->stride_width, depth = p->output_depth;
    const int32_t left = e->left < end_ox ? e->left : end_ox;
    const int32_t right = e->right_first > first_ox ? e->right_first : first_ox;
    int32_t ox = first_ox;
    if (ox < left) {
        relo_one_channel_span(pass, left_strip + ox * s, e->left_pitch, s, left - ox,
                              out + ox * depth, depth, p->activation_min, p->activation_max);
        ox = left;
    }
    if (ox < right && ox < end_ox) {
        const int32_t end = right < end_ox ? right : end_ox;
        relo_one_channel_span(pass, first_row + (ox * s - w->pad_left), w->input_width, s,
                              end - ox, out + ox * depth, depth, p->activation_min,
                              p->activation_max);
        ox = end;
    }
    if (ox < end_ox) {
        relo_one_channel_span(pass, right_strip + (ox - e->right_first) * s, e->right_pitch, s,
                              end_ox - ox, out + ox * depth, depth, p->activation_min,
                              p->activation_max);
    }
}

/* Output row `oy`: the edge columns of its image rows into the strips, then every pixel. */
static void relo_one_channel_row(const relo_one_channel_job_t *job, const int8_t *image,
                                 int32_t oy, int8_t *out, int8_t *scratch)
{
    const relo_conv_params_t *p = job->params;
    const relo_window_t *w = &p->window;
    const int32_t in_y = oy * w->stride_height - w->pad_top;
    const int32_t fy0 = relo_window_first_tap(in_y, 1, w->filter_height);
    const int32_t fy1 = relo_window_end_tap(in_y, 1, w->filter_height, w->input_height);
    int32_t start[RELO_ONE_CHANNEL_BLOCK];
    if (fy1 <= fy0) { /* every window wholly in the padding: the start values */
        for (int32_t ox = 0; ox < w->output_width; ++ox) {
            for (int32_t first = 0; first < p->output_depth; first += RELO_ONE_CHANNEL_BLOCK) {
                const int32_t left = p->output_depth - first;
                const int32_t count = left < RELO_ONE_CHANNEL_BLOCK ? left : RELO_ONE_CHANNEL_BLOCK;
                relo_one_channel_start(job, first, count, fy0, fy0, start);
                relo_one_channel_requantize(start, count, job->requant + first,
                                            p->activation_min, p->activation_max, 0,
                                            out + ox * p->output_depth + first);
            }
        }
        return;
    }
    int8_t *left_strip = scratch, *right_strip = scratch + w->filter_height * job->edges.left_pitch;
    const int8_t *first_row = image + (in_y + fy0) * w->input_width;
    relo_one_channel_fill_strips(job, first_row, fy1 - fy0, left_strip, right_strip);
    const int32_t group_halves = w->filter_height * job->quads * 4 * RELO_ONE_CHANNEL_GROUP;
    relo_one_channel_pass_t pass = {job->filter + fy0 * job->quads * 4 * RELO_ONE_CHANNEL_GROUP,
                                    group_halves, 0, fy1 - fy0, job->quads, 0, job->requant, start};
    if (p->output_depth <= RELO_ONE_CHANNEL_BLOCK) { /* the whole row in one go */
        relo_one_channel_start(job, 0, p->output_depth, fy0, fy1, start);
        pass.count = p->output_depth;
        pass.groups = (p->output_depth + RELO_ONE_CHANNEL_GROUP - 1) / RELO_ONE_CHANNEL_GROUP;
        relo_one_channel_pixels(job, &pass, first_row, left_strip, right_strip, out, 0,
                                w->output_width);
        return;
    }
    for (int32_t ox = 0; ox < w->output_width; ++ox) { /* every block of a pixel, pixel by pixel */
        for (int32_t first = 0; first < p->output_depth; first += RELO_ONE_CHANNEL_BLOCK) {
            const int32_t left = p->output_depth - first;
            pass.count = left < RELO_ONE_CHANNEL_BLOCK ? left : RELO_ONE_CHANNEL_BLOCK;
            pass.groups = (pass.count + RELO_ONE_CHANNEL_GROUP - 1) / RELO_ONE_CHANNEL_GROUP;
            pass.filter = job->filter + (first / RELO_ONE_CHANNEL_GROUP) * group_halves +
                          fy0 * job->quads * 4 * RELO_ONE_CHANNEL_GROUP;
            pass.requant = job->requant + first;
            relo_one_channel_start(job, first, pass.count, fy0, fy1, start);
            relo_one_channel_pixels(job, &pass, first_row, left_strip, right_strip, out + first,
                                    ox, ox + 1);
        }
    }
}

int32_t relo_conv_one_channel_s8_dsp(const relo_conv_params_t *params, const int8_t *input,
                                     const int16_t *filter, const int32_t *bias,
                                     const int32_t *offset_terms,
                                     const relo_dsp_requant_t *requant, int8_t *output,
                                     int8_t *scratch, int32_t scratch_bytes)
{
    const int32_t status = relo_one_channel_validate(params, input, filter, offset_terms, requant,
                                                     output, scratch, scratch_bytes);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_window_t *w = &params->window;
    const relo_one_channel_job_t job = {params, filter, bias, offset_terms, requant,
                                        relo_one_channel_quads(w),
                                        relo_one_channel_edges(w, relo_one_channel_quads(w))};
    const int32_t row_bytes = w->output_width * params->output_depth;
    for (int32_t b = 0; b < w->batches; ++b) {
        const int8_t *image = input + b * w->input_height * w->input_width;
        int8_t *out = output + b * w->output_height * row_bytes;
        /* a row's edge windows are copied before any of its pixels is written, the others
         * read in pixel order (overlap contract) */
        for (int32_t oy = 0; oy < w->output_height; ++oy) {
            relo_one_channel_row(&job, image, oy, out + oy * row_bytes, scratch);
        }
    }
    return RELO_NN_OK;
}
