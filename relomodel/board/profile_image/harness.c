/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Profiling image: runs one compiled model on the emulated board and prints, through
 * semihosting, the instructions each operator took and the outputs (so the host can check the
 * profiled build computes exactly what the reference does).
 *
 * Counting is the firmware's: under -icount shift=0 SysTick on the CPU clock advances once per
 * 40 instructions, wraps are counted by its interrupt. Granularity: one tick (40 instructions)
 * per operator.
 *
 * Output lines: "op <index> <instructions>", "run <run> <instructions>",
 * "out <run> <output> <hex bytes>"; the image exits 0 after the last run, non-zero on a failure.
 */
#include <stdint.h>

#include "profile_data.h" /* generated: arena size, inputs per run, output places */
#include "profiler.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_CSR_ENABLE 1u
#define SYST_CSR_TICKINT 2u
#define SYST_CSR_CLKSOURCE_CPU 4u
#define SYST_RELOAD 0x00FFFFFFu
#define INSTRUCTIONS_PER_TICK 40u

#define SEMIHOSTING_SYS_WRITE0 0x04
#define SEMIHOSTING_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUNTIME_ERROR 0x20023

int32_t relo_model_init(uint8_t *arena);
int32_t relo_model_run(uint8_t *arena);

static uint8_t arena[RELO_PROFILE_ARENA_SIZE] __attribute__((aligned(16)));
static volatile uint32_t systick_wraps;
static uint64_t last_mark;

static int32_t relo_profile_semihost(int32_t operation, const void *argument)
{
    register int32_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void relo_profile_print(const char *text) { relo_profile_semihost(SEMIHOSTING_SYS_WRITE0, text); }

static void relo_profile_print_u64(uint64_t value)
{
    char digits[24];
    char *p = digits + sizeof digits - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0);
    relo_profile_print(p);
}

static void relo_profile_print_hex(const uint8_t *bytes, uint32_t size)
{
    static const char hex[] = "0123456789abcdef";
    char chunk[65];
    uint32_t used = 0;
    for (uint32_t i = 0; i < size; ++i) {
        chunk[used++] = hex[bytes[i] >> 4];
        chunk[used++] = hex[bytes[i] & 0xFu];
        if (used == sizeof chunk - 1 || i + 1 == size) {
            chunk[used] = '\0';
            relo_profile_print(chunk);
            used = 0;
        }
    }
}

__attribute__((noreturn)) static void relo_profile_exit(int32_t reason)
{
    for (;;) {
        relo_profile_semihost(SEMIHOSTING_SYS_EXIT, (const void *)(uintptr_t)reason);
    }
}

void relo_profile_exit_failure(const char *why)
{
    relo_profile_print("error ");
    relo_profile_print(why);
    relo_profile_print("\n");
    relo_profile_exit(ADP_STOPPED_RUNTIME_ERROR);
}

void relo_profile_systick_isr(void) { systick_wraps++; }

static void relo_profile_counter_start(void)
{
    SYST_CSR = SYST_CSR_CLKSOURCE_CPU;
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0;
    systick_wraps = 0;
    /* clock source first, then enable (QEMU 7.2 ignores a CLKSOURCE change made together
     * with ENABLE) */
    SYST_CSR = SYST_CSR_CLKSOURCE_CPU | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

/* Instructions since the counter started. A wrap whose interrupt is still pending is seen
 * by re-reading the wrap count around the value. */
static uint64_t relo_profile_now(void)
{
    uint32_t wraps, value;
    do {
        wraps = systick_wraps;
        value = SYST_CVR;
    } while (wraps != systick_wraps);
    const uint64_t ticks = (uint64_t)wraps * (SYST_RELOAD + 1u) + (value == 0 ? 0u : SYST_RELOAD + 1u - value);
    return ticks * INSTRUCTIONS_PER_TICK;
}

void relo_profile_op_done(int32_t op_index)
{
    const uint64_t now = relo_profile_now();
    const uint64_t spent = now - last_mark;
    relo_profile_print("op ");
    relo_profile_print_u64((uint64_t)op_index);
    relo_profile_print(" ");
    relo_profile_print_u64(spent);
    relo_profile_print("\n");
    last_mark = relo_profile_now(); /* printing is not the next operator's cost */
}

static void relo_profile_load_inputs(uint32_t run)
{
    for (uint32_t i = 0; i < RELO_PROFILE_INPUT_COUNT; ++i) {
        const relo_profile_tensor_t *tensor = &relo_profile_inputs[i];
        const uint8_t *source = relo_profile_input_bytes[run][i];
        for (uint32_t b = 0; b < tensor->size; ++b) {
            arena[tensor->offset + b] = source[b];
        }
    }
}

static void relo_profile_print_outputs(uint32_t run)
{
    for (uint32_t i = 0; i < RELO_PROFILE_OUTPUT_COUNT; ++i) {
        relo_profile_print("out ");
        relo_profile_print_u64(run);
        relo_profile_print(" ");
        relo_profile_print_u64(i);
        relo_profile_print(" ");
        relo_profile_print_hex(arena + relo_profile_outputs[i].offset, relo_profile_outputs[i].size);
        relo_profile_print("\n");
    }
}

int main(void)
{
    if (relo_model_init(arena) != 0) {
        relo_profile_exit_failure("relo_model_init failed");
    }
    relo_profile_counter_start();
    for (uint32_t run = 0; run < RELO_PROFILE_RUNS; ++run) {
        relo_profile_load_inputs(run);
        relo_profile_print("run ");
        relo_profile_print_u64(run);
        relo_profile_print("\n");
        last_mark = relo_profile_now();
        if (relo_model_run(arena) != 0) {
            relo_profile_exit_failure("relo_model_run failed");
        }
        relo_profile_print_outputs(run);
    }
    relo_profile_exit(ADP_STOPPED_APPLICATION_EXIT);
}
