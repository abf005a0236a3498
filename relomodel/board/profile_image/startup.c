/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Start of the profiling image on QEMU mps2 (Cortex-M4F / M7): vector table, FPU on, .bss
 * zeroed, r9 pointed at the GOT (the model and its kernels are built with the package's PIC
 * flags, which reach all data through r9), then main. QEMU's ELF loader places code, constant
 * data and .data where they run, so nothing is copied.
 */
#include <stdint.h>

#include "profiler.h"

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)

extern uint32_t __bss_start__[], __bss_end__[], __stack_top[];
extern int main(void);

void relo_profile_reset(void);
static void relo_profile_fault(void) { relo_profile_exit_failure("fault"); }

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top, /* initial stack pointer */
    relo_profile_reset,
    relo_profile_fault, /* NMI */
    relo_profile_fault, /* HardFault */
    relo_profile_fault, /* MemManage */
    relo_profile_fault, /* BusFault */
    relo_profile_fault, /* UsageFault */
    0, 0, 0, 0,
    relo_profile_fault, /* SVCall */
    relo_profile_fault, /* DebugMonitor */
    0,
    relo_profile_fault, /* PendSV */
    relo_profile_systick_isr,
};

__attribute__((noreturn)) void relo_profile_reset(void)
{
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL; /* float models use the FPU */
    __asm__ volatile("dsb\n isb" ::: "memory");
    for (uint32_t *word = __bss_start__; word < __bss_end__; ++word) {
        *word = 0;
    }
    /* the harness is built with -ffixed-r9, so r9 keeps this value everywhere */
    __asm__ volatile("ldr r9, =__relo_profile_got" ::: "r9");
    main();
    relo_profile_exit_failure("main returned");
}
