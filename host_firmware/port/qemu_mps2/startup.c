/* SPDX-License-Identifier: Apache-2.0 */
/* Vector table and reset handler of the resident firmware on QEMU MPS2 boards. */
#include <stdint.h>

#include "mps2_port.h"
#include "mps2_regs.h"

/* 16 core vectors + the 32 external interrupts QEMU gives mps2-an386/an500 (num-irq). */
#define VECTOR_COUNT (16 + 32)
#define VECTOR_SYSTICK 15
#define VECTOR_IRQ(n) (16 + (n))

extern uint32_t __relo_stack_top[];
extern uint32_t __relo_data_start[], __relo_data_end[], __relo_data_load[];
extern uint32_t __relo_bss_start[], __relo_bss_end[];

typedef void (*relo_vector_t)(void);

__attribute__((section(".vector_table"), used))
const relo_vector_t relo_qemu_vectors[VECTOR_COUNT] = {
    [0] = (relo_vector_t)(uintptr_t)__relo_stack_top,
    [1] = relo_qemu_reset,
    [2] = relo_qemu_fault_entry,  /* NMI */
    [3] = relo_qemu_fault_entry,       /* HardFault */
    [4] = relo_qemu_fault_entry,       /* MemManage */
    [5] = relo_qemu_fault_entry,       /* BusFault */
    [6] = relo_qemu_fault_entry,       /* UsageFault */
    [11] = relo_qemu_fault_entry, /* SVCall */
    [12] = relo_qemu_fault_entry, /* DebugMonitor */
    [14] = relo_qemu_fault_entry, /* PendSV */
    [VECTOR_SYSTICK] = relo_qemu_systick_isr,
    /* External interrupts: only UART0 RX is used; any other one is reported. */
#define U relo_qemu_fault_entry
    [VECTOR_IRQ(0)] = relo_qemu_uart0_rx_isr, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U,
    U, U, U, U, U, U, U, U,
#undef U
};
_Static_assert(MPS2_UART0_RX_IRQ == 0, "the table above wires UART0 RX to external interrupt 0");

/* Runs before .data/.bss exist and before the FPU is usable: touches only registers and the
 * linker's symbols. The FPU is switched on first because the compiler may use FP registers
 * anywhere once it is told the ABI is hard-float. */
__attribute__((noreturn)) void relo_qemu_reset(void)
{
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL;
    relo_barrier();
    /* The bootloader also sets VTOR; setting it again makes the image self-sufficient. */
    SCB_VTOR = (uint32_t)(uintptr_t)relo_qemu_vectors;

    const uint32_t *src = __relo_data_load;
    for (uint32_t *dst = __relo_data_start; dst < __relo_data_end;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = __relo_bss_start; dst < __relo_bss_end;) {
        *dst++ = 0;
    }
    /* Separate MemManage/BusFault/UsageFault reports; trap divide-by-zero instead of
     * silently returning 0 (a model bug should be visible). */
    SCB_SHCSR |= SCB_SHCSR_FAULTS_ENABLE;
    SCB_CCR |= 1u << 4; /* DIV_0_TRP */
    relo_barrier();

    main();
    relo_qemu_uart_emergency_write("\r\nRELO-FAULT main returned\r\n");
    for (;;) {
        __asm__ volatile("wfi");
    }
}
