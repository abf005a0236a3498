/* SPDX-License-Identifier: Apache-2.0 */
/* port_board.h for host tests: a Cortex-M4F-like identity, static model RAM, a
 * wall-clock counter, and model calls routed to a test function. */
#include <time.h>

#include "board_host.h"
#include "relo/port_board.h"
#include "relo/relo_format.h"

static _Alignas(64) uint8_t model_ram[RELO_BOARD_HOST_MODEL_RAM_SIZE];
static const relo_board_info_t info = {
    "host-sim", RELO_CPU_CORTEX_M4, RELO_FPU_FPV4_SP_D16, RELO_FLOAT_ABI_HARD, model_ram, sizeof model_ram,
};
static relo_board_host_model_fn model_fn;
static uint32_t model_calls;
static uint64_t counter_start_ns;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void relo_board_init(void) {}

const relo_board_info_t *relo_board_info(void) { return &info; }

void relo_board_host_set_model(relo_board_host_model_fn model)
{
    model_fn = model;
    model_calls = 0;
}

uint32_t relo_board_host_model_calls(void) { return model_calls; }

/* The host has no cycle counter worth the name: nanoseconds stand in for cycles. */
void relo_counter_start(void) { counter_start_ns = now_ns(); }
uint64_t relo_counter_stop(void) { return now_ns() - counter_start_ns; }
uint32_t relo_counter_unit(void) { return RELO_COUNTER_UNIT_CYCLES; }

int32_t relo_call_model(uintptr_t entry, uint8_t *arena, void *static_base)
{
    model_calls++;
    return model_fn != 0 ? model_fn(entry, arena, static_base) : -1;
}
