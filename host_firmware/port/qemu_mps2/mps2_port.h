/* SPDX-License-Identifier: Apache-2.0 */
/* Declarations shared between the files of the QEMU MPS2 port (not part of any contract). */
#ifndef RELO_MPS2_PORT_H
#define RELO_MPS2_PORT_H

#include <stdint.h>

/* Exception and interrupt handlers the vector table (startup.c) points at. */
void relo_qemu_reset(void);
void relo_qemu_fault_entry(void); /* faults and unexpected exceptions */
void relo_qemu_systick_isr(void);
void relo_qemu_uart0_rx_isr(void);

/* Polled, interrupt-free text output on UART0 for fault reports: works whatever state the
 * driver (or the crashed code) left it in. */
void relo_qemu_uart_emergency_write(const char *text);

/* Bytes the UART hardware dropped since relo_uart_init (always 0 on QEMU). */
uint32_t relo_qemu_uart_overruns(void);
/* 1 while reception is paused because the ring buffer is full (self-test only). */
uint32_t relo_qemu_uart_rx_paused(void);

int main(void);

#endif /* RELO_MPS2_PORT_H */
