/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DEPTHWISE_CONV_2D, int8, depth multiplier 1, channels a multiple of 4, for cores with the
 * DSP extension: four channels per step, one 32-bit input load per tap split by SXTB16 into
 * two packed pairs, multiplied by halfword (SMLABB / SMLATT) against filter taps widened to
 * int16 at pack time. The input offset is folded into per-channel "interior biases" at pack
 * time: acc = bias + sum w * (x + offset) = (bias + offset * sum w) + sum w * x. A tap outside
 * the input contributes nothing in the reference; read as the zero point (-offset) it
 * contributes -offset * w, cancelling its share of the interior bias, so every window is
 * computed as if it lay inside the input: 3x3 windows on the edges from a copy of the window
 * with the zero point outside (relo_depthwise_dsp_edge_3x3), other windows by tap
 * (relo_depthwise_dsp_generic_four).
 *
 * Layout contract with the compiler (compiler/kernel_select/): filter int16, grouped by four
 * channels: group g is first the interior biases of channels 4g .. 4g + 3 (int32, as two int16
 * halves each), then for every tap (fy, fx) in order, channels 4g + (0, 2, 1, 3), so one LDRD
 * gives the pair matching SXTB16 of the input (channels 0, 2) and the pair matching SXTB16
 * ROR 8 (channels 1, 3), then the requantization records (relo_dsp_requant_t, as int16
 * halves) of channels 4g .. 4g + 3, the output offset folded in: one pointer walks it all.
 * Taps and interior biases are doubled: the accumulators hold twice the reference's sums,
 * what the requantization's high multiply wants (relo_dsp_requantize_doubled: no shift per
 * output).
 * Bit-exact with relo_depthwise_conv_s8 (the same integer sums).
 */
#include "relo_nn_dsp.h"
#include "relo_nn_functions.h"
#include "relo_window.h"

#define RELO_DEPTHWISE_DSP_GROUP_HEAD 8  /* int16 of a group's interior biases */
#define RELO_DEPTHWISE_DSP_GROUP_TAIL 24 /* int16 of a group's requantization records */

/* int16 per group of four channels: interior biases, taps, records */
static int32_t relo_depthwise_dsp_group_size(const relo_window_t *w)
{
    return RELO_DEPTHWISE_DSP_GROUP_HEAD + w->filter_height * w->filter_width * 4 +
           RELO_DEPTHWISE_DSP_GROUP_TAIL;
}

/* Record k of the group whose records start at `records` (4-byte aligned: a group is a whole
 * number of words). */
static inline relo_dsp_requant_t relo_depthwise_dsp_record(const int16_t *records, int32_t k)
{
    relo_dsp_requant_t r;
    memcpy(&r, records + k * 6, sizeof r);
    return r;
}

