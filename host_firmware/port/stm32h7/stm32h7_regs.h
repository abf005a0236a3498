/* SPDX-License-Identifier: Apache-2.0 */
/* UNTESTED ON SILICON. STM32H743 registers used by this port skeleton (RM0433). */
#ifndef RELO_STM32H7_REGS_H
#define RELO_STM32H7_REGS_H

#include <stdint.h>

#define RELO_REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* Flash interface, bank 2 (models live there; the firmware runs from bank 1). */
#define FLASH_R_BASE 0x52002000u
#define FLASH_KEYR2 RELO_REG32(FLASH_R_BASE + 0x104u)
#define FLASH_CR2 RELO_REG32(FLASH_R_BASE + 0x10Cu)
#define FLASH_SR2 RELO_REG32(FLASH_R_BASE + 0x110u)
#define FLASH_CCR2 RELO_REG32(FLASH_R_BASE + 0x114u)
#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu
#define FLASH_CR_LOCK (1u << 0)
#define FLASH_CR_PG (1u << 1)
#define FLASH_CR_SER (1u << 2)
#define FLASH_CR_PSIZE_X32 (2u << 4) /* parallelism for 2.7-3.6 V without VPP */
#define FLASH_CR_START (1u << 7)
#define FLASH_CR_SNB_SHIFT 8
#define FLASH_SR_BSY (1u << 0)
#define FLASH_SR_QW (1u << 2)
/* WRPERR 17, PGSERR 18, STRBERR 19, INCERR 21, OPERR 22, RDPERR 23, RDSERR 24, SNECCERR 25, DBECCERR 26 */
#define FLASH_SR_ERRORS 0x07EE0000u
#define FLASH_CCR_ALL 0x0FEF0000u /* the errors plus EOP and CRCEND */
#define FLASH_BANK2_BASE 0x08100000u

/* USART3: the ST-LINK virtual COM port of NUCLEO-H743ZI (PD8 TX / PD9 RX, AF7). */
#define USART3_BASE 0x40004800u
#define USART_CR1(b) RELO_REG32((b) + 0x00u)
#define USART_BRR(b) RELO_REG32((b) + 0x0Cu)
#define USART_ISR(b) RELO_REG32((b) + 0x1Cu)
#define USART_ICR(b) RELO_REG32((b) + 0x20u)
#define USART_RDR(b) RELO_REG32((b) + 0x24u)
#define USART_TDR(b) RELO_REG32((b) + 0x28u)
#define USART_CR1_UE (1u << 0)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_ISR_ORE (1u << 3)
#define USART_ISR_RXNE (1u << 5)
#define USART_ISR_TXE (1u << 7)
#define USART_ICR_ORECF (1u << 3)
#define USART3_IRQ 39u

/* Core debug: the DWT cycle counter (not emulated by QEMU). */
#define DEMCR RELO_REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL RELO_REG32(0xE0001000u)
#define DWT_CYCCNT RELO_REG32(0xE0001004u)
#define DWT_LAR RELO_REG32(0xE0001FB0u)
#define DWT_CTRL_CYCCNTENA (1u << 0)

#define NVIC_ISER(n) RELO_REG32(0xE000E100u + 4u * (n))
#define SCB_ICIALLU RELO_REG32(0xE000EF50u)
#define SCB_DCIMVAC RELO_REG32(0xE000EF5Cu)

#endif /* RELO_STM32H7_REGS_H */
