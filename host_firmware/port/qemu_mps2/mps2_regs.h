/* SPDX-License-Identifier: Apache-2.0 */
/* Register addresses of the QEMU MPS2 boards (mps2-an386 Cortex-M4F, mps2-an500 Cortex-M7)
 * and of the Cortex-M core peripherals this port touches. Only what the port uses. */
#ifndef RELO_MPS2_REGS_H
#define RELO_MPS2_REGS_H

#include <stdint.h>

#define RELO_REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* CMSDK APB UART0 (first -serial of QEMU). */
#define MPS2_UART0_BASE 0x40004000u
#define CMSDK_UART_DATA(base) RELO_REG32((base) + 0x00u)
#define CMSDK_UART_STATE(base) RELO_REG32((base) + 0x04u)
#define CMSDK_UART_CTRL(base) RELO_REG32((base) + 0x08u)
#define CMSDK_UART_INTSTATUS(base) RELO_REG32((base) + 0x0Cu) /* write 1 to clear */
#define CMSDK_UART_BAUDDIV(base) RELO_REG32((base) + 0x10u)
#define CMSDK_UART_STATE_TX_FULL (1u << 0)
#define CMSDK_UART_STATE_RX_FULL (1u << 1)
#define CMSDK_UART_STATE_RX_OVERRUN (1u << 3)
#define CMSDK_UART_CTRL_TX_EN (1u << 0)
#define CMSDK_UART_CTRL_RX_EN (1u << 1)
#define CMSDK_UART_CTRL_RX_INT_EN (1u << 3)
#define CMSDK_UART_INT_RX (1u << 1)
/* hw/arm/mps2.c wires UART0 RX to external interrupt 0 and TX to 1 on AN385/386/500
 * (verified: the self-test receives through IRQ 0). */
#define MPS2_UART0_RX_IRQ 0u
/* The APB clock of the FPGA images; the UART only runs with BAUDDIV >= 16. */
#define MPS2_SYSCLK_HZ 25000000u

/* Cortex-M System Control Space. */
#define SCB_ICSR RELO_REG32(0xE000ED04u)
#define SCB_VTOR RELO_REG32(0xE000ED08u)
#define SCB_AIRCR RELO_REG32(0xE000ED0Cu)
#define SCB_CCR RELO_REG32(0xE000ED14u)
#define SCB_SHCSR RELO_REG32(0xE000ED24u)
#define SCB_CFSR RELO_REG32(0xE000ED28u)
#define SCB_HFSR RELO_REG32(0xE000ED2Cu)
#define SCB_MMFAR RELO_REG32(0xE000ED34u)
#define SCB_BFAR RELO_REG32(0xE000ED38u)
#define SCB_CPACR RELO_REG32(0xE000ED88u)
#define SCB_ICSR_PENDSTSET (1u << 26)
#define SCB_ICSR_PENDSTCLR (1u << 25)
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)
#define SCB_SHCSR_FAULTS_ENABLE (0x7u << 16) /* MemManage, BusFault, UsageFault */

#define SYST_CSR RELO_REG32(0xE000E010u)
#define SYST_RVR RELO_REG32(0xE000E014u)
#define SYST_CVR RELO_REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE_CPU (1u << 2)
#define SYST_RELOAD_MAX 0x00FFFFFFu

#define NVIC_ISER(n) RELO_REG32(0xE000E100u + 4u * (n))
#define NVIC_ICER(n) RELO_REG32(0xE000E180u + 4u * (n))
#define NVIC_ISPR(n) RELO_REG32(0xE000E200u + 4u * (n))
#define NVIC_ICPR(n) RELO_REG32(0xE000E280u + 4u * (n))

static inline void relo_irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline void relo_irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }

static inline uint32_t relo_irq_save(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

static inline void relo_irq_restore(uint32_t primask)
{
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

static inline void relo_barrier(void) { __asm__ volatile("dsb\n\tisb" ::: "memory"); }

#endif /* RELO_MPS2_REGS_H */