static int32_t relo_depthwise_dsp_validate(const relo_depthwise_conv_params_t *params,
                                           const int8_t *input, const int16_t *filter,
                                           const int8_t *output)
{
    if (params == 0 || input == 0 || filter == 0 || output == 0) {
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

/* Channels c .. c + 3 of one output pixel, any window, the window's origin at input (in_y,
 * in_x): from the group's interior biases, every tap, those outside the input read as the zero
 * point (which the interior biases cancel). The path of windows other than 3x3. */
static void relo_depthwise_dsp_generic_four(const relo_depthwise_conv_params_t *params,
                                            const int16_t *group, const int8_t *image,
                                            int32_t in_y, int32_t in_x, int32_t c,
                                            uint32_t zero_point, int32_t acc[4])
{
    const relo_window_t *w = &params->window;
    memcpy(acc, group, 4 * sizeof acc[0]);
    const int16_t *wp = group + RELO_DEPTHWISE_DSP_GROUP_HEAD;
    for (int32_t fy = 0; fy < w->filter_height; ++fy) {
        const int32_t y = in_y + fy * w->dilation_height;
        for (int32_t fx = 0; fx < w->filter_width; ++fx, wp += 4) {
            const int32_t x = in_x + fx * w->dilation_width;
            const int32_t inside = y >= 0 && y < w->input_height && x >= 0 && x < w->input_width;
            const int8_t *pixel = image + (y * w->input_width + x) * params->input_depth;
            const uint32_t word = inside ? relo_dsp_read_s8x4(pixel + c) : zero_point;
            const uint32_t x02 = relo_dsp_sxtb16(word), x13 = relo_dsp_sxtb16_ror8(word);
            const uint32_t w02 = relo_dsp_read_s16x2(wp), w13 = relo_dsp_read_s16x2(wp + 2);
            acc[0] = relo_dsp_smlabb(x02, w02, acc[0]);
            acc[2] = relo_dsp_smlatt(x02, w02, acc[2]);
            acc[1] = relo_dsp_smlabb(x13, w13, acc[1]);
            acc[3] = relo_dsp_smlatt(x13, w13, acc[3]);
        }
    }
}

/* Four copies of the input's zero point (-input_offset, an int8): the value of a tap outside
 * the input. */
static uint32_t relo_depthwise_dsp_zero_point(const relo_depthwise_conv_params_t *params)
{
    return ((uint32_t)-params->input_offset & 0xFFu) * 0x01010101u;
}

#if RELO_DSP_NATIVE
/* One tap of the 3x3 window for four channels: the input word at [row + offset] split by
 * SXTB16, the tap's two filter pairs by one LDRD: 8 instructions for 4 MACs. */
#define RELO_DEPTHWISE_DSP_TAP_ASM(address)                                                   \
    "ldr    %[x], " address "\n"                                                              \
    "sxtb16 %[x13], %[x], ror #8\n"                                                           \
    "sxtb16 %[x], %[x]\n"                                                                     \
    "ldrd   %[w02], %[w13], [%[wp]], #8\n"                                                    \
    "smlabb %[a0], %[x], %[w02], %[a0]\n"                                                     \
    "smlatt %[a2], %[x], %[w02], %[a2]\n"                                                     \
    "smlabb %[a1], %[x13], %[w13], %[a1]\n"                                                   \
    "smlatt %[a3], %[x13], %[w13], %[a3]\n"

/* A group's interior biases (two LDRD) then its nine taps, rows y_step apart. */
#define RELO_DEPTHWISE_DSP_GROUP_TAPS                                                         \
    "ldrd   %[a0], %[a1], [%[wp]], #8\n"                                                      \
    "ldrd   %[a2], %[a3], [%[wp]], #8\n"                                                      \
    RELO_DEPTHWISE_DSP_TAP_ASM("[%[row]]")                                                    \
    RELO_DEPTHWISE_DSP_TAP_ASM("[%[row], %[xs]]")                                             \
    RELO_DEPTHWISE_DSP_TAP_ASM("[%[row], %[xs], lsl #1]")                                     \
    "add    %[row], %[row], %[ys]\n"                                                          \
    RELO_DEPTHWISE_DSP_TAP_ASM("[%[row]]")                                                    \
    RELO_DEPTHWISE_DSP_TAP_ASM("[%[row], %[xs]]")                                             \
    RELO_DEPTHWISE_DSP_TAP_ASM("[%[row], %[xs], lsl #1]")                                     \
    "add    %[row], %[row], %[ys]\n"                                                          \
    RELO_DEPTHWISE_DSP_TAP_ASM("[%[row]]")                                                    \
    RELO_DEPTHWISE_DSP_TAP_ASM("[%[row], %[xs]]")                                             \
    RELO_DEPTHWISE_DSP_TAP_ASM("[%[row], %[xs], lsl #1]")

/* One group of four channels of a window wholly inside the input: the interior biases (two
 * LDRD), then the nine taps, the filter pointer left at the next group. Hand-scheduled because
 * GCC spills the extended inputs of this block to the stack. */
static inline void relo_depthwise_dsp_3x3_four(const int8_t *row, int32_t x_step, int32_t y_step,
                                               const int16_t **filter, int32_t *a0, int32_t *a1,
                                               int32_t *a2, int32_t *a3)
{
    const int16_t *wp = *filter;
    uint32_t x, x13, w02, w13;
    __asm__ volatile(
        RELO_DEPTHWISE_DSP_GROUP_TAPS
        : [row] "+r"(row), [wp] "+r"(wp), [a0] "=&r"(*a0), [a1] "=&r"(*a1), [a2] "=&r"(*a2),
          [a3] "=&r"(*a3), [x] "=&r"(x), [x13] "=&r"(x13), [w02] "=&r"(w02), [w13] "=&r"(w13)
        : [xs] "r"(x_step), [ys] "r"(y_step)
        : "memory");
    *filter = wp;
}

/* One output of a group with the full int8 range: the record at the filter pointer (which
 * steps past it), relo_dsp_requantize_doubled, SSAT, store: 7 instructions. */
#define RELO_DEPTHWISE_DSP_OUT_FULL(acc)                                                      \
    "ldrd   %[x], %[x13], [%[wp]], #8\n"                                                      \
    "ldr    %[w02], [%[wp]], #4\n"                                                            \
    "smmlar %[w13], %[" acc "], %[x], %[w02]\n"                                               \
    "add    %[w13], %[w13], %[" acc "], asr #31\n"                                            \
    "asr    %[w13], %[w13], %[x13]\n"                                                         \
    "ssat   %[w13], #8, %[w13]\n"                                                             \
    "strb   %[w13], [%[out]], #1\n"

/* relo_depthwise_dsp_3x3_four and the group's four outputs with the full int8 range, in one
 * block: the records follow the taps, so the filter pointer reaches them and the registers of
 * the taps serve the requantization. The filter and output pointers step past the group. */
static inline void relo_depthwise_dsp_3x3_four_full(const int8_t *row, int32_t x_step,
                                                    int32_t y_step, const int16_t **filter,
                                                    int8_t **out)
{
    const int16_t *wp = *filter;
    int8_t *o = *out;
    uint32_t x, x13, w02, w13;
    int32_t a0, a1, a2, a3;
    __asm__ volatile(
        RELO_DEPTHWISE_DSP_GROUP_TAPS
        RELO_DEPTHWISE_DSP_OUT_FULL("a0")
        RELO_DEPTHWISE_DSP_OUT_FULL("a1")
        RELO_DEPTHWISE_DSP_OUT_FULL("a2")
        RELO_DEPTHWISE_DSP_OUT_FULL("a3")
        : [row] "+r"(row), [wp] "+r"(wp), [out] "+r"(o), [a0] "=&r"(a0), [a1] "=&r"(a1),
          [a2] "=&r"(a2), [a3] "=&r"(a3), [x] "=&r"(x), [x13] "=&r"(x13), [w02] "=&r"(w02),
          [w13] "=&r"(w13)
        : [xs] "r"(x_step), [ys] "r"(y_step)
        : "memory");
    *filter = wp, *out = o;
}
#else
static inline void relo_depthwise_dsp_3x3_four(const int8_t *row, int32_t x_step, int32_t y_step,
                                               const int16_t **filter, int32_t *a0, int32_t *a1,
                                               int32_t *a2, int32_t *a3)
{
    const int16_t *wp = *filter;
    int32_t bias[4];
    memcpy(bias, wp, sizeof bias);
    wp += RELO_DEPTHWISE_DSP_GROUP_HEAD;
    int32_t b0 = bias[0], b1 = bias[1], b2 = bias[2], b3 = bias[3];
    for (int32_t fy = 0; fy < 3; ++fy, row += y_step) {
        for (int32_t fx = 0; fx < 3; ++fx, wp += 4) {
            const uint32_t x = relo_dsp_read_s8x4(row + fx * x_step);
            const uint32_t x02 = relo_dsp_sxtb16(x), x13 = relo_dsp_sxtb16_ror8(x);
            const uint32_t w02 = relo_dsp_read_s16x2(wp), w13 = relo_dsp_read_s16x2(wp + 2);
            b0 = relo_dsp_smlabb(x02, w02, b0);
            b2 = relo_dsp_smlatt(x02, w02, b2);
            b1 = relo_dsp_smlabb(x13, w13, b1);
            b3 = relo_dsp_smlatt(x13, w13, b3);
        }
    }
    *a0 = b0, *a1 = b1, *a2 = b2, *a3 = b3;
    *filter = wp;
}

static inline void relo_depthwise_dsp_3x3_four_full(const int8_t *row, int32_t x_step,
                                                    int32_t y_step, const int16_t **filter,
                                                    int8_t **out)
{
    int32_t acc[4];
    relo_depthwise_dsp_3x3_four(row, x_step, y_step, filter, acc, acc + 1, acc + 2, acc + 3);
    for (int32_t k = 0; k < 4; ++k) {
        const relo_dsp_requant_t r = relo_depthwise_dsp_record(*filter, k);
        (*out)[k] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(acc[k], r, -128, 127, 1);
    }
    *filter += RELO_DEPTHWISE_DSP_GROUP_TAIL, *out += 4;
}
#endif

/* What the 3x3 path needs to run windows with no tap outside: taps x_step bytes apart in a
 * row, rows y_step apart, consecutive windows pixel_step apart; channels [0, channels) from
 * group `filter` and record `requant` on; the activation range (full_range: its a constant
 * copy of the loop, see relo_dsp_requantize_doubled_clamp_s8). */
typedef struct {
    int32_t x_step, y_step, pixel_step, channels;
    const int16_t *filter;
    int32_t lo, hi;
} relo_depthwise_dsp_run_t;

/* `pixels` consecutive output pixels (the first window's top-left tap at `top_left`, outputs
 * `channels` apart from `out`): straight-line code, no tap bounds, weights read in order, and
 * each group of four channels requantized straight out of its registers. */
static inline __attribute__((always_inline)) void
relo_depthwise_dsp_3x3_run_with(const relo_depthwise_dsp_run_t *run, const int8_t *top_left,
                                int8_t *out, int32_t pixels, int32_t full_range)
{
    const int32_t x_step = run->x_step, y_step = run->y_step, lo = run->lo, hi = run->hi;
    for (; pixels > 0; --pixels, top_left += run->pixel_step) {
        const int16_t *wp = run->filter;
        const int8_t *const end = top_left + run->channels;
        for (const int8_t *row = top_left; row != end; row += 4) {
            if (full_range) {
                relo_depthwise_dsp_3x3_four_full(row, x_step, y_step, &wp, &out);
                continue;
            }
            int32_t acc[4];
            relo_depthwise_dsp_3x3_four(row, x_step, y_step, &wp, acc, acc + 1, acc + 2, acc + 3);
            for (int32_t k = 0; k < 4; ++k) {
                const relo_dsp_requant_t r = relo_depthwise_dsp_record(wp, k);
                out[k] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(acc[k], r, lo, hi, 0);
            }
            wp += RELO_DEPTHWISE_DSP_GROUP_TAIL, out += 4;
        }
    }
}

static void relo_depthwise_dsp_3x3_run(const relo_depthwise_dsp_run_t *run,
                                       const int8_t *top_left, int8_t *out, int32_t pixels)
{
    if (relo_dsp_is_full_range_s8(run->lo, run->hi)) {
        relo_depthwise_dsp_3x3_run_with(run, top_left, out, pixels, 1);
    } else {
        relo_depthwise_dsp_3x3_run_with(run, top_left, out, pixels, 0);
    }
}

#define RELO_DEPTHWISE_DSP_CHUNK 32 /* channels per window copy (9 * 32 bytes of stack) */

#if RELO_DSP_NATIVE
/* 32 bytes from a word-aligned source, or the zero point 32 times: LDM/STM of four words. */
static inline void relo_depthwise_dsp_copy_chunk(uint32_t *target, const int8_t *source)
{
    __asm__ volatile("ldmia  %[s]!, {r0, r1, r2, r3}\n"
                     "stmia  %[t]!, {r0, r1, r2, r3}\n"
                     "ldmia  %[s], {r0, r1, r2, r3}\n"
                     "stmia  %[t], {r0, r1, r2, r3}\n"
                     : [s] "+r"(source), [t] "+r"(target)
                     :
                     : "r0", "r1", "r2", "r3", "memory");
}

static inline void relo_depthwise_dsp_fill_chunk(uint32_t *target, uint32_t value)
{
    __asm__ volatile("mov    r0, %[v]\n"
                     "mov    r1, %[v]\n"
                     "mov    r2, %[v]\n"
                     "mov    r3, %[v]\n"
                     "stmia  %[t]!, {r0, r1, r2, r3}\n"
                     "stmia  %[t], {r0, r1, r2, r3}\n"
                     : [t] "+r"(target)
                     : [v] "r"(value)
                     : "r0", "r1", "r2", "r3", "memory");
}
#else
static inline void relo_depthwise_dsp_copy_chunk(uint32_t *target, const int8_t *source)
{
    memcpy(target, source, RELO_DEPTHWISE_DSP_CHUNK);
}

static inline void relo_depthwise_dsp_fill_chunk(uint32_t *target, uint32_t value)
{
    for (int32_t i = 0; i < RELO_DEPTHWISE_DSP_CHUNK / 4; ++i) {
        target[i] = value;
    }
}
#endif

/* One tap of the window copy: `words` words from `source` (null: the zero point). */
static inline __attribute__((always_inline)) void
relo_depthwise_dsp_copy_tap(uint32_t *target, const int8_t *source, int32_t words,
                            uint32_t zero_point)
{
    if (source == 0) {
        if (words == RELO_DEPTHWISE_DSP_CHUNK / 4) {
            relo_depthwise_dsp_fill_chunk(target, zero_point);
            return;
        }
        for (int32_t i = 0; i < words; ++i) {
            target[i] = zero_point;
        }
    } else if (words == RELO_DEPTHWISE_DSP_CHUNK / 4 && ((uintptr_t)source & 3u) == 0) {
        relo_depthwise_dsp_copy_chunk(target, source);
    } else {
        for (int32_t i = 0; i < words; ++i) {
            target[i] = relo_dsp_read_s8x4(source + 4 * i);
        }
    }
}

/* Every channel of an output pixel whose 3x3 window is clipped by the input's edges: by chunks
 * of channels, the window copied into `window` with the taps outside set to the input zero
 * point (-input_offset, an int8), which the interior biases turn into exactly the reference's
 * skipped taps (w * (zero point + offset) = 0); then the interior path runs on the copy.
 * no-tree-loop-distribute-patterns: GCC would turn the word loops into calls to the blob's
 * byte-by-byte memcpy/memset (relo_rt.c), four times slower. */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) static void
relo_depthwise_dsp_edge_3x3(const relo_depthwise_conv_params_t *params,
                            const relo_depthwise_dsp_run_t *whole, const int8_t *image,
                            int32_t in_y, int32_t in_x, int8_t *out)
{
    const relo_window_t *w = &params->window;
    const int32_t depth = params->input_depth;
    const int32_t group_size = relo_depthwise_dsp_group_size(w);
    const uint32_t zero_point = relo_depthwise_dsp_zero_point(params);
    uint32_t window[9 * RELO_DEPTHWISE_DSP_CHUNK / 4];
    const int8_t *taps[9]; /* channel 0 of each tap, null outside the input */
    for (int32_t fy = 0; fy < 3; ++fy) {
        const int32_t y = in_y + fy * w->dilation_height;
        const int8_t *row = image + y * w->input_width * depth;
        for (int32_t fx = 0; fx < 3; ++fx) {
            const int32_t x = in_x + fx * w->dilation_width;
            const int32_t inside = y >= 0 && y < w->input_height && x >= 0 && x < w->input_width;
            taps[3 * fy + fx] = inside ? row + x * depth : 0;
        }
    }
    for (int32_t first = 0; first < depth; first += RELO_DEPTHWISE_DSP_CHUNK) {
        const int32_t left = depth - first;
        const int32_t channels = left < RELO_DEPTHWISE_DSP_CHUNK ? left : RELO_DEPTHWISE_DSP_CHUNK;
        const int32_t words = channels / 4;
        for (int32_t k = 0; k < 9; ++k) {
            relo_depthwise_dsp_copy_tap(window + k * words, taps[k] != 0 ? taps[k] + first : 0,
                                        words, zero_point);
        }
        const relo_depthwise_dsp_run_t run = {channels, 3 * channels, 0, channels,
                                              whole->filter + (first / 4) * group_size,
                                              whole->lo, whole->hi};
        relo_depthwise_dsp_3x3_run(&run, (const int8_t *)window, out + first, 1);
    }
}

/* Every channel of one output pixel of a window other than 3x3. */
static void relo_depthwise_dsp_generic_pixel(const relo_depthwise_conv_params_t *params,
                                             const int16_t *filter, const int8_t *image,
                                             int32_t in_y, int32_t in_x, int8_t *out)
{
    const relo_window_t *w = &params->window;
    const int32_t group_size = relo_depthwise_dsp_group_size(w);
    const uint32_t zero_point = relo_depthwise_dsp_zero_point(params);
    for (int32_t c = 0; c < params->input_depth; c += 4, filter += group_size) {
        int32_t acc[4];
        relo_depthwise_dsp_generic_four(params, filter, image, in_y, in_x, c, zero_point, acc);
        const int16_t *records = filter + group_size - RELO_DEPTHWISE_DSP_GROUP_TAIL;
        for (int32_t k = 0; k < 4; ++k) {
            out[c + k] = (int8_t)relo_dsp_requantize_doubled_clamp_s8(
                acc[k], relo_depthwise_dsp_record(records, k), params->activation_min,
                params->activation_max, 0);
        }
    }
}

/* The output columns [*first, *end) of a row whose 3x3 windows lie inside the input across. */
static void relo_depthwise_dsp_inside_columns(const relo_window_t *w, int32_t *first,
                                              int32_t *end)
{
    const int32_t last_origin = w->input_width - 1 - 2 * w->dilation_width; /* largest in_x */
    *first = (w->pad_left + w->stride_width - 1) / w->stride_width;
    *end = last_origin + w->pad_left < 0 ? 0 : (last_origin + w->pad_left) / w->stride_width + 1;
    *end = *end < w->output_width ? *end : w->output_width;
    *first = *first < *end ? *first : *end;
}

/* One output row of a 3x3 window: the inside run at once, the edges one pixel at a time. */
static void relo_depthwise_dsp_3x3_row(const relo_depthwise_conv_params_t *params,
                                       const relo_depthwise_dsp_run_t *run, const int8_t *image,
                                       int32_t in_y, int8_t *out)
{
    const relo_window_t *w = &params->window;
    const int32_t depth = params->input_depth;
    int32_t first = 0, end = 0;
    if (in_y >= 0 && in_y + 2 * w->dilation_height < w->input_height) {
        relo_depthwise_dsp_inside_columns(w, &first, &end);
    }
    for (int32_t ox = 0; ox < w->output_width; ++ox) {
        const int32_t in_x = ox * w->stride_width - w->pad_left;
        if (ox == first && first < end) {
            relo_depthwise_dsp_3x3_run(run, image + (in_y * w->input_width + in_x) * depth,
                                       out + ox * depth, end - first);
            ox = end - 1;
        } else {
            relo_depthwise_dsp_edge_3x3(params, run, image, in_y, in_x, out + ox * depth);
        }
    }
}

int32_t relo_depthwise_conv_s8_dsp(const relo_depthwise_conv_params_t *params,
                                   const int8_t *input, const int16_t *filter, int8_t *output)
{
    const int32_t status = relo_depthwise_dsp_validate(params, input, filter, output);
    if (status != RELO_NN_OK) {
        return status;
    }
    const relo_window_t *w = &params->window;
    const int32_t depth = params->input_depth;
    const int32_t image_size = w->input_height * w->input_width * depth;
    const int32_t is_3x3 = w->filter_height == 3 && w->filter_width == 3;
    const relo_depthwise_dsp_run_t run = {w->dilation_width * depth,
                                          w->dilation_height * w->input_width * depth,
                                          w->stride_width * depth, depth, filter,
                                          params->activation_min, params->activation_max};
    for (int32_t b = 0; b < w->batches; ++b) {
        const int8_t *image = input + b * image_size;
        for (int32_t oy = 0; oy < w->output_height; ++oy, output += w->output_width * depth) {
            const int32_t in_y = oy * w->stride_height - w->pad_top;
            if (is_3x3) {
                relo_depthwise_dsp_3x3_row(params, &run, image, in_y, output);
                continue;
            }
            for (int32_t ox = 0; ox < w->output_width; ++ox) {
                relo_depthwise_dsp_generic_pixel(params, filter, image, in_y,
                                                 ox * w->stride_width - w->pad_left,
                                                 output + ox * depth);
            }
        }
    }
    return RELO_NN_OK;
}
