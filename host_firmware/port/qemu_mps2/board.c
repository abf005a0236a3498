/* SPDX-License-Identifier: Apache-2.0 */
/* port_board.h for the QEMU MPS2 boards: what the board is, the model RAM, and an
 * instruction counter built on SysTick.
 *
 * Under `-icount shift=0` QEMU advances virtual time 1 ns per instruction, and SysTick on
 * the processor clock (25 MHz on these FPGA images) ticks every 40 ns: one tick is exactly
 * 40 instructions. The 24-bit counter wraps every 2^24 ticks; the wrap interrupt extends it. */
#include <stdint.h>

#include "mps2_port.h"
#include "mps2_regs.h"
#include "relo/port_board.h"
#include "relo/relo_format.h"

#if !defined(RELO_QEMU_BOARD_NAME) || !defined(RELO_QEMU_CPU) || !defined(RELO_QEMU_FPU)
#error "RELO_QEMU_BOARD_NAME, RELO_QEMU_CPU and RELO_QEMU_FPU must come from the board makefile"
#endif

/* The ABI this file is compiled with is the ABI of the whole firmware (one set of flags). */
#if defined(__ARM_PCS_VFP)
#define FIRMWARE_FLOAT_ABI RELO_FLOAT_ABI_HARD
#elif defined(__ARM_FP)
#define FIRMWARE_FLOAT_ABI RELO_FLOAT_ABI_SOFTFP
#else
#define FIRMWARE_FLOAT_ABI RELO_FLOAT_ABI_SOFT
#endif

#define INSTRUCTIONS_PER_TICK 40u /* 1 ns per instruction, 40 ns per 25 MHz tick */
#define TICKS_PER_WRAP (SYST_RELOAD_MAX + 1u)

extern uint8_t __relo_model_ram_start[], __relo_model_ram_end[];

static relo_board_info_t board_info;
static volatile uint32_t systick_wraps;

void relo_board_init(void)
{
    SYST_CSR = SYST_CSR_CLKSOURCE_CPU;
    board_info.name = RELO_QEMU_BOARD_NAME;
    board_info.cpu = RELO_QEMU_CPU;
    board_info.fpu = RELO_QEMU_FPU;
    board_info.abi = FIRMWARE_FLOAT_ABI;
    board_info.model_ram = __relo_model_ram_start;
    board_info.model_ram_size = (uint32_t)(__relo_model_ram_end - __relo_model_ram_start);
}

const relo_board_info_t *relo_board_info(void) { return &board_info; }

void relo_qemu_systick_isr(void) { systick_wraps++; }

void relo_counter_start(void)
{
    SYST_CSR = SYST_CSR_CLKSOURCE_CPU;
    SYST_RVR = SYST_RELOAD_MAX;
    SYST_CVR = 0; /* any write clears the count; the next tick loads the reload value */
    SCB_ICSR = SCB_ICSR_PENDSTCLR;
    systick_wraps = 0;
    /* Clock source first, then enable: QEMU 7.2 ignores a CLKSOURCE change made in the same
     * write that sets ENABLE and would keep counting the 1 MHz reference clock. */
    SYST_CSR = SYST_CSR_CLKSOURCE_CPU;
    SYST_CSR = SYST_CSR_CLKSOURCE_CPU | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

/* Ticks since start: the count reads 0 only before the first tick or exactly at a wrap
 * (whose interrupt is then pending or already counted), otherwise 2^24 - value ticks have
 * passed in the current period. */
uint64_t relo_counter_stop(void)
{
    uint32_t primask = relo_irq_save();
    SYST_CSR = SYST_CSR_CLKSOURCE_CPU; /* stop, keeping the clock source (see above) */
    uint32_t current = SYST_CVR;
    uint64_t wraps = systick_wraps;
    if ((SCB_ICSR & SCB_ICSR_PENDSTSET) != 0) {
        SCB_ICSR = SCB_ICSR_PENDSTCLR;
        wraps++;
    }
    relo_irq_restore(primask);
    uint64_t ticks = wraps * TICKS_PER_WRAP + (current == 0 ? 0u : TICKS_PER_WRAP - current);
    return ticks * INSTRUCTIONS_PER_TICK;
}

uint32_t relo_counter_unit(void) { return RELO_COUNTER_UNIT_INSTRUCTIONS; }
