/* SPDX-License-Identifier: Apache-2.0 */
/* UNTESTED ON SILICON. port_board.h on STM32H743: board info, and the DWT cycle counter
 * (32 bits, wraps after 2^32 cycles = 10.7 s at 400 MHz: a longer run is mis-measured).
 * relo_call_model is the generic Thumb trampoline of port/qemu_mps2/call_model.S. */
#include <stdint.h>

#include "relo/port_board.h"
#include "relo/relo_format.h"
#include "stm32h7_regs.h"

/* AXI SRAM (512 KiB at 0x24000000) is lent to models; the firmware uses DTCM. */
#define MODEL_RAM_BASE 0x24000000u
#define MODEL_RAM_SIZE (512u * 1024u)

static const relo_board_info_t stm32h743_info = {
    .name = "stm32h743",
    .cpu = RELO_CPU_CORTEX_M7,
    .fpu = RELO_FPU_FPV5_D16,
    .abi = RELO_FLOAT_ABI_HARD,
    .model_ram = (uint8_t *)MODEL_RAM_BASE,
    .model_ram_size = MODEL_RAM_SIZE,
};

void relo_board_init(void)
{
    DEMCR |= DEMCR_TRCENA;
    DWT_LAR = 0xC5ACCE55u; /* unlock the DWT on Cortex-M7 */
    DWT_CYCCNT = 0;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
}

const relo_board_info_t *relo_board_info(void) { return &stm32h743_info; }

static uint32_t counter_start_value;

void relo_counter_start(void) { counter_start_value = DWT_CYCCNT; }

uint64_t relo_counter_stop(void) { return (uint32_t)(DWT_CYCCNT - counter_start_value); }

uint32_t relo_counter_unit(void) { return RELO_COUNTER_UNIT_CYCLES; }
